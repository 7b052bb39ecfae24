import type { AppEnv } from '../context.ts';
import type { Flash } from './flash.ts';

/** What the console knows about the signed-in browser; lives sealed in the session cookie. `sid` names its admin_sessions record. */
export type AdminSession = { sid: string; apiKey: string; tenantId: string; csrf: string; expiresAt: number };

export type ApiError = { code: string; message: string; details: unknown };
export type ApiAnswer<T = any> = { status: number; ok: boolean; body: T; error: ApiError | null };
/** `extra` headers: an Idempotency-Key, where a confirmed action must not happen twice. */
export type Api = <T = any>(method: string, path: string, body?: unknown, extra?: Record<string, string>) => Promise<ApiAnswer<T>>;

/** The app's environment plus what every signed-in console request carries. */
export type AdminEnv = {
  Variables: AppEnv['Variables'] & {
    session: AdminSession;
    api: Api;
    nonce: string;
    flash: Flash | null;
  };
};
