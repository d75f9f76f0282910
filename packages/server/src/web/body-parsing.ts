// Request bodies: gzip decoding (the size limit applies to the decoded bytes), strict UTF-8,
// JSON with errors that say where. Other content types are refused with 415 by Fastify.
import { createGunzip } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { ApiError } from './errors.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes gzip bodies before any parser sees them; registered on the root so every route shares it. */
export function registerContentDecoding(app: FastifyInstance): void {
  app.addHook('preParsing', async (request, _reply, payload) => {
    const encoding = request.headers['content-encoding']?.trim().toLowerCase();
    if (!encoding || encoding === 'identity') return payload;
    if (encoding !== 'gzip' && encoding !== 'x-gzip') {
      throw new ApiError('UNSUPPORTED_ENCODING', `content encoding '${encoding}' is not supported; use gzip or none`);
    }
    const gunzip = createGunzip();
    // Fastify compares Content-Length with the bytes it reads; tell it how many arrived encoded.
    const decoded = gunzip as typeof gunzip & { receivedEncodedLength: number };
    decoded.receivedEncodedLength = 0;
    payload.on('data', (chunk: Buffer) => { decoded.receivedEncodedLength += chunk.length; });
    payload.on('error', (err) => gunzip.destroy(err));
    payload.pipe(gunzip);
    // A corrupt gzip stream errors with a Z_* code; the error handler maps it to INVALID_ENCODING.
    return gunzip;
  });
}

/** Parses a JSON body held as bytes: empty, invalid UTF-8 and syntax errors each get their own code. */
export function parseJsonBody(body: Buffer): unknown {
  if (body.length === 0) throw new ApiError('EMPTY_BODY');
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    throw new ApiError('INVALID_UTF8');
  }
  if (text.trim() === '') throw new ApiError('EMPTY_BODY');
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new ApiError('INVALID_JSON', `the request body is not valid JSON: ${(e as Error).message}`);
  }
}

/**
 * JSON is UTF-8 (RFC 8259): a body declared in another charset would be read as the wrong text,
 * so it is refused (415) rather than guessed at.
 */
export function assertUtf8Charset(contentType: string | undefined): void {
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType ?? '')?.[1]?.toLowerCase();
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
    throw new ApiError('UNSUPPORTED_MEDIA_TYPE', `charset '${charset}' is not supported; send UTF-8`);
  }
}

export function registerJsonParser(app: FastifyInstance): void {
  app.removeContentTypeParser(['application/json']);
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    try {
      assertUtf8Charset(request.headers['content-type']);
      done(null, parseJsonBody(body as Buffer));
    } catch (e) {
      done(e as Error, undefined);
    }
  });
}
