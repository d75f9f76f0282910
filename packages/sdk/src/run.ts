// vigil.run(): records one agent run. Model calls made inside it (found through
// AsyncLocalStorage, no plumbing) become its iterations; run.tool() runs tools with their
// declared timeout. It returns exactly what `fn` returns and rethrows exactly what `fn` throws;
// the SDK's own failures are logged, never thrown.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { CompletionStatus, ErrorInfo } from '@vigil/protocol';
import { VigilIterationLimitError, VigilRunTimeoutError, VigilToolTimeoutError } from './errors.js';
import { describeError } from './logger.js';
import { argsToText, hashArgs } from './record/args-hash.js';
import { errorInfo, statusOfError } from './record/classify-error.js';
import { RunBuilder, type StepInput } from './record/run-builder.js';
import { declaredAgent, declaredToolTimeoutMs, getLogger, getRuntime, isEnabled, newRunId, sampleRun, submitRunLater } from './runtime.js';

export interface RunOptions {
  /** Client-chosen id; re-sending the same id is idempotent on the server. Default: a UUIDv7 (time-ordered). */
  runId?: string;
  /** Overrides the YAML's max_iterations for this run. */
  maxIterations?: number;
  /** Ends the run as `timeout` (rejecting with VigilRunTimeoutError and aborting `run.signal`) after this many ms. */
  timeoutMs?: number;
  sessionId?: string;
  userId?: string;
  tags?: Record<string, string>;
}

export interface ToolOptions {
  /** Overrides the YAML's timeout_ms for this call. */
  timeoutMs?: number;
  /** The model's tool-call id, to match the call with the step that asked for it. */
  callId?: string;
}

export interface ToolContext {
  /** Aborted (with VigilToolTimeoutError) when the tool times out. */
  signal: AbortSignal;
}

/** What `fn` receives: the handle of the run being recorded. */
export interface RunHandle {
  readonly runId: string;
  readonly agentName: string;
  /** Aborted when the run times out (options.timeoutMs). */
  readonly signal: AbortSignal;
  /** Model calls so far. */
  readonly iterations: number;
  /** Runs a tool with its declared `timeout_ms`, recording success, error or timeout, duration and an arguments hash. */
  tool<A, R>(name: string, fn: (args: A, context: ToolContext) => R | Promise<R>, args?: A, options?: ToolOptions): Promise<R>;
  /** Ends the run as `gave_up` (the agent stopped without finishing the task) when `fn` returns. */
  giveUp(reason?: string): void;
  /** Ends the run as `cancelled` when `fn` returns. */
  cancel(reason?: string): void;
  /** Records a state of your own (e.g. `waiting_for_user`). */
  transition(state: string): void;
  setTag(key: string, value: string): void;
}

/** A run in progress, as the OpenAI wrapper sees it. */
export interface ActiveRun {
  readonly agentName: string;
  /** Called before each model call: false when the call would exceed max_iterations. */
  beginModelCall(at: number): boolean;
  limitError(): VigilIterationLimitError;
  addStep(step: StepInput): void;
}

const storage = new AsyncLocalStorage<ActiveRun>();

export function currentRun(): ActiveRun | undefined {
  return storage.getStore();
}

/** Used when monitoring is disabled: tools run untouched, nothing is recorded. */
function passThroughHandle(agentName: string, runId: string): RunHandle {
  return {
    runId,
    agentName,
    signal: new AbortController().signal,
    iterations: 0,
    tool: async (_name, fn, args) => fn(args as never, { signal: new AbortController().signal }),
    giveUp: () => undefined,
    cancel: () => undefined,
    transition: () => undefined,
    setTag: () => undefined,
  };
}

class RecordedRun implements ActiveRun, RunHandle {
  readonly builder: RunBuilder;
  readonly controller = new AbortController();
  readonly maxIterations: number | undefined;
  readonly t0 = performance.now();
  calls = 0;
  limitHit = false;
  outcome: { status: CompletionStatus; reason?: string | undefined } | undefined;
  finished = false;

  constructor(
    readonly agentName: string,
    readonly runId: string,
    options: RunOptions,
  ) {
    const declared = declaredAgent(agentName);
    this.maxIterations = options.maxIterations ?? declared?.max_iterations;
    this.builder = new RunBuilder({
      runId,
      agentName,
      startedAt: Date.now(),
      sampled: sampleRun(),
      sessionId: options.sessionId,
      userId: options.userId,
      tags: options.tags,
    });
    this.builder.model = declared?.model;
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }
  get iterations(): number {
    return this.calls;
  }

  beginModelCall(at: number): boolean {
    if (this.finished) return true;
    if (this.maxIterations !== undefined && this.calls >= this.maxIterations) {
      this.limitHit = true;
      return false;
    }
    this.calls++;
    this.builder.transition('thinking', at);
    return true;
  }

  limitError(): VigilIterationLimitError {
    return new VigilIterationLimitError(this.agentName, this.maxIterations ?? 0);
  }

  addStep(step: StepInput): void {
    if (this.finished) return;
    // The declared model is a fallback; the first model that answered names the run.
    if (this.builder.steps.length === 0 && step.model) this.builder.model = step.model;
    this.builder.addStep(step);
  }

