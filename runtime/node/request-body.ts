import type { IncomingMessage } from 'node:http';
import type { Context } from 'hono';

// The body as text, straight from Node's IncomingMessage (c.env.incoming under
// @hono/node-server): no WHATWG Request, no web stream per request. Decoded as
// Request.text() decodes (UTF-8, a leading BOM dropped, bad bytes replaced).
const decoder = new TextDecoder('utf-8');

export function nodeRequestBody(c: Context, maxBytes: number, tooLarge: () => Error): Promise<string> | null {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  // Only a body nobody has started on: otherwise the adapter's Request reads it.
  if (!incoming || incoming.readableDidRead || incoming.readableEnded) return null;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      // The parser stops at Content-Length, which the caller checked: a guard, not the bound.
      if (size > maxBytes) {
        done();
        incoming.resume();
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      done();
      resolve(decoder.decode(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size)));
    };
    const onError = (error: Error) => {
      done();
      reject(error);
    };
    const onClose = () => {
      done();
      reject(new Error('the request was aborted before its body arrived'));
    };
    const done = () => {
      incoming.off('data', onData);
      incoming.off('end', onEnd);
      incoming.off('error', onError);
      incoming.off('close', onClose);
    };
    incoming.on('data', onData);
    incoming.on('end', onEnd);
    incoming.on('error', onError);
    incoming.on('close', onClose);
  });
}
