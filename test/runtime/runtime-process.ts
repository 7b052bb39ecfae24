import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';

// Starts the real server the way an operator does (`npm run start:<runtime>`),
// in its own process group so stopping it stops npm, the runtime and
// anything the runtime started (wrangler's workerd).

export type RuntimeName = 'node' | 'deno' | 'workerd';

export type RunningRuntime = {
  runtime: RuntimeName;
  baseUrl: string;
  /** Everything the server printed, for failure messages. */
  output(): string;
  stop(): Promise<void>;
};

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export async function startRuntime(runtime: RuntimeName, env: Record<string, string>, args: string[] = [], readyMs = 90_000): Promise<RunningRuntime> {
  const port = await freePort();
  const child = spawn('npm', ['run', '--silent', `start:${runtime}`, ...(args.length ? ['--', ...args] : [])], {
    cwd: new URL('../..', import.meta.url).pathname,
    env: { ...process.env, ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + readyMs;
  // "listening" is each entry's own announcement; workerd's comes after its D1 is migrated.
  while (!/"msg":"advocate-rules listening"/.test(output)) {
    if (child.exitCode !== null) throw new Error(`npm run start:${runtime} exited with ${child.exitCode}:\n${output}`);
    if (Date.now() > deadline) {
      await stop(child, exited);
      throw new Error(`npm run start:${runtime} was not ready after ${readyMs / 1000}s:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { runtime, baseUrl, output: () => output, stop: () => stop(child, exited) };
}

async function stop(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const group = -child.pid!;
  try {
    process.kill(group, 'SIGTERM');
  } catch {
    return;
  }
  const killed = await Promise.race([exited.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 5_000))]);
  if (!killed) {
    try {
      process.kill(group, 'SIGKILL');
    } catch {}
  }
}
