/** @jsxImportSource hono/jsx */
import type { Context } from 'hono';
import type { Child } from 'hono/jsx';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { AdminEnv } from './admin-env.ts';
import { Layout, type LayoutProps } from './layout.tsx';
import { readForm } from '../http.ts';

export type PageProps = Omit<LayoutProps, 'tenantName' | 'csrf' | 'nonce' | 'flash' | 'children'>;

/** A console page in the layout; `status` lets a failed form post answer 422 with the form filled in. */
export function renderPage(c: Context<AdminEnv>, page: PageProps, body: Child, status: number = 200) {
  return c.html(
    <Layout {...page} tenantName={c.var.tenant.name} csrf={c.var.session.csrf} nonce={c.var.nonce} flash={c.var.flash}>
      {body}
    </Layout>,
    status as ContentfulStatusCode,
  );
}

/** Reads a url-encoded form; fields that are files or repeated are not used by any console form. */
export async function formOf(c: Context<AdminEnv>): Promise<Record<string, string>> {
  const body = await readForm(c);
  const out: Record<string, string> = {};
  // Browsers submit a textarea's line breaks as CRLF; one form keeps line and column numbers simple.
  for (const [k, v] of Object.entries(body)) out[k] = v.replace(/\r\n?/g, '\n');
  return out;
}
