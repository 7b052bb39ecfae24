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
  method_not_allowed: 405,
  conflict: 409,
  idempotency_key_reused: 409,
  not_in_review: 409,
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

/**
 * `details` is always a list of field problems; context a client may act on
 * (`reason`, `retryAfterSeconds`, …) goes in `extra`, which sits beside code
 * and message in the body. An object passed as `details` is read as `extra`,
 * so the shape stays one whatever a caller passes.
 */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: ErrorDetail[];
  readonly extra: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, details: ErrorDetail[] | Record<string, unknown> = [], extra: Record<string, unknown> = {}) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    if (Array.isArray(details)) {
      this.details = details;
      this.extra = extra;
    } else {
      this.details = [];
      this.extra = { ...details, ...extra };
    }
  }

  get status(): (typeof ERROR_STATUS)[ErrorCode] {
    return ERROR_STATUS[this.code];
  }

  toBody() {
    // Extra fields never override the three every error has.
    return { error: { ...this.extra, code: this.code, message: this.message, details: this.details } };
  }
}

export const notFound = (what: string) => new AppError('not_found', `${what} not found`);

/** The answer to a request without a valid API key, wherever the key is checked. */
export const apiKeyRequired = () => new AppError('unauthorized', 'a valid API key is required (Authorization: Bearer <apiKey>)');
