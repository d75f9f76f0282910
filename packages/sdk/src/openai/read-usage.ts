// Reads what a model call reports — model, tokens, finish reason, requested tools — from Chat
// Completions and Responses objects and stream events. Duck-typed on field names, so it works
// with openai v4-v7 and compatible servers, and never throws on a shape it does not know.
import type { TokenCounts } from '../record/run-builder.js';

export type ApiKind = 'chat.completions' | 'responses';

/** What one model call tells us, accumulated over a stream or read from one object. */
export interface CallSummary {
  model?: string | undefined;
  tokens?: Partial<TokenCounts> | undefined;
  finishReason?: string | undefined;
  toolCallsRequested: string[];
  requestId?: string | undefined;
  /** The API reported a failure inside a 200 (Responses `status: failed`, or an `error` event). */
  error?: { type: string; message: string } | undefined;
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | undefined => (v !== null && typeof v === 'object' ? (v as Obj) : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

export function chatUsage(u: unknown): Partial<TokenCounts> | undefined {
  const usage = obj(u);
  if (!usage) return undefined;
  return {
    input: num(usage.prompt_tokens),
    output: num(usage.completion_tokens),
    cachedInput: num(obj(usage.prompt_tokens_details)?.cached_tokens),
    reasoning: num(obj(usage.completion_tokens_details)?.reasoning_tokens),
  };
}

export function responsesUsage(u: unknown): Partial<TokenCounts> | undefined {
  const usage = obj(u);
  if (!usage) return undefined;
  return {
    input: num(usage.input_tokens),
    output: num(usage.output_tokens),
    cachedInput: num(obj(usage.input_tokens_details)?.cached_tokens),
    reasoning: num(obj(usage.output_tokens_details)?.reasoning_tokens),
  };
}

export function readChatCompletion(value: unknown): CallSummary {
  const v = obj(value) ?? {};
  const choices = Array.isArray(v.choices) ? v.choices : [];
  const tools: string[] = [];
  let finishReason: string | undefined;
  for (const c of choices) {
    const choice = obj(c);
    finishReason ??= str(choice?.finish_reason);
    const calls = obj(choice?.message)?.tool_calls;
    if (Array.isArray(calls)) for (const call of calls) tools.push(toolName(call));
  }
  return { model: str(v.model), tokens: chatUsage(v.usage), finishReason, toolCallsRequested: tools, requestId: str(v._request_id) };
}

function toolName(call: unknown): string {
  const c = obj(call);
  return str(obj(c?.function)?.name) ?? str(obj(c?.custom)?.name) ?? str(c?.name) ?? str(c?.type) ?? 'unknown';
}

/** Accumulates chat.completion.chunk events. */
export function createChatStreamReader(): { onChunk(chunk: unknown): void; summary(): CallSummary } {
  const s: CallSummary = { toolCallsRequested: [] };
  return {
    onChunk(chunk) {
      const c = obj(chunk);
      if (!c) return;
      s.model ??= str(c.model);
      if (obj(c.usage)) s.tokens = chatUsage(c.usage);
      const choices = Array.isArray(c.choices) ? c.choices : [];
      for (const ch of choices) {
        const choice = obj(ch);
        s.finishReason = str(choice?.finish_reason) ?? s.finishReason;
        const deltas = obj(choice?.delta)?.tool_calls;
        if (Array.isArray(deltas)) {
          for (const d of deltas) {
            const name = str(obj(obj(d)?.function)?.name);
            if (name) s.toolCallsRequested.push(name);
          }
        }
      }
    },
    summary: () => s,
  };
}

const TOOL_ITEM_TYPES = new Set(['function_call', 'custom_tool_call', 'web_search_call', 'file_search_call', 'computer_call', 'code_interpreter_call', 'image_generation_call', 'local_shell_call', 'shell_call', 'mcp_call', 'apply_patch_call']);

export function readResponse(value: unknown): CallSummary {
  const v = obj(value) ?? {};
  const output = Array.isArray(v.output) ? v.output : [];
  const tools: string[] = [];
  for (const item of output) {
    const it = obj(item);
    const type = str(it?.type);
    if (type && TOOL_ITEM_TYPES.has(type)) tools.push(str(it?.name) ?? type);
  }
  const status = str(v.status);
  let finishReason: string | undefined;
  if (status === 'incomplete') finishReason = str(obj(v.incomplete_details)?.reason) ?? 'incomplete';
  else if (status === 'completed') finishReason = tools.length > 0 ? 'tool_calls' : 'stop';
  else finishReason = status;
  const err = obj(v.error);
  const summary: CallSummary = { model: str(v.model), tokens: responsesUsage(v.usage), finishReason, toolCallsRequested: tools, requestId: str(v._request_id) };
  if (status === 'failed') summary.error = { type: str(err?.code) ?? 'ResponseFailed', message: str(err?.message) ?? 'response failed' };
  return summary;
}

/** Accumulates Responses stream events; the terminal event carries the whole response. */
export function createResponseStreamReader(): { onEvent(event: unknown): void; summary(): CallSummary } {
  let final: CallSummary | undefined;
  let model: string | undefined;
  let error: CallSummary['error'];
  return {
    onEvent(event) {
      const e = obj(event);
      const type = str(e?.type);
      if (!type) return;
      if (type === 'response.created') model ??= str(obj(e?.response)?.model);
      else if (type === 'response.completed' || type === 'response.incomplete' || type === 'response.failed') final = readResponse(e?.response);
      else if (type === 'error') error = { type: str(e?.code) ?? 'StreamError', message: str(e?.message) ?? 'stream error' };
    },
    summary() {
      const s = final ?? { model, toolCallsRequested: [] };
      if (error && !s.error) s.error = error;
      return s;
    },
  };
}
