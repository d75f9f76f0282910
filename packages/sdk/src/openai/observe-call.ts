// Watches one create() call without touching it: it attaches to the APIPromise the client
// returned (the same cached parse the caller awaits, so no second request) and, for streams,
// wraps the stream's event iterator so the call is recorded when the stream ends. Whatever the
// caller sees — values, chunks, errors, their order — is what the bare client produces.
import type { ErrorInfo, Run } from '@vigil/protocol';
import { describeError } from '../logger.js';
import { errorInfo, statusOfError } from '../record/classify-error.js';
import { RunBuilder, type StepInput } from '../record/run-builder.js';
import type { ActiveRun } from '../run.js';
import { getLogger, newRunId, sampleRun, submitRunLater } from '../runtime.js';
import { createChatStreamReader, createResponseStreamReader, readChatCompletion, readResponse, type ApiKind, type CallSummary } from './read-usage.js';

export interface CallContext {
  kind: ApiKind;
  /** The wrapper's agent, used when the call is made outside vigil.run(). */
  agentName: string;
  active: ActiveRun | undefined;
  requestedModel: string | undefined;
  stream: boolean;
  startedAt: number;
  t0: number;
}

interface StreamLike {
  iterator: () => AsyncIterator<unknown>;
}

const isStreamLike = (v: unknown): v is StreamLike =>
  v !== null && typeof v === 'object' && typeof (v as { iterator?: unknown }).iterator === 'function';

export function observeCall(promise: unknown, ctx: CallContext): void {
  const then = (promise as { then?: unknown } | null)?.then;
  if (typeof then !== 'function') return;
  // Registered before the caller's own then(), so a stream is wrapped before the caller sees it.
  (promise as PromiseLike<unknown>).then(
    (value) => {
      try {
        if (ctx.stream && isStreamLike(value)) wrapStream(value, ctx);
        else {
          const summary = ctx.kind === 'chat.completions' ? readChatCompletion(value) : readResponse(value);
          complete(ctx, summary, summary.error);
        }
      } catch (err) {
        getLogger().once('observe', 'error', `recording a model call failed: ${describeError(err)}`);
      }
    },
    (err: unknown) => {
      try {
        // openai 5+ names it requestID; openai 4 request_id.
        const e = err as { requestID?: unknown; request_id?: unknown } | null;
        const requestId = e?.requestID ?? e?.request_id;
        complete(ctx, { toolCallsRequested: [], requestId: typeof requestId === 'string' ? requestId : undefined }, errorInfo(err), err);
      } catch (e) {
        getLogger().once('observe', 'error', `recording a model call failed: ${describeError(e)}`);
      }
    },
  );
}

function wrapStream(stream: StreamLike, ctx: CallContext): void {
  const original = stream.iterator;
  const requestId = (stream as { _request_id?: unknown })._request_id;
  stream.iterator = function observedIterator(this: unknown) {
    const inner = original.call(this ?? stream);
    const reader = ctx.kind === 'chat.completions' ? createChatStreamReader() : createResponseStreamReader();
    const onItem = 'onChunk' in reader ? reader.onChunk : reader.onEvent;
    let done = false;
    const end = (err?: unknown, cancelled = false) => {
      if (done) return;
      done = true;
      try {
        const summary = reader.summary();
        if (typeof requestId === 'string') summary.requestId ??= requestId;
        if (cancelled) complete(ctx, summary, { type: 'StreamClosed', message: 'the caller stopped reading the stream early' }, undefined, 'cancelled');
        else if (err !== undefined) complete(ctx, summary, errorInfo(err), err);
        else complete(ctx, summary, summary.error);
      } catch (e) {
        getLogger().once('observe', 'error', `recording a stream failed: ${describeError(e)}`);
      }
    };
    const observed: AsyncIterator<unknown> & AsyncIterable<unknown> = {
      next(...args: [] | [unknown]) {
        return inner.next(...args).then(
          (r) => {
            try {
              if (r.done) end();
              else onItem(r.value);
            } catch (e) {
              getLogger().once('observe-chunk', 'error', `reading a stream event failed: ${describeError(e)}`);
            }
            return r;
          },
          (err: unknown) => {
            end(err);
            throw err;
          },
        );
      },
      return(value?: unknown) {
        end(undefined, true);
        return inner.return ? inner.return(value) : Promise.resolve({ done: true as const, value });
      },
      throw(err?: unknown) {
        end(err);
        return inner.throw ? inner.throw(err) : Promise.reject(err);
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    };
    return observed;
  };
}

/** Turns the call into a step of the active run, or into a one-iteration run of its own. */
function complete(ctx: CallContext, s: CallSummary, error: ErrorInfo | undefined, thrown?: unknown, forcedStatus?: 'cancelled'): void {
  const durationMs = performance.now() - ctx.t0;
  const step: StepInput = {
    model: s.model ?? ctx.requestedModel,
    startedAt: ctx.startedAt,
    durationMs,
    tokens: s.tokens,
    finishReason: s.finishReason,
    requestId: s.requestId,
    error,
    toolCallsRequested: s.toolCallsRequested,
  };
  if (ctx.active) {
    // Synchronous and cheap: the run may end as soon as the caller has this result.
    ctx.active.addStep(step);
    return;
  }
  // A run of its own: built and encoded after the caller's continuation has run, so the call's
  // latency does not include the SDK's bookkeeping.
  submitRunLater(() => ownRun(ctx, step, error, thrown, forcedStatus));
}

function ownRun(ctx: CallContext, step: StepInput, error: ErrorInfo | undefined, thrown: unknown, forcedStatus: 'cancelled' | undefined): Run {
  const durationMs = step.durationMs;
  const builder = new RunBuilder({ runId: newRunId(), agentName: ctx.agentName, startedAt: ctx.startedAt, sampled: sampleRun() });
  builder.transition('thinking', ctx.startedAt);
  builder.addStep(step);
  builder.iterations = 1;
  const status = forcedStatus ?? (thrown !== undefined ? statusOfError(thrown) : error ? 'error' : 'success');
  return builder.finish(status, ctx.startedAt + durationMs, durationMs, error);
}
