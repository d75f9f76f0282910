// Resolves the SDK's configuration: configure() options, else the loaded agent YAML's
// `monitoring:` block, else VIGIL_* environment variables, else defaults — merged in one function
// into a complete, frozen config. It reads the environment only when called (at configure() or
// first use), never at import, and it never throws: a bad value is logged once and ignored.
import { parseLogLevel, type LogLevel, type Logger, type LogSink } from './logger.js';

/** What a redaction hook is given: which kind of content, and the tool it belongs to. */
export interface RedactContext {
  kind: 'tool_arguments';
  agentName: string;
  toolName: string;
}

/** Options for configure(). Every field is optional; see ResolvedConfig for defaults. */
export interface VigilOptions {
  /** Vigil server base URL (env VIGIL_ENDPOINT; default http://127.0.0.1:4318). */
  endpoint?: string;
  /** Ingest API key sent as a Bearer token (env VIGIL_API_KEY). */
  apiKey?: string;
  /** False makes every SDK entry point a pass-through no-op (env VIGIL_ENABLED; YAML monitoring.enabled; default true). */
  enabled?: boolean;
  /** False records runs but sends nothing to the server (env VIGIL_EXPORT_METRICS; YAML monitoring.export_metrics; default true). */
  exportMetrics?: boolean;
  /** The SDK's own log level (env VIGIL_LOG_LEVEL; YAML monitoring.log_level; default warn). */
  logLevel?: LogLevel | string;
  /** Fraction of runs, 0..1, whose detail (steps, tool timings, transitions) is kept; every run's summary is always sent (env VIGIL_TRACE_SAMPLING_RATE; YAML monitoring.trace_sampling_rate; default 1). */
  traceSamplingRate?: number;
  /** Deployment environment stamped on every run (env VIGIL_ENVIRONMENT). */
  environment?: string;
  /** Release or version stamped on every run (env VIGIL_RELEASE). */
  release?: string;
  /** Send tool arguments (after `redact`). Prompts and completions are never sent. Default false (env VIGIL_CAPTURE_CONTENT). */
  captureContent?: boolean;
  /** Rewrites captured content before it leaves the process; return undefined to drop it. */
  redact?: (content: string, context: RedactContext) => string | undefined;
  /** Most runs waiting for export; beyond it the oldest are dropped and counted. The one batch being sent (at most maxBatchSize) is held besides. Default 10,000 (env VIGIL_MAX_QUEUE_SIZE). */
  maxQueueSize?: number;
  /** Most runs per POST /v1/runs. Default 500, clamped to maxQueueSize. */
  maxBatchSize?: number;
  /** Most uncompressed JSON bytes per POST. Default 1,000,000. */
  maxBatchBytes?: number;
  /** Longest a run waits in the queue before a batch is sent, in ms. Default 1,000 (env VIGIL_SCHEDULED_DELAY_MS). */
  scheduledDelayMs?: number;
  /** Deadline for one batch, all retries included, in ms. Default 30,000 (env VIGIL_EXPORT_TIMEOUT_MS). */
  exportTimeoutMs?: number;
  /** Timeout of one HTTP request, in ms. Default 10,000. */
  requestTimeoutMs?: number;
  /** Cap on the delay between retries, in ms. Default 30,000. */
  maxBackoffMs?: number;
  /** Flush queued runs when the process is about to exit (beforeExit). Default true. */
  flushOnExit?: boolean;
  /** Where the SDK's own log lines go. Default: the console, prefixed `[vigil]`. */
  logger?: LogSink;
}

export interface ResolvedConfig {
  readonly endpoint: string;
  readonly apiKey: string | undefined;
  readonly enabled: boolean;
  readonly exportMetrics: boolean;
  readonly logLevel: LogLevel;
  readonly traceSamplingRate: number;
  readonly environment: string | undefined;
  readonly release: string | undefined;
  readonly captureContent: boolean;
  readonly redact: VigilOptions['redact'];
  readonly maxQueueSize: number;
  readonly maxBatchSize: number;
  readonly maxBatchBytes: number;
  readonly scheduledDelayMs: number;
  readonly exportTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly maxBackoffMs: number;
  readonly flushOnExit: boolean;
  readonly logger: LogSink | undefined;
}

/** Built by a function so nothing is evaluated at import. */
function defaults(): ResolvedConfig {
  return {
    endpoint: 'http://127.0.0.1:4318',
    apiKey: undefined,
    enabled: true,
    exportMetrics: true,
    logLevel: 'warn',
    traceSamplingRate: 1,
    environment: undefined,
    release: undefined,
    captureContent: false,
    redact: undefined,
    maxQueueSize: 10_000,
    maxBatchSize: 500,
    maxBatchBytes: 1_000_000,
    scheduledDelayMs: 1_000,
    exportTimeoutMs: 30_000,
    requestTimeoutMs: 10_000,
    maxBackoffMs: 30_000,
    flushOnExit: true,
    logger: undefined,
  };
}

type Layer = { [K in keyof ResolvedConfig]?: ResolvedConfig[K] };

type Parser = (raw: string) => unknown;
const bool: Parser = (raw) => {
  const v = raw.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  return undefined;
};
const str: Parser = (raw) => (raw.trim() === '' ? undefined : raw.trim());
const num: Parser = (raw) => (raw.trim() === '' ? undefined : Number(raw));

