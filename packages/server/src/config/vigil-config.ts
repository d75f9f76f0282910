// The server's configuration file (vigil.yaml): its shape, its defaults, and validation that
// names file, line and field. Each section is parsed by its own function; an unknown section
// or field stops startup, so Vigil never runs half-configured.
import { ConfigError } from './config-error.js';
import { readYamlSource, type YamlSource } from './yaml-source.js';

/** Default request body limit: 5 MiB, after decompression. */
export const DEFAULT_BODY_LIMIT_BYTES = 5 * 1024 * 1024;

export interface VigilConfig {
  limits: {
    /** Largest accepted request body after decompression, in bytes. */
    bodyLimitBytes: number;
  };
  metrics: {
    /** When true, GET /metrics needs no key (for scrapers on a trusted network). */
    public: boolean;
  };
  /** Raw sections owned by other modules, validated by their own parsers at assembly. */
  sections: Record<string, unknown>;
  /** Where a field came from, for error messages raised after load. */
  source: YamlSource | null;
}

export function defaultConfig(): VigilConfig {
  return {
    limits: { bodyLimitBytes: DEFAULT_BODY_LIMIT_BYTES },
    metrics: { public: false },
    sections: {},
    source: null,
  };
}

/** Sections other modules parse (alerting, notifications, pricing, retention, otlp, database, dashboard). */
export const DELEGATED_SECTIONS = ['alerting', 'notifications', 'pricing', 'retention', 'otlp', 'database', 'dashboard'] as const;

const SIZE = /^(\d+(?:\.\d+)?)\s*(B|KB|KiB|MB|MiB|GB|GiB)?$/i;
const SIZE_UNITS: Record<string, number> = { b: 1, kb: 1e3, kib: 1024, mb: 1e6, mib: 1024 ** 2, gb: 1e9, gib: 1024 ** 3 };

export function parseSize(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) && value > 0 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const m = SIZE.exec(value.trim());
  if (!m) return undefined;
  const bytes = Math.floor(Number(m[1]) * SIZE_UNITS[(m[2] ?? 'b').toLowerCase()]!);
  return bytes > 0 ? bytes : undefined;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Throws a ConfigError for the first key of `obj` that is not in `known`. */
export function rejectUnknownKeys(src: YamlSource, path: string[], obj: Record<string, unknown>, known: readonly string[]): void {
  for (const key of Object.keys(obj)) {
    if (!known.includes(key)) {
      throw new ConfigError(src.file, [...path, key].join('.'), `is not a known field (known: ${known.join(', ')})`, src.lineOf([...path, key]));
    }
  }
}

export function parseConfig(src: YamlSource): VigilConfig {
  const config = defaultConfig();
  config.source = src;
  if (src.value === null || src.value === undefined) return config;
  if (!isPlainObject(src.value)) throw new ConfigError(src.file, '(root)', 'must be a mapping of sections', 1);
  const root = src.value;
  rejectUnknownKeys(src, [], root, ['limits', 'metrics', ...DELEGATED_SECTIONS]);

  if (root.limits !== undefined) {
    if (!isPlainObject(root.limits)) throw new ConfigError(src.file, 'limits', 'must be a mapping', src.lineOf(['limits']));
    rejectUnknownKeys(src, ['limits'], root.limits, ['body_limit']);
    if (root.limits.body_limit !== undefined) {
      const bytes = parseSize(root.limits.body_limit);
      if (bytes === undefined) {
        throw new ConfigError(src.file, 'limits.body_limit', 'must be a size such as 5MiB or a number of bytes', src.lineOf(['limits', 'body_limit']));
      }
      config.limits.bodyLimitBytes = bytes;
    }
  }
  if (root.metrics !== undefined) {
    if (!isPlainObject(root.metrics)) throw new ConfigError(src.file, 'metrics', 'must be a mapping', src.lineOf(['metrics']));
    rejectUnknownKeys(src, ['metrics'], root.metrics, ['public']);
    if (root.metrics.public !== undefined) {
      if (typeof root.metrics.public !== 'boolean') throw new ConfigError(src.file, 'metrics.public', 'must be true or false', src.lineOf(['metrics', 'public']));
      config.metrics.public = root.metrics.public;
    }
  }
  for (const section of DELEGATED_SECTIONS) {
    if (root[section] !== undefined) config.sections[section] = root[section];
  }
  return config;
}

export function loadConfigFile(file: string): VigilConfig {
  return parseConfig(readYamlSource(file));
}
