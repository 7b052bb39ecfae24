// How the dispatcher reaches a receiver. Each runtime injects its own: Node
// connects to the vetted address it is handed (runtime/node), Workers and Deno
// use fetch (fetch-client.ts). Implementations never follow redirects, stop
// after `timeoutMs` and read at most `maxResponseBytes` of the answer.

export type WebhookRequest = {
  url: URL;
  /** The address the destination check vetted; a client that can pin its connection connects there and nowhere else. */
  address: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  maxResponseBytes: number;
};

export type WebhookResponse = { status: number; excerpt: string };

export type WebhookHttpClient = { post(request: WebhookRequest): Promise<WebhookResponse> };

/** Reads at most `max` bytes of a body, then stops reading, so a receiver streaming forever costs nothing. */
export async function readCapped(body: ReadableStream<Uint8Array> | null, max: number): Promise<string> {
  if (!body) return '';
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < max) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value.subarray(0, max - size));
      size += Math.min(value.length, max - size);
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  const all = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.length;
  }
  return new TextDecoder().decode(all);
}
