import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/**
 * A local SMTP server for the benches: accepts everything, answering DATA
 * after `delayMs` (a slow tenant's server), and notes when each message was
 * accepted.
 */
export async function startSink(delayMs = 0) {
  const arrivals: number[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const server = new SMTPServer({
    logger: false,
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    disableReverseLookup: true,
    closeTimeout: 100,
    onData(stream, _session, callback) {
      stream.on('end', () => {
        const accept = () => {
          arrivals.push(performance.now());
          callback();
        };
        if (delayMs === 0) return accept();
        const timer = setTimeout(() => {
          timers.delete(timer);
          accept();
        }, delayMs);
        timers.add(timer);
      });
      stream.resume();
    },
  });
  server.on('error', () => {});
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', () => done()));
  return {
    port: (server.server.address() as AddressInfo).port,
    arrivals,
    get received() {
      return arrivals.length;
    },
    close: () =>
      new Promise<void>((done) => {
        for (const timer of timers) clearTimeout(timer);
        server.close(() => done());
      }),
  };
}
