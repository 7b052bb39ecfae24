import { readCapped, type WebhookHttpClient } from './http-client.ts';

/**
 * The fetch client (Workers, and the default of any entry that injects none).
 * fetch cannot be told which address to dial, so the destination check's
 * answer is not pinned here; on Workers the platform's fetch cannot reach the
 * operator's private network anyway. Node and Deno inject a pinned client.
 */
export function createFetchWebhookClient(): WebhookHttpClient {
  return {
    async post(r) {
      const response = await fetch(r.url, {
        method: 'POST',
        headers: r.headers,
        body: r.body,
        redirect: 'manual',
        signal: AbortSignal.timeout(r.timeoutMs),
      });
      return { status: response.status, excerpt: await readCapped(response.body, r.maxResponseBytes) };
    },
  };
}
