// The SDK's one internal logger. Every failure inside the SDK is reported here instead of being
// thrown into the agent; it must never throw itself, whatever the sink does.
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'off';

/** Receives the SDK's own log lines (not the agent's); defaults to the console. */
export type LogSink = (level: Exclude<LogLevel, 'off'>, message: string) => void;

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, off: 100 };

/** Accepts the seed's Python-style names (INFO, WARNING, CRITICAL) as well as ours; undefined when unknown. */
export function parseLogLevel(value: unknown): LogLevel | undefined {
  if (typeof value !== 'string') return undefined;
  switch (value.trim().toLowerCase()) {
    case 'debug':
    case 'trace':
      return 'debug';
    case 'info':
      return 'info';
    case 'warn':
    case 'warning':
      return 'warn';
    case 'error':
    case 'critical':
    case 'fatal':
      return 'error';
    case 'off':
    case 'none':
    case 'silent':
      return 'off';
    default:
      return undefined;
  }
}

export interface Logger {
  level: LogLevel;
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  /** Logs only the first time `key` is seen, so a failure repeated per run is one line, not thousands. */
  once(key: string, level: Exclude<LogLevel, 'off'>, message: string): void;
  enabled(level: Exclude<LogLevel, 'off'>): boolean;
}

const consoleSink: LogSink = (level, message) => {
  const line = `[vigil] ${level.toUpperCase()} ${message}`;
  if (level === 'error') console.error(line);
  else if (level === 'warn') console.warn(line);
  else console.log(line);
};

/** Keys remembered by `once`; bounded so a stream of distinct keys cannot grow memory. */
const MAX_ONCE_KEYS = 1_000;

export function createLogger(level: LogLevel = 'warn', sink: LogSink = consoleSink): Logger {
  const seen = new Set<string>();
  const logger: Logger = {
    level,
    enabled: (l) => RANK[l] >= RANK[logger.level],
    debug: (m) => write('debug', m),
    info: (m) => write('info', m),
    warn: (m) => write('warn', m),
    error: (m) => write('error', m),
    once(key, l, m) {
      if (seen.has(key)) return;
      if (seen.size >= MAX_ONCE_KEYS) seen.clear();
      seen.add(key);
      write(l, m);
    },
  };
  function write(l: Exclude<LogLevel, 'off'>, m: string): void {
    if (!logger.enabled(l)) return;
    try {
      sink(l, m);
    } catch {
      // A broken sink must not break the agent; there is nowhere left to report it.
    }
  }
  return logger;
}

/** Turns anything thrown into one short line for the log. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  try {
    return String(err);
  } catch {
    return 'unknown error';
  }
}