  async tool<A, R>(name: string, fn: (args: A, context: ToolContext) => R | Promise<R>, args?: A, options: ToolOptions = {}): Promise<R> {
    let timeoutMs: number | undefined;
    let argsHash: string | undefined;
    let captured: string | undefined;
    const startedAt = Date.now();
    const t0 = performance.now();
    const controller = new AbortController();
    try {
      timeoutMs = options.timeoutMs ?? declaredToolTimeoutMs(this.agentName, name);
      argsHash = args === undefined ? undefined : hashArgs(args);
      captured = args === undefined ? undefined : captureArgs(this.agentName, name, args);
      this.builder.transition(`tool:${name}`, startedAt);
    } catch (err) {
      getLogger().once('tool-prep', 'error', `recording tool ${name} failed: ${describeError(err)}`);
    }
    const record = (status: 'success' | 'error' | 'timeout', err?: unknown) => {
      try {
        if (this.finished) return;
        this.builder.addToolCall({
          name,
          status,
          startedAt,
          durationMs: performance.now() - t0,
          callId: options.callId,
          argsHash,
          error: err === undefined ? undefined : errorInfo(err),
          arguments: captured,
        });
      } catch (e) {
        getLogger().once('tool-record', 'error', `recording tool ${name} failed: ${describeError(e)}`);
      }
    };
    let timer: NodeJS.Timeout | undefined;
    const work = Promise.resolve().then(() => fn(args as A, { signal: controller.signal }));
    const raced =
      timeoutMs === undefined
        ? work
        : Promise.race([
            work,
            new Promise<never>((_, reject) => {
              const limit = timeoutMs as number;
              timer = setTimeout(() => {
                const e = new VigilToolTimeoutError(name, limit);
                controller.abort(e);
                reject(e);
              }, limit);
            }),
          ]);
    try {
      const value = await raced;
      record('success');
      return value;
    } catch (err) {
      record(err instanceof VigilToolTimeoutError && err.toolName === name && controller.signal.aborted ? 'timeout' : 'error', err);
      throw err;
    } finally {
      if (timer) clearTimeout(timer);
      // A tool that timed out may still settle later; its result is ignored, never unhandled.
      work.catch(() => undefined);
    }
  }

  giveUp(reason?: string): void {
    this.outcome = { status: 'gave_up', reason };
  }
  cancel(reason?: string): void {
    this.outcome = { status: 'cancelled', reason };
  }
  transition(state: string): void {
    if (!this.finished) this.builder.transition(state, Date.now());
  }
  setTag(key: string, value: string): void {
    this.builder.setTag(key, value);
  }

  finish(thrown: { error: unknown } | undefined): void {
    if (this.finished) return;
    this.finished = true;
    let status: CompletionStatus = 'success';
    let error: ErrorInfo | undefined;
    if (this.limitHit) {
      status = 'iteration_limit';
      error = { type: 'VigilIterationLimitError', message: `max_iterations (${this.maxIterations ?? 0}) reached` };
    } else if (thrown) {
      status = statusOfError(thrown.error);
      error = errorInfo(thrown.error);
    } else if (this.outcome) {
      status = this.outcome.status;
      if (this.outcome.reason) error = { type: status, message: this.outcome.reason };
    }
    this.builder.iterations = this.calls;
    const endedAt = Date.now();
    const durationMs = performance.now() - this.t0;
    // Encoding and queueing happen after the agent has its result back.
    submitRunLater(() => this.builder.finish(status, endedAt, durationMs, error));
  }
}

function captureArgs(agentName: string, toolName: string, args: unknown): string | undefined {
  const config = getRuntime().config;
  if (!config.captureContent) return undefined;
  const text = argsToText(args);
  return config.redact ? config.redact(text, { kind: 'tool_arguments', agentName, toolName }) : text;
}

/**
 * Records one run of `agentName`. Returns what `fn` returns and rethrows what it throws.
 * With `timeoutMs`, rejects with VigilRunTimeoutError when the run takes longer.
 */
export async function run<T>(agentName: string, fn: (run: RunHandle) => T | Promise<T>, options: RunOptions = {}): Promise<T> {
  let recorded: RecordedRun | undefined;
  try {
    if (isEnabled()) recorded = new RecordedRun(agentName, options.runId ?? newRunId(), options);
  } catch (err) {
    getLogger().once('run-start', 'error', `could not start recording a run: ${describeError(err)}`);
  }
  if (!recorded) return fn(passThroughHandle(agentName, options.runId ?? ''));
  const r = recorded;
  const finish = (thrown?: { error: unknown }) => {
    try {
      r.finish(thrown);
    } catch (err) {
      getLogger().once('run-finish', 'error', `could not record a run: ${describeError(err)}`);
    }
  };
  let timer: NodeJS.Timeout | undefined;
  try {
    const work = storage.run(r, () => Promise.resolve().then(() => fn(r)));
    let value: T;
    if (options.timeoutMs === undefined) value = await work;
    else {
      const limit = options.timeoutMs;
      work.catch(() => undefined);
      value = await Promise.race([
        work,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => {
            const e = new VigilRunTimeoutError(agentName, limit);
            r.controller.abort(e);
            reject(e);
          }, limit);
        }),
      ]);
    }
    finish();
    return value;
  } catch (err) {
    finish({ error: err });
    throw err;
  } finally {
    if (timer) clearTimeout(timer);
  }
}
