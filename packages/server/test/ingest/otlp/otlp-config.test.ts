// The `otlp:` section of vigil.yaml: defaults, units, and errors that name file, line and field.
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/config/config-error.js';
import { parseConfig } from '../../../src/config/vigil-config.js';
import { readYamlSource } from '../../../src/config/yaml-source.js';
import { parseOtlpSection } from '../../../src/ingest/otlp/otlp-config.js';
import { createVigilServer } from '../../../src/app/server.js';

const section = (yaml: string) => {
  const src = readYamlSource('vigil.yaml', yaml);
  return parseOtlpSection(parseConfig(src).sections.otlp, src);
};

describe('otlp config', () => {
  it('defaults to assembling after 30s, a 5m late-span window and the server body limit', () => {
    expect(section('')).toEqual({ assembleAfterMs: 30_000, lateSpanWindowMs: 300_000, bodyLimitBytes: null });
  });

  it('reads durations and sizes', () => {
    expect(section('otlp:\n  assemble_after: 5s\n  late_span_window: 1h\n  body_limit: 20MiB\n')).toEqual({
      assembleAfterMs: 5_000, lateSpanWindowMs: 3_600_000, bodyLimitBytes: 20 * 1024 * 1024,
    });
  });

  it.each([
    ['otlp:\n  assemble_after: soon\n', 'otlp.assemble_after', 2],
    ['otlp:\n  assemble_after: 1m\n  late_span_window: 30s\n', 'otlp.late_span_window', 3],
    ['otlp:\n  body_limit: big\n', 'otlp.body_limit', 2],
    ['otlp:\n  window: 5m\n', 'otlp.window', 2],
  ])('names the field and line of a bad value (%j)', (yaml, field, line) => {
    const error = (() => {
      try {
        section(yaml);
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({ field, line });
  });

  it('applies otlp.body_limit to POST /v1/traces after decompression', async () => {
    const config = parseConfig(readYamlSource('vigil.yaml', 'otlp:\n  body_limit: 1KiB\n'));
    const vigil = await createVigilServer({ apiKeys: ['k'], config });
    try {
      const res = await vigil.app.inject({
        method: 'POST', url: '/v1/traces', payload: gzipSync(Buffer.alloc(2048)),
        headers: { authorization: 'Bearer k', 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' },
      });
      expect(res.statusCode).toBe(413);
    } finally {
      await vigil.close();
    }
  });
});
