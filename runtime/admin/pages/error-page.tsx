/** @jsxImportSource hono/jsx */
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { AdminEnv } from '../admin-env.ts';
import { AppError } from '../../errors.ts';
import { Document } from '../layout.tsx';
import { renderPage } from '../render.tsx';

/** Console errors are pages, not the API's JSON; an unexpected one is logged with its request id. */
export function renderError(error: Error, c: Context<AdminEnv>) {
  const known = error instanceof AppError;
  if (!known) c.var.services.logger.error('unhandled console error', { requestId: c.var.requestId, path: new URL(c.req.url).pathname, error });
  const status = known ? error.status : 500;
  const message = known ? error.message : `Something went wrong on our side; it has been logged (request ${c.var.requestId}).`;
  return errorPage(c, status, status === 404 ? 'Not found' : status === 403 ? 'Not allowed' : 'Something went wrong', message);
}

export function errorPage(c: Context<AdminEnv>, status: number, title: string, message: string) {
  const body = (
    <div class="card">
      <p>{message}</p>
      <p>
        <a href="/admin">Back to the console</a>
      </p>
    </div>
  );
  // Signed in: keep the navigation. Otherwise (a refused sign-in post) a bare page.
  if (c.var.session && c.var.tenant) return renderPage(c, { title, section: null }, body, status);
  return c.html(
    <Document title={title} nonce={c.var.nonce ?? ''}>
      <main id="main" class="signin">
        <h1>{title}</h1>
        {body}
      </main>
    </Document>,
    status as ContentfulStatusCode,
  );
}
