// Turns the facts of one trace's spans into wire Runs (the same shape the SDK sends), so OTLP
// data then takes the SDK's path: validate → normalize → store.writeRuns. Pure: no clock, no store.
//
// The rules:
// - A run root is an agent or workflow span with no agent or workflow span above it. Its run_id
//   is the trace id (a root span) or `<trace id>-<span id>` (a root under another span), so the
//   same trace always yields the same ids, however its spans were split over requests.
// - Model-call (llm) spans below a root are its iterations, with tokens; nested llm spans (an
//   agent framework's generation span around the client's chat span) count once.
// - Tool spans below a root are its tool calls; `timeout` comes from error.type or the message.
// - The root span's status is the run's status.
// - A run root named only by its span name (OpenInference's "Agent workflow" wrapper around the
//   Agents SDK's agent) takes the name of the first named agent inside it.
// - A span whose parent has not arrived is placed under the trace's only root when there is one.
// - Otherwise, model and tool spans under the same missing span (an agent span that was never
//   ended: OpenLLMetry's withAgent when the agent throws) are one run, named from the agent their
//   spans name, and never `success`: the root that would say how it ended never came.
// - An llm span under no root is a one-iteration run named after its agent hint, else its service.
import {
  MAX_DURATION_MS, MAX_EPOCH_MS, MAX_STEPS_PER_RUN, MAX_TOOL_CALLS_PER_RUN, MAX_TRANSITIONS_PER_RUN, MIN_EPOCH_MS,
  type CompletionStatus, type Run, type Step, type ToolCall, type ToolStatus, type Transition,
} from '@vigil/protocol';
import type { FactTokens, SpanFacts } from './span-facts.js';

const UNKNOWN_SERVICE = 'unknown_service';
/** The error of a run assembled without its root span, when none of its own spans failed. */
export const ROOT_SPAN_MISSING = 'RootSpanMissing';
const MAX_TAG = 256;
const TIMEOUT = /time[ds]?[ _-]?out|deadline[ _-]?exceeded|ETIMEDOUT|ESOCKETTIMEDOUT/i;
const ITERATION_LIMIT = /max[ _-]?turns|MaxTurnsExceeded|iteration[ _-]?limit|max[ _-]?iterations|recursion[ _-]?limit/i;
const CANCELLED = /cancel|abort/i;

const isRoot = (f: SpanFacts) => f.role === 'agent' || f.role === 'workflow';
// A time outside the wire format's range (a span with no start, a clock gone wrong) is left out;
// the run then takes its receive time, as a run sent without a timestamp does.
const ms = (t: number): number | undefined => (t >= MIN_EPOCH_MS && t <= MAX_EPOCH_MS ? Math.floor(t) : undefined);
/** Span length in ms, to the microsecond (the subtraction of two float times leaves noise below it). */
const lengthMs = (f: SpanFacts): number => Math.min(MAX_DURATION_MS, Math.round((f.endMs - f.startMs) * 1000) / 1000);

function errorInfo(f: SpanFacts): Run['error'] {
  if (f.errorType === undefined && f.errorMessage === undefined) return undefined;
  return { ...(f.errorType !== undefined ? { type: f.errorType } : {}), ...(f.errorMessage !== undefined ? { message: f.errorMessage } : {}) };
}

const failed = (f: SpanFacts): boolean => f.statusCode === 2 || f.errorType !== undefined;
const looksLike = (f: SpanFacts, re: RegExp): boolean => re.test(f.errorType ?? '') || re.test(f.errorMessage ?? '');

function toolStatus(f: SpanFacts): ToolStatus {
  if (!failed(f)) return 'success';
  return looksLike(f, TIMEOUT) ? 'timeout' : 'error';
}

function runStatus(f: SpanFacts): CompletionStatus {
  if (!failed(f)) return 'success';
  if (looksLike(f, ITERATION_LIMIT)) return 'iteration_limit';
  if (looksLike(f, TIMEOUT)) return 'timeout';
  if (looksLike(f, CANCELLED)) return 'cancelled';
  return 'error';
}

/** Tokens of every step, for runs whose step list is cut to the wire limit. */
function sumTokens(steps: Step[]): FactTokens {
  const total: FactTokens = { input: 0, output: 0, cached_input: 0, reasoning: 0 };
  for (const s of steps) addTokens(total, { input: 0, output: 0, cached_input: 0, reasoning: 0, ...s.tokens });
  return total;
}

