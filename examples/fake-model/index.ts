// A fake OpenAI-compatible model server for tests, benchmarks and the demo fleet. It must never
// call out to the network or hold state between servers: each one answers from its own script.
//
// Usage:
//   const fake = await startFakeModelServer({ replies: [toolCalls([{ name: 'lookup', arguments: { q: 'x' } }]), text('done')] });
//   const openai = new OpenAI({ baseURL: fake.baseURL, apiKey: 'test', maxRetries: 0 });
//   ... fake.requests holds every parsed request; fake.enqueue(...) adds replies; await fake.close();
//
// Endpoints: POST /v1/chat/completions and POST /v1/responses, streaming (`stream: true`, SSE) or
// not. Each request takes the next scripted reply (then `handler`, then `defaultReply`): text,
// tool calls, an HTTP error (429 with Retry-After, 500, ...), a delay before answering, or a hang
// until the client gives up. Chat streams carry usage only when the request asks for it
// (`stream_options.include_usage`), like the real API.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeUsage {
  input: number;
  output: number;
  cachedInput?: number;
  reasoning?: number;
}

export interface FakeToolCall {
  name: string;
  /** Object arguments are JSON-encoded; strings are sent as they are. */
  arguments: unknown;
  id?: string;
}

interface ReplyCommon {
  /** Milliseconds to wait before answering (the headers too). */
  delayMs?: number;
}

export type FakeReply =
  | (ReplyCommon & { kind: 'text'; text: string; usage?: FakeUsage; finishReason?: string; model?: string })
  | (ReplyCommon & { kind: 'tool_calls'; calls: FakeToolCall[]; text?: string; usage?: FakeUsage; model?: string })
  | (ReplyCommon & { kind: 'error'; status: number; message?: string; type?: string; headers?: Record<string, string> })
  /** Never answers; the socket is closed when the server closes. */
  | { kind: 'hang' };

export type FakeEndpoint = 'chat.completions' | 'responses';

export interface FakeRequest {
  endpoint: FakeEndpoint;
  body: Record<string, unknown>;
  headers: IncomingMessage['headers'];
  stream: boolean;
}

export interface FakeModelServerOptions {
  port?: number;
  host?: string;
  /** Replies taken in order, one per request. */
  replies?: FakeReply[];
  /** Asked when the scripted replies are used up. */
  handler?: (request: FakeRequest) => FakeReply | Promise<FakeReply>;
  /** Used when there is neither a scripted reply nor a handler. Default: text('ok'). */
  defaultReply?: FakeReply;
  /** Keep every request in `requests` (default true; benchmarks turn it off). */
  recordRequests?: boolean;
  /** Epoch seconds for every `created`/`created_at`, so two servers give byte-identical answers. Default: now. */
  createdAt?: number;
}

export interface FakeModelServer {
  /** Base URL for the OpenAI client, ending in `/v1`. */
  baseURL: string;
  port: number;
  requests: FakeRequest[];
  enqueue(...replies: FakeReply[]): void;
  setHandler(handler: FakeModelServerOptions['handler']): void;
  close(): Promise<void>;
}

const DEFAULT_USAGE: FakeUsage = { input: 10, output: 5 };
const DEFAULT_MODEL = 'gpt-4-turbo';

export const text = (value: string, extra: Partial<Omit<Extract<FakeReply, { kind: 'text' }>, 'kind' | 'text'>> = {}): FakeReply => ({
  kind: 'text',
  text: value,
  ...extra,
});
export const toolCalls = (calls: FakeToolCall[], extra: Partial<Omit<Extract<FakeReply, { kind: 'tool_calls' }>, 'kind' | 'calls'>> = {}): FakeReply => ({
  kind: 'tool_calls',
  calls,
  ...extra,
});
export const httpError = (status: number, extra: Partial<Omit<Extract<FakeReply, { kind: 'error' }>, 'kind' | 'status'>> = {}): FakeReply => ({
  kind: 'error',
  status,
  ...extra,
});
/** A 429 whose Retry-After (seconds) tells the client when to come back. */
export const rateLimited = (retryAfterSeconds = 0): FakeReply =>
  httpError(429, { message: 'Rate limit reached', type: 'rate_limit_error', headers: { 'retry-after': String(retryAfterSeconds) } });

