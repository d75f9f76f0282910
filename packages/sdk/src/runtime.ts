// The SDK's process-wide state: the resolved config, the logger, the exporter and the declared
// agents. Public entry points (configure, loadAgentConfig, flush, shutdown, stats) live here and
// catch their own failures; the recorders only call submitRun() and lookups.
import { randomUUID } from 'node:crypto';
import { readAgentConfigFile, type AgentConfigFile, type AgentDefinition } from './agent-config.js';
import { resolveConfig, type ResolvedConfig, type VigilOptions } from './config.js';
import { createBatchExporter, type BatchExporter, type ExporterStats } from './export/batch-exporter.js';
import { createHttpTransport } from './export/http-transport.js';
import { createRetryingTransport, unrefSleep } from './export/retrying-transport.js';
import { createLogger, describeError, type Logger } from './logger.js';

/** flush() and shutdown() give up after this long by default, in ms. */
const DEFAULT_FLUSH_TIMEOUT_MS = 10_000;
/** An agent registration that keeps failing is retried this many times, maxBackoffMs apart. */
const MAX_REGISTRATION_ATTEMPTS = 20;
const USER_AGENT = 'vigil-sdk-js/0.1.0';

interface Runtime {
  config: ResolvedConfig;
  logger: Logger;
  exporter: BatchExporter | undefined;
}

let options: VigilOptions = {};
let yamlLayer: Partial<Pick<VigilOptions, 'enabled' | 'exportMetrics' | 'logLevel' | 'traceSamplingRate'>> = {};
const agents = new Map<string, AgentDefinition>();
let runtime: Runtime | undefined;
let isShutDown = false;
/** Exporters replaced by a later configure(); flushed in the background, awaited by flush(). */
const retiring = new Set<Promise<void>>();
/** Agent registrations by `endpoint agent-name`: each agent is registered once per server. */
const registrations = new Map<string, Promise<void>>();
let retiredStats: ExporterStats = { queued: 0, inFlight: 0, sent: 0, dropped: 0, rejected: 0, failedExports: 0 };
let exitHookInstalled = false;
let submittedSinceExitFlush = 0;

function build(): Runtime {
  const warnings: string[] = [];
  const config = resolveConfig(options, yamlLayer, process.env, (m) => warnings.push(m));
  const logger = createLogger(config.logLevel, config.logger);
  for (const w of warnings) logger.once(`config:${w}`, 'warn', w);
  return { config, logger, exporter: undefined };
}

/** The current runtime, built from options and the environment on first use. */
export function getRuntime(): Runtime {
  runtime ??= build();
  return runtime;
}

export function isEnabled(): boolean {
  return !isShutDown && getRuntime().config.enabled;
}

export function getLogger(): Logger {
  return getRuntime().logger;
}

function retire(old: Runtime | undefined): void {
  const exporter = old?.exporter;
  if (!exporter) return;
  const done = exporter.shutdown(old.config.exportTimeoutMs).then(() => {
    const s = exporter.stats();
    retiredStats = {
      queued: 0,
      inFlight: 0,
      sent: retiredStats.sent + s.sent,
      dropped: retiredStats.dropped + s.dropped + s.queued,
      rejected: retiredStats.rejected + s.rejected,
      failedExports: retiredStats.failedExports + s.failedExports,
    };
    retiring.delete(done);
  });
  retiring.add(done);
}

function rebuild(): void {
  const old = runtime;
  runtime = build();
  isShutDown = false;
  retire(old);
}

/**
 * Sets options (they win over the agent YAML's monitoring block, the VIGIL_* environment and the
 * defaults). Calling it again replaces the previous options; queued runs still go to the old server.
 */
export function configure(opts: VigilOptions = {}): void {
  try {
    options = { ...opts };
    rebuild();
  } catch (err) {
    console.error(`[vigil] configure() failed: ${describeError(err)}`);
  }
}

/**
 * Reads the seed's agent_config.yaml, applies its `monitoring:` block, remembers the agent's
 * declared tools and limits for run() and the trace processor, and registers the agent with the
 * server once. Throws VigilConfigError when the file is unreadable or has no agent name.
 */
export function loadAgentConfig(path: string): AgentConfigFile {
  const warnings: string[] = [];
  const file = readAgentConfigFile(path, (m) => warnings.push(`${path}: ${m}`));
  try {
    const m = file.monitoring;
    yamlLayer = {
      ...(m.enabled !== undefined ? { enabled: m.enabled } : {}),
      ...(m.export_metrics !== undefined ? { exportMetrics: m.export_metrics } : {}),
      ...(m.log_level !== undefined ? { logLevel: m.log_level } : {}),
      ...(m.trace_sampling_rate !== undefined ? { traceSamplingRate: m.trace_sampling_rate } : {}),
    };
    agents.set(file.agent.name, file.agent);
    rebuild();
    const logger = getLogger();
    for (const w of warnings) logger.once(`yaml:${w}`, 'warn', w);
    registerAgent(file.agent);
  } catch (err) {
    getLogger().error(`applying ${path} failed: ${describeError(err)}`);
  }
  return file;
}