function addTokens(into: FactTokens, t: FactTokens | undefined): void {
  if (!t) return;
  into.input += t.input;
  into.output += t.output;
  into.cached_input += t.cached_input;
  into.reasoning += t.reasoning;
}

interface Tree {
  byId: Map<string, SpanFacts>;
  children: Map<string, SpanFacts[]>;
  /** Spans whose parent is neither empty nor present. */
  orphans: SpanFacts[];
}

function buildTree(spans: SpanFacts[]): Tree {
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  const children = new Map<string, SpanFacts[]>();
  const orphans: SpanFacts[] = [];
  for (const s of spans) {
    if (s.parentSpanId === '') continue;
    if (!byId.has(s.parentSpanId)) {
      orphans.push(s);
      continue;
    }
    const list = children.get(s.parentSpanId);
    if (list) list.push(s);
    else children.set(s.parentSpanId, [s]);
  }
  return { byId, children, orphans };
}

/** True when some ancestor of `f` (as far as known) satisfies `pred`. */
function hasAncestor(tree: Tree, f: SpanFacts, pred: (s: SpanFacts) => boolean): boolean {
  const seen = new Set<string>([f.spanId]);
  let parent = tree.byId.get(f.parentSpanId);
  while (parent && !seen.has(parent.spanId)) {
    if (pred(parent)) return true;
    seen.add(parent.spanId);
    parent = tree.byId.get(parent.parentSpanId);
  }
  return false;
}

function descendants(tree: Tree, root: SpanFacts, extra: SpanFacts[]): SpanFacts[] {
  const out: SpanFacts[] = [];
  const seen = new Set<string>([root.spanId]);
  const stack = [...(tree.children.get(root.spanId) ?? []), ...extra];
  while (stack.length > 0) {
    const s = stack.pop()!;
    if (seen.has(s.spanId)) continue;
    seen.add(s.spanId);
    out.push(s);
    for (const c of tree.children.get(s.spanId) ?? []) stack.push(c);
  }
  return out;
}

function step(tree: Tree, f: SpanFacts): Step {
  // An outer generation span without usage takes the usage of the model calls inside it.
  let tokens = f.tokens;
  if (!tokens) {
    const inner = descendants(tree, f, []).filter((d) => d.role === 'llm' && d.tokens);
    if (inner.length > 0) {
      tokens = { input: 0, output: 0, cached_input: 0, reasoning: 0 };
      for (const d of inner) addTokens(tokens, d.tokens);
    }
  }
  const model = f.model ?? descendants(tree, f, []).find((d) => d.role === 'llm' && d.model)?.model;
  return {
    ...(model !== undefined ? { model } : {}),
    ...(ms(f.startMs) !== undefined ? { started_at: ms(f.startMs)! } : {}),
    duration_ms: lengthMs(f),
    ...(tokens ? { tokens: { ...tokens } } : {}),
    ...(f.finishReason !== undefined ? { finish_reason: f.finishReason } : {}),
    ...(f.requestId !== undefined ? { request_id: f.requestId } : {}),
    ...(failed(f) ? { error: errorInfo(f) ?? { type: 'error' } } : {}),
    ...(f.toolCallsRequested ? { tool_calls_requested: f.toolCallsRequested } : {}),
  };
}

function toolCall(f: SpanFacts): ToolCall {
  const status = toolStatus(f);
  return {
    name: f.toolName ?? 'unknown_tool',
    status,
    duration_ms: lengthMs(f),
    ...(ms(f.startMs) !== undefined ? { started_at: ms(f.startMs)! } : {}),
    ...(f.callId !== undefined ? { call_id: f.callId } : {}),
    ...(f.argsHash !== undefined ? { args_hash: f.argsHash } : {}),
    ...(status !== 'success' ? { error: errorInfo(f) ?? { type: status } } : {}),
  };
}

function endState(status: CompletionStatus): string {
  return status === 'success' ? 'completed' : status;
}

function common(traceId: string, root: SpanFacts, related: SpanFacts[]): Pick<Run, 'environment' | 'release' | 'session_id' | 'user_id' | 'tags'> {
  const pick = (get: (f: SpanFacts) => string | undefined) => get(root) ?? related.map(get).find((v) => v !== undefined);
  const service = pick((f) => f.service);
  const tags: Record<string, string> = { 'otel.trace_id': traceId };
  if (service !== undefined) tags['service.name'] = service.slice(0, MAX_TAG);
  const environment = pick((f) => f.environment);
  const release = pick((f) => f.serviceVersion);
  const session = pick((f) => f.sessionId);
  const user = pick((f) => f.userId);
  return {
    ...(environment !== undefined ? { environment } : {}),
    ...(release !== undefined ? { release } : {}),
    ...(session !== undefined ? { session_id: session } : {}),
    ...(user !== undefined ? { user_id: user } : {}),
    tags,
  };
}

