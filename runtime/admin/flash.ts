import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { fromBase64Url, toBase64Url, utf8 } from '../security/encoding.ts';
import { isHttps } from './request-info.ts';

/**
 * The one-line outcome of a form post, carried across its redirect in a
 * cookie that lives a minute and is read once. `at` names the section of
 * the page the message belongs to (shown there rather than at the top).
 */
export type Flash = { kind: 'success' | 'error'; text: string; at?: string };

const COOKIE = 'ar_flash';

export function redirectWithFlash(c: Context, location: string, flash: Flash) {
  const value = toBase64Url(utf8.encode(JSON.stringify(flash)));
  setCookie(c, COOKIE, value, { path: '/admin', httpOnly: true, sameSite: 'Strict', secure: isHttps(c), maxAge: 60 });
  return c.redirect(location, 303);
}

export function takeFlash(c: Context): Flash | null {
  const value = getCookie(c, COOKIE);
  if (!value) return null;
  deleteCookie(c, COOKIE, { path: '/admin', secure: isHttps(c) });
  try {
    const flash = JSON.parse(new TextDecoder().decode(fromBase64Url(value))) as Flash;
    if ((flash.kind === 'success' || flash.kind === 'error') && typeof flash.text === 'string') return flash;
  } catch {
    // A mangled cookie is just no message.
  }
  return null;
}
