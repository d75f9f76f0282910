// The `otlp:` section of vigil.yaml (config/vigil-config.ts delegates it here): how long a trace
// stays open for late spans, how long to wait for a trace's root, and the body limit for
// POST /v1/traces. Errors name file, line and field.
import { ConfigError } from '../../config/config-error.js';
import { parseDuration } from '@vigil/protocol';
import { isPlainObject, parseSize, rejectUnknownKeys } from '../../config/vigil-config.js';
import type { YamlSource } from '../../config/yaml-source.js';

export interface OtlpConfig {
  /**
   * How long after a trace's last span it is assembled when its root span has not come (the root
   * is remote, was lost, or is still running), in ms. Default 30 s: exporters send every 5 s, and a
   * run assembled early is corrected (its runs rewritten) when the rest arrives.
   */
  assembleAfterMs: number;
  /**
   * How long after a trace's last span later spans still update its run, in ms; spans after that
   * are refused (partial success). Default 5 min.
   */
  lateSpanWindowMs: number;
  /** Largest POST /v1/traces body after decompression, in bytes; null = the server's limits.body_limit. */
  bodyLimitBytes: number | null;
}

export const defaultOtlpConfig = (): OtlpConfig => ({ assembleAfterMs: 30_000, lateSpanWindowMs: 300_000, bodyLimitBytes: null });

const KNOWN = ['assemble_after', 'late_span_window', 'body_limit'] as const;

export function parseOtlpSection(raw: unknown, src: YamlSource | null): OtlpConfig {
  const config = defaultOtlpConfig();
  if (raw === undefined || raw === null) return config;
  const file = src?.file ?? 'vigil.yaml';
  const line = (path: string[]) => src?.lineOf(['otlp', ...path]);
  if (!isPlainObject(raw)) throw new ConfigError(file, 'otlp', 'must be a mapping', line([]));
  if (src) rejectUnknownKeys(src, ['otlp'], raw, KNOWN);
  else {
    const unknown = Object.keys(raw).find((k) => !(KNOWN as readonly string[]).includes(k));
    if (unknown) throw new ConfigError(file, `otlp.${unknown}`, `is not a known field (known: ${KNOWN.join(', ')})`);
  }
  const duration = (key: 'assemble_after' | 'late_span_window', min: number): number | undefined => {
    const v = raw[key];
    if (v === undefined) return undefined;
    const ms = typeof v === 'string' ? parseDuration(v) : undefined;
    if (ms === undefined || ms < min) {
      throw new ConfigError(file, `otlp.${key}`, `must be a duration such as 10s or 5m, at least ${min / 1000}s`, line([key]));
    }
    return ms;
  };
  config.assembleAfterMs = duration('assemble_after', 1_000) ?? config.assembleAfterMs;
  config.lateSpanWindowMs = duration('late_span_window', 1_000) ?? config.lateSpanWindowMs;
  if (config.lateSpanWindowMs < config.assembleAfterMs) {
    throw new ConfigError(file, 'otlp.late_span_window', 'must not be shorter than otlp.assemble_after', line(['late_span_window']));
  }
  if (raw.body_limit !== undefined) {
    const bytes = parseSize(raw.body_limit);
    if (bytes === undefined) throw new ConfigError(file, 'otlp.body_limit', 'must be a size such as 20MiB or a number of bytes', line(['body_limit']));
    config.bodyLimitBytes = bytes;
  }
  return config;
}