function runId(traceId: string, root: SpanFacts): string {
  return root.parentSpanId === '' ? traceId : `${traceId}-${root.spanId}`;
}

function timing(root: SpanFacts): Pick<Run, 'timestamp' | 'ended_at' | 'duration_ms'> {
  const start = ms(root.startMs);
  const end = ms(root.endMs);
  return {
    ...(start !== undefined ? { timestamp: start } : {}),
    ...(start !== undefined && end !== undefined ? { ended_at: Math.max(end, start) } : {}),
    duration_ms: lengthMs(root),
  };
}

function agentRun(traceId: string, tree: Tree, root: SpanFacts, adopted: SpanFacts[]): Run {
  const below = descendants(tree, root, adopted);
  const llms = below.filter((s) => s.role === 'llm' && !hasAncestor(tree, s, (p) => p.role === 'llm'))
    .sort((a, b) => a.startMs - b.startMs);
  const tools = below.filter((s) => s.role === 'tool').sort((a, b) => a.startMs - b.startMs);
  const steps = llms.map((s) => step(tree, s));
  // A stream's error reaches the stream, not its root span: the run failed if its last call did.
  const lastCall = llms[llms.length - 1];
  const outcome = root.endsWithLastCall && !failed(root) && lastCall !== undefined && failed(lastCall) ? lastCall : root;
  const status = runStatus(outcome);

  const events: Transition[] = [];
  for (const s of llms) if (ms(s.startMs) !== undefined) events.push({ state: 'thinking', at: ms(s.startMs)! });
  for (const t of tools) if (ms(t.startMs) !== undefined) events.push({ state: `tool:${t.toolName ?? 'unknown_tool'}`, at: ms(t.startMs)! });
  for (const h of below) {
    if (h.role === 'handoff' && h.handoffTo !== undefined && ms(h.startMs) !== undefined) events.push({ state: `handoff:${h.handoffTo}`, at: ms(h.startMs)! });
  }
  events.sort((a, b) => Number(a.at) - Number(b.at));
  const transitions: Transition[] = [];
  if (ms(root.startMs) !== undefined) transitions.push({ state: 'started', at: ms(root.startMs)! });
  // Very long runs keep their first transitions and the end state, within the wire limits.
  transitions.push(...events.slice(0, MAX_TRANSITIONS_PER_RUN - 2));
  if (ms(root.endMs) !== undefined) transitions.push({ state: endState(status), at: ms(root.endMs)! });

  const run: Run = {
    run_id: runId(traceId, root),
    agent_name: runName(root, below),
    completion_status: status,
    ...timing(root),
    iterations: steps.length,
    ...(root.model !== undefined ? { model: root.model } : {}),
    ...(steps.length > MAX_STEPS_PER_RUN ? { tokens: sumTokens(steps) } : {}),
    ...(errorInfo(outcome) && status !== 'success' ? { error: errorInfo(outcome)! } : {}),
    ...common(traceId, root, below),
    tool_calls: tools.slice(0, MAX_TOOL_CALLS_PER_RUN).map(toolCall),
    steps: steps.slice(0, MAX_STEPS_PER_RUN),
    transitions,
  };
  // A root that reports usage but whose model calls were not traced still counts its tokens.
  if (steps.length === 0 && root.tokens) run.tokens = { ...root.tokens };
  return run;
}

function runName(root: SpanFacts, below: SpanFacts[]): string {
  const inner = root.agentNameFromSpan
    ? below.filter((s) => s.role === 'agent' && s.agentName !== undefined && !s.agentNameFromSpan).sort((a, b) => a.startMs - b.startMs)[0]
    : undefined;
  return inner?.agentName ?? root.agentName ?? root.service ?? below.find((s) => s.service)?.service ?? UNKNOWN_SERVICE;
}

/**
 * Stands in for a run root that never arrived: it spans its known children, is named from their
 * agent hint, and has failed (with a failed model call's error, else ROOT_SPAN_MISSING).
 */