const ENV: Array<[keyof ResolvedConfig, string, Parser]> = [
  ['endpoint', 'VIGIL_ENDPOINT', str],
  ['apiKey', 'VIGIL_API_KEY', str],
  ['enabled', 'VIGIL_ENABLED', bool],
  ['exportMetrics', 'VIGIL_EXPORT_METRICS', bool],
  ['logLevel', 'VIGIL_LOG_LEVEL', (raw) => parseLogLevel(raw)],
  ['traceSamplingRate', 'VIGIL_TRACE_SAMPLING_RATE', num],
  ['environment', 'VIGIL_ENVIRONMENT', str],
  ['release', 'VIGIL_RELEASE', str],
  ['captureContent', 'VIGIL_CAPTURE_CONTENT', bool],
  ['maxQueueSize', 'VIGIL_MAX_QUEUE_SIZE', num],
  ['scheduledDelayMs', 'VIGIL_SCHEDULED_DELAY_MS', num],
  ['exportTimeoutMs', 'VIGIL_EXPORT_TIMEOUT_MS', num],
];

/** Checks one value; returns undefined (and a reason) when it is not acceptable. */
function check(key: keyof ResolvedConfig, value: unknown): { ok: true; value: unknown } | { ok: false; reason: string } {
  switch (key) {
    case 'endpoint': {
      if (typeof value !== 'string') return { ok: false, reason: 'must be a URL' };
      try {
        const u = new URL(value);
        if (u.protocol !== 'http:' && u.protocol !== 'https:') return { ok: false, reason: 'must be an http(s) URL' };
      } catch {
        return { ok: false, reason: 'must be a URL' };
      }
      return { ok: true, value: value.replace(/\/+$/, '') };
    }
    case 'apiKey':
    case 'environment':
    case 'release':
      return typeof value === 'string' && value.length > 0 ? { ok: true, value } : { ok: false, reason: 'must be a non-empty string' };
    case 'enabled':
    case 'exportMetrics':
    case 'captureContent':
    case 'flushOnExit':
      return typeof value === 'boolean' ? { ok: true, value } : { ok: false, reason: 'must be true or false' };
    case 'logLevel': {
      const level = parseLogLevel(value);
      return level ? { ok: true, value: level } : { ok: false, reason: 'must be one of debug, info, warn, error, off' };
    }
    case 'traceSamplingRate':
      return typeof value === 'number' && value >= 0 && value <= 1 ? { ok: true, value } : { ok: false, reason: 'must be a number from 0 to 1' };
    case 'maxQueueSize':
    case 'maxBatchSize':
    case 'maxBatchBytes':
    case 'scheduledDelayMs':
    case 'exportTimeoutMs':
    case 'requestTimeoutMs':
    case 'maxBackoffMs':
      return typeof value === 'number' && Number.isInteger(value) && value > 0 ? { ok: true, value } : { ok: false, reason: 'must be a positive integer' };
    case 'redact':
    case 'logger':
      return typeof value === 'function' ? { ok: true, value } : { ok: false, reason: 'must be a function' };
  }
}

function clean(layer: Record<string, unknown>, source: string, warn: (m: string) => void): Layer {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(layer)) {
    if (value === undefined) continue;
    if (!(key in defaults())) {
      warn(`${source}: unknown option "${key}" ignored`);
      continue;
    }
    const r = check(key as keyof ResolvedConfig, value);
    if (r.ok) out[key] = r.value;
    else warn(`${source}: ${key} ${r.reason}; got ${JSON.stringify(value)}, ignored`);
  }
  return out as Layer;
}

export function readEnvLayer(env: NodeJS.ProcessEnv, warn: (m: string) => void): Layer {
  const raw: Record<string, unknown> = {};
  for (const [key, name, parse] of ENV) {
    const text = env[name];
    if (text === undefined) continue;
    const value = parse(text);
    if (value === undefined || (typeof value === 'number' && Number.isNaN(value))) {
      warn(`environment: ${name}=${JSON.stringify(text)} is not valid, ignored`);
      continue;
    }
    raw[key] = value;
  }
  return clean(raw, 'environment', warn);
}

/**
 * Merges options > YAML monitoring > environment > defaults into one frozen config.
 * `warn` receives one line per ignored value.
 */
export function resolveConfig(
  options: VigilOptions,
  yamlLayer: Partial<Pick<VigilOptions, 'enabled' | 'exportMetrics' | 'logLevel' | 'traceSamplingRate'>>,
  env: NodeJS.ProcessEnv,
  warn: (m: string) => void,
): ResolvedConfig {
  const merged: ResolvedConfig = {
    ...defaults(),
    ...readEnvLayer(env, warn),
    ...clean(yamlLayer as Record<string, unknown>, 'agent config monitoring', warn),
    ...clean(options as Record<string, unknown>, 'configure()', warn),
  };
  if (merged.maxBatchSize > merged.maxQueueSize) {
    warn(`maxBatchSize ${merged.maxBatchSize} is larger than maxQueueSize ${merged.maxQueueSize}; clamped to it`);
    return Object.freeze({ ...merged, maxBatchSize: merged.maxQueueSize });
  }
  return Object.freeze(merged);
}

export type { Logger };
