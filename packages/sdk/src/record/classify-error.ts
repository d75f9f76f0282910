// Maps anything thrown to a run's completion status and the wire's error {type, message}. It
// relies on class names and codes only (duck typing), so it needs neither openai nor the Agents SDK.
import type { CompletionStatus, ErrorInfo } from '@vigil/protocol';

const MAX_NAME = 256;
const MAX_MESSAGE = 8_192;

const TIMEOUT_NAMES = new Set(['VigilToolTimeoutError', 'VigilRunTimeoutError', 'APIConnectionTimeoutError', 'TimeoutError', 'ToolTimeoutError', 'ModelTimeoutError']);
const CANCEL_NAMES = new Set(['AbortError', 'APIUserAbortError']);

/** The error's own name (TypeError, AbortError) unless it is the generic 'Error', else its class name (openai's RateLimitError keeps name 'Error'). */
export function errorName(err: unknown): string {
  if (err && typeof err === 'object') {
    const name = (err as { name?: unknown }).name;
    if (typeof name === 'string' && name !== '' && name !== 'Error') return name;
    const ctor = (err as { constructor?: { name?: unknown } }).constructor?.name;
    if (typeof ctor === 'string' && ctor !== '' && ctor !== 'Object') return ctor;
  }
  return 'Error';
}

export function errorInfo(err: unknown): ErrorInfo {
  let message: string;
  try {
    message = err instanceof Error ? err.message : typeof err === 'string' ? err : JSON.stringify(err) ?? String(err);
  } catch {
    message = String(err);
  }
  return { type: errorName(err).slice(0, MAX_NAME), message: message.slice(0, MAX_MESSAGE) };
}

export function statusOfError(err: unknown): CompletionStatus {
  const name = errorName(err);
  if (name === 'VigilIterationLimitError' || name === 'MaxTurnsExceededError') return 'iteration_limit';
  if (TIMEOUT_NAMES.has(name)) return 'timeout';
  if (CANCEL_NAMES.has(name)) return 'cancelled';
  if (name === 'ModelRefusalError') return 'gave_up';
  return 'error';
}
