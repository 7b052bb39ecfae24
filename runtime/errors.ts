// The one error shape of the API: { error: { code, message, details } }.
// Every failure a client can cause is an AppError; its code decides the HTTP
// status here and nowhere else.

export const ERROR_STATUS = {
  bad_request: 400,
  invalid_json: 400,
  invalid_token: 400,
  token_expired: 400,
  token_used: 400,
  unauthorized: 401,
  invalid_signature: 401,
  invalid_credentials: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  idempotency_key_reused: 409,
  payload_too_large: 413,
  validation_failed: 422,
  invalid_rules: 422,
  no_active_rules: 422,
  evaluation_failed: 422,
  smtp_refused: 422,
  rate_limited: 429,
  internal: 500,
  smtp_unreachable: 502,
  unavailable: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

/** A field-level problem: `pointer` is an RFC 6901 JSON pointer into the request body. */
export type ErrorDetail = { pointer: string; message: string };

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: ErrorDetail[] | Record<string, unknown> = [],
  ) {
    super(message);
    this.name = 'AppError';
  }

  get status(): (typeof ERROR_STATUS)[ErrorCode] {
    return ERROR_STATUS[this.code];
  }

  toBody() {
    return { error: { code: this.code, message: this.message, details: this.details } };
  }
}

export const notFound = (what: string) => new AppError('not_found', `${what} not found`);
