// monitorOpenAI(): returns a view of an official `openai` client whose chat.completions.create and
// responses.create calls are recorded. The view is a Proxy: the caller's client is not modified,
// types are unchanged, requests go out as given, and results, streams and errors come back as the
// bare client returns them. Only when a call would exceed the run's max_iterations does it throw
// (VigilIterationLimitError, before any request is made) — the limit the agent asked for.
import { describeError } from '../logger.js';
import { currentRun, type ActiveRun } from '../run.js';
import { getLogger, isEnabled } from '../runtime.js';
import { observeCall } from './observe-call.js';
import type { ApiKind } from './read-usage.js';

export interface MonitorOpenAIOptions {
  /** The agent name for model calls made outside vigil.run(). */
  agent: string;
}

type AnyFn = (...args: unknown[]) => unknown;

/** Proxies `target`, replacing some properties lazily; everything else reads through to the real object. */
function overlay<T extends object>(target: T, replace: Record<string, () => unknown>): T {
  const cache = new Map<PropertyKey, unknown>();
  const bound = new WeakMap<AnyFn, AnyFn>();
  return new Proxy(target, {
    get(t, prop) {
      if (typeof prop === 'string' && Object.hasOwn(replace, prop)) {
        if (!cache.has(prop)) cache.set(prop, (replace[prop] as () => unknown)());
        return cache.get(prop);
      }
      const value: unknown = Reflect.get(t, prop, t);
      if (typeof value !== 'function') return value;
      // Methods run against the real object, so private fields and `this` behave as without us.
      let b = bound.get(value as AnyFn);
      if (!b) {
        b = (value as AnyFn).bind(t);
        bound.set(value as AnyFn, b);
      }
      return b;
    },
  });
}

interface CallStart {
  active: ActiveRun | undefined;
  startedAt: number;
  t0: number;
}

/** Everything before the request. Throws only VigilIterationLimitError; its own failures are logged. */
function beginCall(): CallStart | undefined {
  let limitError: Error | undefined;
  let start: CallStart | undefined;
  try {
    const active = currentRun();
    start = { active, startedAt: Date.now(), t0: performance.now() };
    if (active && !active.beginModelCall(start.startedAt)) limitError = active.limitError();
  } catch (err) {
    getLogger().once('create-start', 'error', `recording a model call failed: ${describeError(err)}`);
  }
  if (limitError) throw limitError;
  return start;
}

function endCall(promise: unknown, body: unknown, start: CallStart, kind: ApiKind, agentName: string): void {
  try {
    const b = body as { model?: unknown; stream?: unknown } | null;
    observeCall(promise, {
      kind,
      agentName,
      active: start.active,
      requestedModel: typeof b?.model === 'string' ? b.model : undefined,
      stream: b?.stream === true,
      startedAt: start.startedAt,
      t0: start.t0,
    });
  } catch (err) {
    getLogger().once('create-observe', 'error', `recording a model call failed: ${describeError(err)}`);
  }
}

function wrapCreate(resource: object, kind: ApiKind, agentName: string): AnyFn {
  const original = (resource as { create: AnyFn }).create;
  // The per-call path stays small; the bookkeeping lives in beginCall/endCall.
  return function (body: unknown, ...rest: unknown[]): unknown {
    if (!isEnabled()) return original.call(resource, body, ...rest);
    const start = beginCall();
    const promise = original.call(resource, body, ...rest);
    if (start) endCall(promise, body, start, kind, agentName);
    return promise;
  };
}

/**
 * Records every chat.completions.create and responses.create call of `client`. Returns a
 * wrapped view with the same type; the original client stays unwrapped.
 */
export function monitorOpenAI<T extends object>(client: T, options: MonitorOpenAIOptions): T {
  try {
    const agent = options.agent;
    const c = client as { chat?: { completions?: object }; responses?: object };
    const replace: Record<string, () => unknown> = {};
    if (c.chat && typeof c.chat === 'object' && c.chat.completions) {
      const chat = c.chat;
      const completions = c.chat.completions;
      replace.chat = () => overlay(chat, { completions: () => overlay(completions, { create: () => wrapCreate(completions, 'chat.completions', agent) }) });
    }
    if (c.responses && typeof c.responses === 'object') {
      const responses = c.responses;
      replace.responses = () => overlay(responses, { create: () => wrapCreate(responses, 'responses', agent) });
    }
    return overlay(client, replace);
  } catch (err) {
    getLogger().error(`monitorOpenAI() could not wrap the client; it is returned unwrapped: ${describeError(err)}`);
    return client;
  }
}