export async function startFakeModelServer(options: FakeModelServerOptions = {}): Promise<FakeModelServer> {
  const queue: FakeReply[] = [...(options.replies ?? [])];
  let handler = options.handler;
  const record = options.recordRequests ?? true;
  const requests: FakeRequest[] = [];
  let seq = 0;

  const server = createServer((req, res) => {
    void handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: String(err), type: 'server_error' } }));
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = req.url ?? '';
    const endpoint: FakeEndpoint | undefined = url.endsWith('/chat/completions')
      ? 'chat.completions'
      : url.endsWith('/responses')
        ? 'responses'
        : undefined;
    if (req.method !== 'POST' || !endpoint) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: `no route ${req.method ?? ''} ${url}`, type: 'invalid_request_error' } }));
      return;
    }
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
    const request: FakeRequest = { endpoint, body, headers: req.headers, stream: body.stream === true };
    if (record) requests.push(request);
    const reply = queue.shift() ?? (handler ? await handler(request) : (options.defaultReply ?? text('ok')));
    if (reply.kind === 'hang') return;
    if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
    const id = ++seq;
    const requestId = `req_fake_${id}`;
    if (reply.kind === 'error') {
      res.writeHead(reply.status, { 'content-type': 'application/json', 'x-request-id': requestId, ...reply.headers });
      res.end(JSON.stringify({ error: { message: reply.message ?? `fake error ${reply.status}`, type: reply.type ?? 'server_error', code: null, param: null } }));
      return;
    }
    const model = reply.model ?? (typeof body.model === 'string' ? body.model : DEFAULT_MODEL);
    const at: Meta = { id, model, created: options.createdAt ?? Math.floor(Date.now() / 1000) };
    if (endpoint === 'chat.completions') {
      if (request.stream) writeChatStream(res, reply, at, requestId, includeUsage(body));
      else sendJson(res, chatCompletion(reply, at), requestId);
    } else if (request.stream) {
      writeResponseStream(res, reply, at, requestId);
    } else {
      sendJson(res, responseObject(reply, at), requestId);
    }
  }

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    baseURL: `http://${options.host ?? '127.0.0.1'}:${port}/v1`,
    port,
    requests,
    enqueue: (...replies) => void queue.push(...replies),
    setHandler: (h) => void (handler = h),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function includeUsage(body: Record<string, unknown>): boolean {
  const so = body.stream_options as { include_usage?: unknown } | undefined;
  return so?.include_usage === true;
}

function sendJson(res: ServerResponse, value: unknown, requestId: string): void {
  const payload = JSON.stringify(value);
  res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': requestId, 'content-length': Buffer.byteLength(payload) });
  res.end(payload);
}

function argsText(args: unknown): string {
  return typeof args === 'string' ? args : JSON.stringify(args ?? {});
}

function usageOf(reply: FakeReply): FakeUsage {
  return ('usage' in reply && reply.usage) || DEFAULT_USAGE;
}

function chatUsage(u: FakeUsage) {
  return {
    prompt_tokens: u.input,
    completion_tokens: u.output,
    total_tokens: u.input + u.output,
    prompt_tokens_details: { cached_tokens: u.cachedInput ?? 0 },
    completion_tokens_details: { reasoning_tokens: u.reasoning ?? 0 },
  };
}

function responsesUsage(u: FakeUsage) {
  return {
    input_tokens: u.input,
    input_tokens_details: { cached_tokens: u.cachedInput ?? 0 },
    output_tokens: u.output,
    output_tokens_details: { reasoning_tokens: u.reasoning ?? 0 },
    total_tokens: u.input + u.output,
  };
}

const callId = (id: number, i: number, call: FakeToolCall) => call.id ?? `call_${id}_${i}`;

/** What every answer to one request shares. */
interface Meta {
  id: number;
  model: string;
  created: number;
}

type Answer = Extract<FakeReply, { kind: 'text' | 'tool_calls' }>;

function chatCompletion(reply: Answer, { id, model, created }: Meta) {
  const isTools = reply.kind === 'tool_calls';
  return {
    id: `chatcmpl-${id}`,
    object: 'chat.completion',
    created,
    model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: isTools ? (reply.text ?? null) : reply.text,
          refusal: null,
          ...(isTools
            ? { tool_calls: reply.calls.map((c, i) => ({ id: callId(id, i, c), type: 'function', function: { name: c.name, arguments: argsText(c.arguments) } })) }
            : {}),
        },
        logprobs: null,
        finish_reason: isTools ? 'tool_calls' : (reply.finishReason ?? 'stop'),
      },
    ],
    usage: chatUsage(usageOf(reply)),
  };
}

function writeSse(res: ServerResponse, requestId: string, events: Array<{ event?: string; data: unknown }>, done: boolean): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'x-request-id': requestId });
  let out = '';
  for (const e of events) out += `${e.event ? `event: ${e.event}\n` : ''}data: ${JSON.stringify(e.data)}\n\n`;
  if (done) out += 'data: [DONE]\n\n';
  res.end(out);
}

