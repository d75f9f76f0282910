// POST /v1/traces (OTLP/HTTP). A plugin for the ingest scope, which already requires an ingest
// key. It has its own content-type parsers and error handler: OTLP clients expect OTLP bodies
// (ExportTraceServiceResponse, google.rpc.Status) in the request's encoding, never Vigil's JSON
// error shape. Gzip is decoded by the root's preParsing hook; the body limit counts decoded bytes.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { assertUtf8Charset, parseJsonBody } from '../../web/body-parsing.js';
import { toApiError } from '../../web/error-handler.js';
import { ApiError } from '../../web/errors.js';
import { decodeJson, decodeProtobuf } from './otlp-decode.js';
import { CONTENT_TYPE, encodingOf, exportResponse, statusBody, type OtlpEncoding, type StatusInput } from './otlp-response.js';
import { OtlpDecodeError } from './otlp-span.js';
import type { TraceAssembler } from './trace-assembler.js';

export interface OtlpRoutesDeps {
  assembler: TraceAssembler;
  /** Largest body after decompression, in bytes. */
  bodyLimitBytes: number;
}

// Bytes, not strings, so Fastify sends the content type exactly as OTLP names it (no charset).
const asBuffer = (body: Uint8Array | string): Buffer =>
  typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body.buffer, body.byteOffset, body.byteLength);

function send(reply: FastifyReply, encoding: OtlpEncoding, status: number, body: Uint8Array | string): FastifyReply {
  return reply.status(status).header('content-type', CONTENT_TYPE[encoding]).send(asBuffer(body));
}

function statusOf(error: unknown): StatusInput {
  if (error instanceof OtlpDecodeError) {
    return { httpStatus: 400, reason: error.code, message: error.message, violations: error.violations };
  }
  const api = toApiError(error);
  return {
    httpStatus: api.status,
    reason: api.code,
    message: api.message,
    violations: api.details.map((d) => ({ field: d.path, description: d.message })),
    ...(api.retryAfterSeconds !== undefined ? { retryAfterSeconds: api.retryAfterSeconds } : {}),
  };
}

export function otlpRoutes(deps: OtlpRoutesDeps) {
  return async (app: FastifyInstance): Promise<void> => {
    // This scope takes only OTLP's two encodings; other content types get Fastify's 415.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser(CONTENT_TYPE.protobuf, { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    app.addContentTypeParser(CONTENT_TYPE.json, { parseAs: 'buffer' }, (request, body, done) => {
      try {
        assertUtf8Charset(request.headers['content-type']);
        done(null, parseJsonBody(body as Buffer));
      } catch (e) {
        done(e as Error, undefined);
      }
    });

    app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
      const status = statusOf(error);
      if (status.httpStatus >= 500) request.log.error({ err: error }, 'OTLP request failed');
      else request.log.info({ code: status.reason, message: status.message }, 'OTLP request rejected');
      if (status.retryAfterSeconds !== undefined) void reply.header('retry-after', String(status.retryAfterSeconds));
      // A 5xx never shows its internals; the Status names only the kind of failure.
      if (status.httpStatus >= 500 && status.httpStatus !== 503) status.message = 'internal error';
      void send(reply, encodingOf(request.headers['content-type']), status.httpStatus, statusBody(encodingOf(request.headers['content-type']), status));
    });

    app.post('/v1/traces', { bodyLimit: deps.bodyLimitBytes }, async (request, reply) => {
      const encoding = encodingOf(request.headers['content-type']);
      // OTLP requires a content type; a bodyless POST without one never reaches a parser.
      if (request.headers['content-type'] === undefined) throw new ApiError('UNSUPPORTED_MEDIA_TYPE', 'OTLP needs Content-Type application/x-protobuf or application/json');
      const decoded = Buffer.isBuffer(request.body) ? decodeProtobuf(request.body) : decodeJson(request.body);
      const outcome = await deps.assembler.ingest(request.principal!.projectId, decoded);
      return send(reply, encoding, 200, exportResponse(encoding, outcome.rejectedSpans, outcome.errorMessage));
    });
  };
}