export function declaredAgent(name: string): AgentDefinition | undefined {
  return agents.get(name);
}

export function declaredToolTimeoutMs(agentName: string, toolName: string): number | undefined {
  return agents.get(agentName)?.tools?.find((t) => t.type === toolName)?.timeout_ms;
}

function ensureExporter(rt: Runtime): BatchExporter {
  if (rt.exporter) return rt.exporter;
  const c = rt.config;
  const transport = createRetryingTransport(
    createHttpTransport({ url: `${c.endpoint}/v1/runs`, apiKey: c.apiKey, headers: { 'user-agent': USER_AGENT } }),
    { maxBackoffMs: c.maxBackoffMs, onRetry: (r, delay) => rt.logger.debug(`export retry in ${delay}ms after ${r.message}`) },
  );
  rt.exporter = createBatchExporter({
    transport,
    logger: rt.logger,
    maxQueueSize: c.maxQueueSize,
    maxBatchSize: c.maxBatchSize,
    maxBatchBytes: c.maxBatchBytes,
    scheduledDelayMs: c.scheduledDelayMs,
    exportTimeoutMs: c.exportTimeoutMs,
    requestTimeoutMs: c.requestTimeoutMs,
    maxBackoffMs: c.maxBackoffMs,
  });
  if (!c.apiKey) rt.logger.once('no-api-key', 'warn', 'no API key (configure({ apiKey }) or VIGIL_API_KEY); the server will refuse runs');
  if (c.flushOnExit && !exitHookInstalled) {
    exitHookInstalled = true;
    process.on('beforeExit', onBeforeExit);
  }
  return rt.exporter;
}

/**
 * beforeExit fires whenever the event loop empties, again after our flush finishes; flushing only
 * when runs arrived since the last try keeps a dead server from holding the process forever.
 */
function onBeforeExit(): void {
  if (submittedSinceExitFlush === 0 && retiring.size === 0) return;
  submittedSinceExitFlush = 0;
  void flush();
}

/** Decides, once per run, whether its detail is kept (trace_sampling_rate). */
export function sampleRun(): boolean {
  const rate = getRuntime().config.traceSamplingRate;
  return rate >= 1 || (rate > 0 && Math.random() < rate);
}

/**
 * A UUIDv7 (RFC 9562): the first 48 bits are the Unix time in milliseconds, the rest random.
 * The server keys runs by run_id; ids that grow with time land at the end of its indexes instead
 * of on a random page each, which makes a run's write 2.5–3× cheaper on SQLite at 100k runs
 * (bench/ingest/writer.ts). The random bits come from randomUUID(), whose version nibble is
 * replaced; its variant bits are already RFC 9562's.
 */
export function newRunId(now = Date.now()): string {
  const random = randomUUID();
  const ms = Math.trunc(now).toString(16).padStart(12, '0');
  return `${ms.slice(0, 8)}-${ms.slice(8, 12)}-7${random.slice(15)}`;
}

/** A wire Run (see @vigil/protocol); typed loosely here so the public .d.ts needs no protocol import. */
interface SubmittableRun {
  environment?: string;
  release?: string;
}

/** Hands a finished run to the exporter. Never throws. */
export function submitRun(run: SubmittableRun): void {
  try {
    if (isShutDown) {
      retiredStats.dropped++;
      return;
    }
    const rt = getRuntime();
    if (!rt.config.enabled) return;
    const config = rt.config;
    if (config.environment && !run.environment) run.environment = config.environment;
    if (config.release && !run.release) run.release = config.release;
    if (!config.exportMetrics) {
      if (rt.logger.enabled('debug')) rt.logger.debug(`run (not exported): ${JSON.stringify(run)}`);
      return;
    }
    submittedSinceExitFlush++;
    ensureExporter(rt).submit(JSON.stringify(run));
    for (const agent of agents.values()) registerAgent(agent);
  } catch (err) {
    getLogger().once('submit', 'error', `could not record a run: ${describeError(err)}`);
  }
}