function writeChatStream(res: ServerResponse, reply: Answer, { id, model, created }: Meta, requestId: string, withUsage: boolean): void {
  const base = { id: `chatcmpl-${id}`, object: 'chat.completion.chunk', created, model };
  const chunk = (delta: unknown, finish: string | null) => ({ ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], ...(withUsage ? { usage: null } : {}) });
  const events: Array<{ data: unknown }> = [{ data: chunk({ role: 'assistant', content: '', refusal: null }, null) }];
  if (reply.kind === 'text') {
    for (const piece of splitText(reply.text)) events.push({ data: chunk({ content: piece }, null) });
    events.push({ data: chunk({}, reply.finishReason ?? 'stop') });
  } else {
    reply.calls.forEach((c, i) => {
      events.push({ data: chunk({ tool_calls: [{ index: i, id: callId(id, i, c), type: 'function', function: { name: c.name, arguments: '' } }] }, null) });
      events.push({ data: chunk({ tool_calls: [{ index: i, function: { arguments: argsText(c.arguments) } }] }, null) });
    });
    events.push({ data: chunk({}, 'tool_calls') });
  }
  if (withUsage) events.push({ data: { ...base, choices: [], usage: chatUsage(usageOf(reply)) } });
  writeSse(res, requestId, events, true);
}

function splitText(value: string): string[] {
  const parts = value.match(/.{1,8}/gs);
  return parts ?? [''];
}

function outputItems(reply: Answer, id: number) {
  const message = (t: string) => ({
    type: 'message',
    id: `msg_${id}`,
    status: 'completed',
    role: 'assistant',
    content: [{ type: 'output_text', text: t, annotations: [], logprobs: [] }],
  });
  if (reply.kind === 'text') return [message(reply.text)];
  return [
    ...(reply.text ? [message(reply.text)] : []),
    ...reply.calls.map((c, i) => ({
      type: 'function_call',
      id: `fc_${id}_${i}`,
      call_id: callId(id, i, c),
      name: c.name,
      arguments: argsText(c.arguments),
      status: 'completed',
    })),
  ];
}

function responseObject(reply: Answer, { id, model, created }: Meta, status = 'completed') {
  const incomplete = reply.kind === 'text' && reply.finishReason === 'length';
  return {
    id: `resp_${id}`,
    object: 'response',
    created_at: created,
    status: incomplete ? 'incomplete' : status,
    error: null,
    incomplete_details: incomplete ? { reason: 'max_output_tokens' } : null,
    instructions: null,
    model,
    output: status === 'in_progress' ? [] : outputItems(reply, id),
    parallel_tool_calls: true,
    temperature: 1,
    tool_choice: 'auto',
    tools: [],
    top_p: 1,
    usage: status === 'in_progress' ? null : responsesUsage(usageOf(reply)),
  };
}

function writeResponseStream(res: ServerResponse, reply: Answer, meta: Meta, requestId: string): void {
  let n = 0;
  const ev = (type: string, data: Record<string, unknown>) => ({ event: type, data: { type, sequence_number: n++, ...data } });
  const final = responseObject(reply, meta);
  const events = [ev('response.created', { response: responseObject(reply, meta, 'in_progress') })];
  final.output.forEach((item, outputIndex) => {
    events.push(ev('response.output_item.added', { output_index: outputIndex, item: { ...item, status: 'in_progress', ...(item.type === 'message' ? { content: [] } : { arguments: '' }) } }));
    if (item.type === 'message' && 'content' in item) {
      const t = item.content[0]?.text ?? '';
      for (const piece of splitText(t)) events.push(ev('response.output_text.delta', { item_id: item.id, output_index: outputIndex, content_index: 0, delta: piece, logprobs: [] }));
      events.push(ev('response.output_text.done', { item_id: item.id, output_index: outputIndex, content_index: 0, text: t, logprobs: [] }));
    } else if ('arguments' in item) {
      events.push(ev('response.function_call_arguments.delta', { item_id: item.id, output_index: outputIndex, delta: item.arguments }));
      events.push(ev('response.function_call_arguments.done', { item_id: item.id, output_index: outputIndex, arguments: item.arguments }));
    }
    events.push(ev('response.output_item.done', { output_index: outputIndex, item }));
  });
  events.push(ev(final.status === 'incomplete' ? 'response.incomplete' : 'response.completed', { response: final }));
  writeSse(res, requestId, events, false);
}
