import type { Harness } from './app-harness.ts';

/** Signs in to the console the way a browser does: the form's token and cookie, posted back; then a page's CSRF token. */
export async function consoleSession(h: Harness, apiKey: string) {
  const cookieOf = (res: Response, name: string) => res.headers.getSetCookie().find((c) => c.startsWith(`${name}=`))!.split(';')[0];
  const csrfOf = async (res: Response) => /name="_csrf" value="([^"]+)"/.exec(await res.text())![1];
  const page = await h.app.request('/admin/sign-in');
  const pre = cookieOf(page, 'ar_admin_pre');
  const res = await h.app.request('/admin/sign-in', { method: 'POST', headers: { cookie: pre, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ _csrf: await csrfOf(page), apiKey }) });
  const cookie = cookieOf(res, 'ar_admin');
  return { cookie, csrf: await csrfOf(await h.app.request('/admin/settings/notifications', { headers: { cookie } })) };
}
