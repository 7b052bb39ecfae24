import type { Services } from './services.ts';
import { clientAddress, viaTrustedProxy } from './security/trusted-proxy.ts';

// The per-request questions about who is on the other end, answered from the
// peer the runtime entry reported and the operator's TRUST_PROXY.

type RequestLike = { var: { services: Services; peerAddress: string | null }; req: { header(name: string): string | undefined } };

/** The client's address for per-client limits; null when unknown (those limits are then skipped). */
export function requestClient(c: RequestLike): string | null {
  return clientAddress(c.var.services.config.TRUST_PROXY, c.var.peerAddress, (name) => c.req.header(name));
}

/** Behind a TLS-terminating proxy the app sees http; only a trusted proxy's X-Forwarded-Proto says otherwise. */
export function requestIsHttps(c: RequestLike & { req: { url: string } }): boolean {
  if (new URL(c.req.url).protocol === 'https:') return true;
  return viaTrustedProxy(c.var.services.config.TRUST_PROXY, c.var.peerAddress) && c.req.header('x-forwarded-proto')?.split(',')[0].trim() === 'https';
}
