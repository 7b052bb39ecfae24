import http from 'node:http';

// A closed-loop load generator: `concurrency` clients, each posting its next
// event as soon as the previous answer arrived, over kept-alive connections.

export type LoadResult = { count: number; errors: number; seconds: number; latenciesMs: number[] };

export async function postLoad(
  url: string,
  path: string,
  headers: Record<string, string>,
  body: (n: number) => string,
  concurrency: number,
  durationMs: number,
  onResponse?: (headers: http.IncomingHttpHeaders) => void,
): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const target = new URL(path, url);
  const latenciesMs: number[] = [];
  let n = 0;
  let errors = 0;
  const start = performance.now();
  const end = start + durationMs;
  const client = async () => {
    while (performance.now() < end) {
      const t = performance.now();
      const status = await post(agent, target, headers, body(n++), onResponse);
      if (status >= 200 && status < 300) latenciesMs.push(performance.now() - t);
      else errors++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, client));
  const seconds = (performance.now() - start) / 1000;
  agent.destroy();
  return { count: latenciesMs.length, errors, seconds, latenciesMs };
}

function post(agent: http.Agent, target: URL, headers: Record<string, string>, body: string, onResponse?: (headers: http.IncomingHttpHeaders) => void): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(target, { method: 'POST', agent, headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      onResponse?.(res.headers);
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
