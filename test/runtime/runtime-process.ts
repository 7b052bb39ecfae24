import { spawn, type ChildProcess } from 'node:child_process';
import { freePort } from '../../runtime/node/free-port.ts';

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


/** Where and how to start it: by default `npm run start:<runtime>` in this repository; `command` replaces npm. */
export type StartOptions = { cwd?: string; script?: string; command?: string[] };

export async function startRuntime(runtime: RuntimeName, env: Record<string, string>, args: string[] = [], readyMs = 90_000, o: StartOptions = {}): Promise<RunningRuntime> {
  const port = await freePort();
  const script = o.script ?? `start:${runtime}`;
  const [command, ...commandArgs] = o.command ?? ['npm', 'run', '--silent', script, ...(args.length ? ['--', ...args] : [])];
  const started = await startProcess(command, commandArgs, {
    env: { ...env, PORT: String(port) },
    // "listening" is each entry's own announcement; workerd's comes after its D1 is migrated.
    ready: /"msg":"advocate-rules listening"/,
    readyMs,
    what: o.command ? o.command.join(' ') : `npm run ${script}`,
    cwd: o.cwd,
  });
  return { runtime, baseUrl: `http://127.0.0.1:${port}`, ...started };
}

/** Any long-running command in its own process group, ready once its output matches `ready`. */
export async function startProcess(
  command: string,
  args: string[],
  o: { env: Record<string, string>; ready: RegExp; readyMs: number; what: string; cwd?: string },
): Promise<{ output(): string; stop(): Promise<void>; child: ChildProcess; exited: Promise<void> }> {
  const child = spawn(command, args, {
    cwd: o.cwd ?? new URL('../..', import.meta.url).pathname,
    env: { ...process.env, ...o.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const deadline = Date.now() + o.readyMs;
  while (!o.ready.test(output)) {
    if (child.exitCode !== null) throw new Error(`${o.what} exited with ${child.exitCode}:\n${output}`);
    if (Date.now() > deadline) {
      await stop(child, exited);
      throw new Error(`${o.what} was not ready after ${o.readyMs / 1000}s:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { output: () => output, stop: () => stop(child, exited), child, exited };
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

