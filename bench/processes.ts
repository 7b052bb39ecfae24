import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

// Servers under test run in their own processes, so their CPU time and memory
// are theirs alone (read from /proc: the benchmark runs on Linux) and the load
// generator in this process does not compete inside their event loop.

/** /proc counts CPU time in USER_HZ ticks, 100 per second on Linux whatever the kernel's tick rate. */
const USER_HZ = 100;

export type ServerProcess = { child: ChildProcess; url: string; startMs: number; cpuMs(): number; rssMb(): number; stop(): Promise<void> };

export async function startServer(command: string, args: string[], env: Record<string, string>, port: number, timeoutMs = 60_000): Promise<ServerProcess> {
  const t0 = performance.now();
  const child = spawn(command, args, { env: { ...process.env, ...env, PORT: String(port) }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
  const url = `http://127.0.0.1:${port}`;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${command} ${args.join(' ')} exited ${child.exitCode}: ${stderr}`);
    if (performance.now() - t0 > timeoutMs) throw new Error(`${args.join(' ')} did not answer /health: ${stderr}`);
    try {
      if ((await fetch(`${url}/health`)).ok) break;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  const startMs = performance.now() - t0;
  const tree = () => [child.pid!, ...descendants(child.pid!)];
  return {
    child,
    url,
    startMs,
    cpuMs: () => tree().reduce((sum, pid) => sum + cpuMsOf(pid), 0),
    rssMb: () => tree().reduce((sum, pid) => sum + rssMbOf(pid), 0),
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 3000).unref();
      }),
  };
}

/** utime + stime of one process, in ms. */
function cpuMsOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / USER_HZ;
  } catch {
    return 0;
  }
}

function rssMbOf(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** `npm start` runs tsx, which runs the server in a child node: both count. */
function descendants(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) children.push(Number(entry), ...descendants(Number(entry)));
    } catch {
      // gone meanwhile
    }
  }
  return children;
}
