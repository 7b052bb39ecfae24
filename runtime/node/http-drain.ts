import net from 'node:net';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';

/**
 * A graceful close for a Node HTTP server. Watching starts when the server is
 * created; `close(deadline)` then:
 * - stops accepting connections, without dropping idle keep-alive ones at once
 *   (Node's own server.close() does: a client sending its next request on one
 *   at that moment would see a reset);
 * - answers every request still arriving or in flight with `Connection: close`,
 *   so each client finishes its exchange and reconnects elsewhere;
 * - once no request has been in flight for a moment (LINGER_MS: a client that
 *   read its last answer just before the signal may be sending its next
 *   request), closes the idle connections left;
 * - at the deadline, closes whatever is still open.
 */
const LINGER_MS = 100;

export function watchHttpServer(server: Server) {
  const open = new Set<ServerResponse>();
  let closing = false;
  let onQuiet: (() => void) | null = null;

  server.on('request', (_req: IncomingMessage, res: ServerResponse) => {
    open.add(res);
    if (closing) res.setHeader('connection', 'close');
    res.once('close', () => {
      open.delete(res);
      if (open.size === 0) onQuiet?.();
    });
  });

  return {
    get inFlight() {
      return open.size;
    },
    /** Resolves with how many requests were still unanswered when the deadline came (0 for a clean stop). */
    async close(deadline: number): Promise<{ cutOff: number }> {
      closing = true;
      for (const res of open) if (!res.headersSent) res.setHeader('connection', 'close');
      const closed = new Promise<void>((resolve) => net.Server.prototype.close.call(server, () => resolve()));
      const quietFor = (ms: number) =>
        new Promise<void>((resolve) => {
          let linger: ReturnType<typeof setTimeout> | undefined;
          const settle = () => {
            clearTimeout(linger);
            linger = setTimeout(() => (open.size === 0 ? resolve() : undefined), ms);
          };
          onQuiet = settle;
          if (open.size === 0) settle();
        });
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), Math.max(0, deadline - Date.now()))));
      const outcome = await Promise.race([quietFor(Math.min(LINGER_MS, Math.max(0, deadline - Date.now()))), late]);
      onQuiet = null;
      const cutOff = outcome === 'late' ? open.size : 0;
      if (outcome === 'late') server.closeAllConnections();
      else server.closeIdleConnections();
      await Promise.race([closed, late]);
      clearTimeout(timer);
      server.closeAllConnections();
      return { cutOff };
    },
  };
}
