import net from 'node:net';
import tls from 'node:tls';
import type { SmtpSocket, SocketConnector } from '../../plugins/mail/smtp-session.ts';

// cloudflare:sockets' connect() rebuilt on node:net/tls, so the socket-level
// SMTP client runs against the same loopback servers as the nodemailer
// transport. Like Workers, it verifies certificates against the dialed name;
// unlike Workers, it lets a test add its CA.

export function nodeSocketConnector(o: { ca?: string } = {}): SocketConnector {
  const tlsOptions = (servername: string): tls.ConnectionOptions => ({
    rejectUnauthorized: true,
    minVersion: 'TLSv1.2',
    ...(net.isIP(servername) ? {} : { servername }),
    ...(o.ca ? { ca: [...tls.rootCertificates, o.ca] } : {}),
  });
  return ({ hostname, port }, { secureTransport }) => {
    if (secureTransport === 'on') {
      const socket = tls.connect({ host: hostname, port, ...tlsOptions(hostname) });
      return wrap(socket, settled(socket, 'secureConnect'));
    }
    const socket = net.connect({ host: hostname, port });
    const startTls =
      secureTransport === 'starttls'
        ? (detach: () => void) => {
            detach();
            const upgraded = tls.connect({ socket, ...tlsOptions(hostname) });
            return wrap(upgraded, settled(upgraded, 'secureConnect'));
          }
        : undefined;
    return wrap(socket, settled(socket, 'connect'), startTls);
  };
}

function settled(socket: net.Socket, event: 'connect' | 'secureConnect'): Promise<void> {
  const opened = new Promise<void>((resolve, reject) => {
    socket.once(event, () => resolve());
    socket.once('error', reject);
  });
  opened.catch(() => {});
  return opened;
}

function wrap(socket: net.Socket, opened: Promise<void>, startTls?: (detach: () => void) => SmtpSocket): SmtpSocket {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let done = false;
  const finish = (error?: Error) => {
    if (done) return;
    done = true;
    if (error) controller.error(error);
    else controller.close();
  };
  const onData = (chunk: Buffer) => controller.enqueue(new Uint8Array(chunk));
  const onEnd = () => finish();
  const onError = (error: Error) => finish(error);
  const readable = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
      socket.on('data', onData);
      socket.on('end', onEnd);
      socket.on('close', onEnd);
      socket.on('error', onError);
    },
    cancel: () => void socket.destroy(),
  });
  const writable = new WritableStream<Uint8Array>({
    write: (chunk) => new Promise((resolve, reject) => socket.write(chunk, (error) => (error ? reject(error) : resolve()))),
    close: () => void socket.end(),
  });
  const detach = () => {
    socket.off('data', onData);
    socket.off('end', onEnd);
    socket.off('close', onEnd);
    socket.off('error', onError);
  };
  return {
    readable,
    writable,
    opened,
    close: async () => void socket.destroy(),
    startTls() {
      if (!startTls) throw new Error('startTls() needs a socket opened with secureTransport "starttls"');
      return startTls(detach);
    },
  };
}
