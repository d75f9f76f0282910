// One place that turns any thrown error into DESIGN's error body. 4xx are logged at info,
// 5xx at error with the request id; a 5xx never shows its stack or message to the client.
import type { FastifyError, FastifyInstance } from 'fastify';
import { ApiError, renderError, type ErrorCode } from './errors.js';

const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'BODY_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'INVALID_ENCODING',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'EMPTY_BODY',
  FST_ERR_CTP_INVALID_JSON_BODY: 'INVALID_JSON',
  FST_ERR_BAD_URL: 'INVALID_PARAMETER',
};

/**
 * An error from a lower layer (the store's full write queue, an unreachable database) that asks
 * the client to come back: it names its code from errors.ts and a delay. Recognised by shape, so
 * web/ does not import the layers that raise it.
 */
export interface RetryLaterError extends Error {
  code: 'OVERLOADED' | 'UNAVAILABLE';
  retryAfterSeconds: number;
}

function isRetryLater(error: unknown): error is RetryLaterError {
  const e = error as Partial<RetryLaterError> | null;
  return error instanceof Error && (e?.code === 'OVERLOADED' || e?.code === 'UNAVAILABLE') && typeof e.retryAfterSeconds === 'number';
}

export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (isRetryLater(error)) return new ApiError(error.code, undefined, [], error.retryAfterSeconds);
  const e = error as Partial<FastifyError> & { code?: string };
  if (e.code && FASTIFY_CODES[e.code]) return new ApiError(FASTIFY_CODES[e.code]!);
  if (e.code?.startsWith('Z_')) return new ApiError('INVALID_ENCODING', 'the gzip body is corrupt or truncated');
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    if (e.statusCode === 413) return new ApiError('BODY_TOO_LARGE');
    if (e.statusCode === 415) return new ApiError('UNSUPPORTED_MEDIA_TYPE');
    if (e.statusCode === 404) return new ApiError('NOT_FOUND');
    return new ApiError('INVALID_PARAMETER', e.message ?? undefined);
  }
  return new ApiError('INTERNAL');
}

export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => {
    const api = toApiError(error);
    if (api.status >= 500) request.log.error({ err: error }, 'request failed');
    else request.log.info({ code: api.code, message: api.message }, 'request rejected');
    if (api.retryAfterSeconds !== undefined) void reply.header('retry-after', String(api.retryAfterSeconds));
    void reply.status(api.status).send(renderError(api));
  });
  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).send(renderError(new ApiError('NOT_FOUND', `no route for ${request.method} ${request.url.split('?')[0]}`)));
  });
}