function missingRoot(spanId: string, members: SpanFacts[]): SpanFacts {
  const byStart = [...members].sort((a, b) => a.startMs - b.startMs);
  const failedCall = byStart.find((m) => m.role === 'llm' && failed(m));
  const first = byStart[0]!;
  return {
    spanId,
    // Not a span id, so never found: the run id becomes `<trace id>-<missing span id>`, the id
    // the run keeps if that span arrives late.
    parentSpanId: '-',
    name: '',
    role: 'agent',
    startMs: first.startMs,
    endMs: Math.max(...members.map((m) => m.endMs)),
    statusCode: 2,
    errorType: failedCall?.errorType ?? ROOT_SPAN_MISSING,
    errorMessage: failedCall?.errorMessage ?? "the run's root span never arrived, so how the run ended is unknown",
    ...(byStart.find((m) => m.agentHint)?.agentHint !== undefined ? { agentName: byStart.find((m) => m.agentHint)!.agentHint } : {}),
    ...(first.service !== undefined ? { service: first.service } : {}),
  };
}

/** The topmost known ancestor of `f` (itself when its parent is missing). */
function topBelow(tree: Tree, f: SpanFacts): SpanFacts {
  const seen = new Set<string>();
  let top = f;
  while (!seen.has(top.spanId)) {
    seen.add(top.spanId);
    const parent = tree.byId.get(top.parentSpanId);
    if (!parent) break;
    top = parent;
  }
  return top;
}

/** The id of the missing span above `f`, or undefined when its topmost known ancestor is the trace root. */
function missingAncestor(tree: Tree, f: SpanFacts): string | undefined {
  const top = topBelow(tree, f);
  return top.parentSpanId === '' || tree.byId.has(top.parentSpanId) ? undefined : top.parentSpanId;
}

function llmRun(traceId: string, tree: Tree, span: SpanFacts): Run {
  const status = runStatus(span);
  const s = step(tree, span);
  return {
    run_id: runId(traceId, span),
    agent_name: span.agentHint ?? span.service ?? UNKNOWN_SERVICE,
    completion_status: status,
    ...timing(span),
    iterations: 1,
    ...(errorInfo(span) && status !== 'success' ? { error: errorInfo(span)! } : {}),
    ...common(traceId, span, []),
    tool_calls: [],
    steps: [s],
    transitions: [
      ...(ms(span.startMs) !== undefined ? [{ state: 'started', at: ms(span.startMs)! }, { state: 'thinking', at: ms(span.startMs)! }] : []),
      ...(ms(span.endMs) !== undefined ? [{ state: endState(status), at: ms(span.endMs)! }] : []),
    ],
  };
}

/** The runs one trace's spans describe; the same spans always give the same runs. */
export function traceToRuns(traceId: string, spans: SpanFacts[]): Run[] {
  const tree = buildTree(spans);
  const roots = spans.filter((s) => isRoot(s) && !hasAncestor(tree, s, isRoot));
  // Spans whose parent is missing: with exactly one run root, they belong to it (a split trace
  // whose middle spans never came); otherwise they stand alone.
  const adopted = roots.length === 1 ? tree.orphans.filter((o) => !isRoot(o)) : [];
  const runs = roots.map((r) => agentRun(traceId, tree, r, adopted));
  const covered = new Set<string>();
  for (const r of roots) for (const d of descendants(tree, r, adopted)) covered.add(d.spanId);
  // Model and tool spans left over, grouped by the missing span above them.
  const loose = spans.filter((s) => (s.role === 'llm' || s.role === 'tool') && !covered.has(s.spanId) && !hasAncestor(tree, s, (p) => p.role === 'llm'));
  const groups = new Map<string, SpanFacts[]>();
  for (const s of loose) {
    const missing = missingAncestor(tree, s);
    if (missing === undefined) continue;
    const list = groups.get(missing);
    if (list) list.push(s);
    else groups.set(missing, [s]);
  }
  const grouped = new Set<string>();
  for (const [missing, members] of groups) {
    // One model call alone, naming no agent, is just a model call (its caller was not traced).
    if (members.length === 1 && members[0]!.agentHint === undefined) continue;
    const root = missingRoot(missing, members);
    const withRoot = buildTree([...spans, root]);
    withRoot.children.set(root.spanId, [...new Set(members.map((m) => topBelow(tree, m)))]);
    runs.push(agentRun(traceId, withRoot, root, []));
    for (const d of descendants(withRoot, root, [])) grouped.add(d.spanId);
  }
  for (const s of loose) {
    if (s.role !== 'llm' || grouped.has(s.spanId)) continue;
    runs.push(llmRun(traceId, tree, s));
  }
  return runs.sort((a, b) => (a.run_id < b.run_id ? -1 : a.run_id > b.run_id ? 1 : 0));
}
