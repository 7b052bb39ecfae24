import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import tls from 'node:tls';
import type { WebhookHttpClient } from '../../plugins/webhooks/http-client.ts';

/**
 * The webhook client of Node (and Deno through node:https): it connects to
 * the address the destination check vetted, never to the name again, so a
 * DNS answer that changes between check and connect (rebinding) cannot
 * redirect it; TLS still checks the certificate against the URL's host (SNI
 * and name). No redirects are followed (node:http never does), the whole
 * exchange is bounded by AbortSignal.timeout, and at most `maxResponseBytes`
 * of the answer are read before the socket is dropped.
 */
export function createNodeWebhookClient(o: { ca?: string[] } = {}): WebhookHttpClient {
  return {
    post(r) {
      return new Promise((resolve, reject) => {
        const secure = r.url.protocol === 'https:';
        const signal = AbortSignal.timeout(r.timeoutMs);
        // node:http reports an abort as AbortError; say it was the timeout, as fetch does.
        const fail = (error: Error) => reject(signal.aborted ? signal.reason : error);
        const host = r.url.hostname.replace(/^\[|\]$/g, '');
        const options: https.RequestOptions = {
          method: 'POST',
          host: r.address,
          port: r.url.port ? Number(r.url.port) : secure ? 443 : 80,
          path: `${r.url.pathname}${r.url.search}`,
          headers: { ...r.headers, host: r.url.host, 'content-length': String(Buffer.byteLength(r.body)) },
          signal,
          agent: false,
        };
        // The certificate is checked against the URL's host name (SNI too); an
        // IP-literal URL is checked against that IP, which is `host` here.
        if (secure && !isIP(host)) options.servername = host;
        // Extra CAs add to the system roots, as NODE_EXTRA_CA_CERTS does.
        if (secure && o.ca?.length) options.ca = [...tls.rootCertificates, ...o.ca];
        const req = (secure ? https : http).request(options, (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          const done = () => {
            res.destroy();
            resolve({ status: res.statusCode ?? 0, excerpt: Buffer.concat(chunks).toString('utf8') });
          };
          res.on('data', (chunk: Buffer) => {
            const room = r.maxResponseBytes - size;
            chunks.push(chunk.subarray(0, Math.max(0, room)));
            size += Math.min(chunk.length, Math.max(0, room));
            if (size >= r.maxResponseBytes) done();
          });
          res.on('end', done);
          res.on('error', (error) => (size > 0 ? done() : fail(error)));
        });
        req.on('error', fail);
        req.end(r.body);
      });
    },
  };
}
