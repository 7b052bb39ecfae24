// The few Deno APIs runtime/deno.ts uses, for `tsc` (which runs with Node's
// types). Deno itself never loads this file: `deno check runtime/deno.ts`
// checks the entry against Deno's real declarations.
declare namespace Deno {
  const env: { toObject(): Record<string, string> };
  function serve(
    options: { port: number; hostname?: string; onListen?: (addr: { hostname: string; port: number }) => void },
    handler: (request: Request, info: { remoteAddr: { hostname: string; port: number; transport: string } }) => Response | Promise<Response>,
  ): { shutdown(): Promise<void>; finished: Promise<void> };
  function addSignalListener(signal: 'SIGINT' | 'SIGTERM', handler: () => void): void;
  function exit(code?: number): never;
}