/** POST /v1/agents once per agent and server; retried in the background while the server is unreachable. */
function registerAgent(agent: AgentDefinition): void {
  const rt = getRuntime();
  const c = rt.config;
  const key = `${c.endpoint} ${agent.name}`;
  if (!c.enabled || !c.exportMetrics || registrations.has(key)) return;
  const transport = createRetryingTransport(
    createHttpTransport({ url: `${c.endpoint}/v1/agents`, apiKey: c.apiKey, gzip: false, headers: { 'user-agent': USER_AGENT } }),
    { maxBackoffMs: c.maxBackoffMs },
  );
  const body = new TextEncoder().encode(JSON.stringify(agent));
  const attempt = async (): Promise<void> => {
    for (let i = 1; i <= MAX_REGISTRATION_ATTEMPTS; i++) {
      const result = await transport.send(body, Date.now() + c.exportTimeoutMs, c.requestTimeoutMs);
      if (result.kind === 'success') return rt.logger.debug(`registered agent ${agent.name}`);
      if (result.kind === 'failure') return rt.logger.once(`register:${agent.name}`, 'error', `server refused agent ${agent.name}: ${result.message}`);
      rt.logger.debug(`agent ${agent.name} not registered yet (${result.message})`);
      await unrefSleep(Math.max(result.retryAfterMs ?? 0, c.maxBackoffMs));
    }
  };
  registrations.set(key, attempt().catch((err) => rt.logger.error(`registering ${agent.name}: ${describeError(err)}`)));
}

/**
 * Finished runs are built and encoded off the agent's path: in one setImmediate callback per
 * burst, after the agent's own continuation. A loop that never yields to the event loop would
 * pile them up, so past MAX_DEFERRED_RUNS they are submitted at once instead.
 */
const MAX_DEFERRED_RUNS = 256;
let deferred: Array<() => SubmittableRun | undefined> = [];

function drainDeferred(): void {
  const batch = deferred;
  deferred = [];
  for (const build of batch) {
    try {
      const run = build();
      if (run) submitRun(run);
    } catch (err) {
      getLogger().once('deferred-run', 'error', `could not record a run: ${describeError(err)}`);
    }
  }
}

/** Queues a finished run for export once the current event-loop turn is over. Never throws. */
export function submitRunLater(build: () => SubmittableRun | undefined): void {
  deferred.push(build);
  if (deferred.length === 1) setImmediate(drainDeferred);
  else if (deferred.length >= MAX_DEFERRED_RUNS) drainDeferred();
}

/** Sends everything queued now. Resolves true when the queue emptied within `timeoutMs`; never rejects. */
export async function flush(timeoutMs = DEFAULT_FLUSH_TIMEOUT_MS): Promise<boolean> {
  try {
    drainDeferred();
    const rt = runtime;
    const pending = [...retiring];
    const own = rt?.exporter ? rt.exporter.flush(timeoutMs) : Promise.resolve(true);
    const done = await Promise.race([Promise.all([own, ...pending]).then(([ok]) => ok), unrefSleep(timeoutMs).then(() => false)]);
    return done;
  } catch (err) {
    getLogger().error(`flush failed: ${describeError(err)}`);
    return false;
  }
}

/**
 * Flushes within `timeoutMs`, then stops exporting: runs that finish later are dropped and
 * counted. Safe to call any number of times; configure() starts the SDK again.
 */
export async function shutdown(timeoutMs = DEFAULT_FLUSH_TIMEOUT_MS): Promise<void> {
  try {
    drainDeferred();
    const rt = runtime;
    if (rt?.exporter) {
      await Promise.race([rt.exporter.shutdown(timeoutMs), unrefSleep(timeoutMs)]);
      const s = rt.exporter.stats();
      retiredStats = {
        queued: 0,
        inFlight: 0,
        sent: retiredStats.sent + s.sent,
        dropped: retiredStats.dropped + s.dropped + s.queued + s.inFlight,
        rejected: retiredStats.rejected + s.rejected,
        failedExports: retiredStats.failedExports + s.failedExports,
      };
      rt.exporter = undefined;
    }
    isShutDown = true;
    if (exitHookInstalled) {
      process.off('beforeExit', onBeforeExit);
      exitHookInstalled = false;
    }
  } catch (err) {
    getLogger().error(`shutdown failed: ${describeError(err)}`);
  }
}

export type VigilStats = ExporterStats;

/** Export counters since the process started (summed over configure() calls). */
export function stats(): VigilStats {
  const s = runtime?.exporter?.stats() ?? { queued: 0, inFlight: 0, sent: 0, dropped: 0, rejected: 0, failedExports: 0 };
  return {
    queued: s.queued,
    inFlight: s.inFlight,
    sent: s.sent + retiredStats.sent,
    dropped: s.dropped + retiredStats.dropped,
    rejected: s.rejected + retiredStats.rejected,
    failedExports: s.failedExports + retiredStats.failedExports,
  };
}

/** Forgets everything (tests only): options, agents, counters. Call after shutdown(). */
export function resetForTests(): void {
  options = {};
  yamlLayer = {};
  agents.clear();
  registrations.clear();
  runtime = undefined;
  isShutDown = false;
  retiredStats = { queued: 0, inFlight: 0, sent: 0, dropped: 0, rejected: 0, failedExports: 0 };
}
