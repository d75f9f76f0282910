// Every error the API can answer with, each with a stable code and status. docs/api.md lists the
// same codes; a test keeps the two in step. Handlers throw ApiError; the error handler renders
// DESIGN's body: {"error": {"code", "message", "details"}}.
import type { Issue } from '@vigil/protocol';

export const ERRORS = {
  VALIDATION_FAILED: { status: 400, message: 'the request body is not valid' },
  INVALID_JSON: { status: 400, message: 'the request body is not valid JSON' },
  INVALID_UTF8: { status: 400, message: 'the request body is not valid UTF-8' },
  EMPTY_BODY: { status: 400, message: 'the request body is empty' },
  INVALID_ENCODING: { status: 400, message: 'the request body could not be decoded' },
  INVALID_PARAMETER: { status: 400, message: 'a query parameter is not valid' },
  UNAUTHORIZED: { status: 401, message: 'an API key is required (Authorization: Bearer <key>)' },
  FORBIDDEN: { status: 403, message: 'the API key lacks the scope this endpoint needs' },
  NOT_FOUND: { status: 404, message: 'not found' },
  BODY_TOO_LARGE: { status: 413, message: 'the request body is over the size limit' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'the content type is not supported' },
  UNSUPPORTED_ENCODING: { status: 415, message: 'the content encoding is not supported' },
  OVERLOADED: { status: 429, message: 'the server is busy; retry after the given delay' },
  INTERNAL: { status: 500, message: 'internal error' },
  UNAVAILABLE: { status: 503, message: 'the database is unavailable; retry after the given delay' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERRORS;

export interface ErrorBody {
  error: { code: ErrorCode; message: string; details: Issue[] };
}

export class ApiError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message?: string,
    readonly details: Issue[] = [],
    readonly retryAfterSeconds?: number,
  ) {
    super(message ?? ERRORS[code].message);
    this.name = 'ApiError';
    this.status = ERRORS[code].status;
  }
}

/** A validation failure: the message names the first offending field, details list them all. */
export function validationError(issues: Issue[]): ApiError {
  const first = issues[0];
  const message = first ? `${first.path || '(body)'}: ${first.message}` : ERRORS.VALIDATION_FAILED.message;
  return new ApiError('VALIDATION_FAILED', issues.length > 1 ? `${message} (and ${issues.length - 1} more)` : message, issues);
}

export function renderError(e: ApiError): ErrorBody {
  return { error: { code: e.code, message: e.message, details: e.details } };
}
