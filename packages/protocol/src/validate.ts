// Validators for everything the server accepts. They never throw: they return the value or a list
// of issues, each naming the offending field by JSON pointer (`/runs/3/tool_calls/0/status`).
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { AgentConfigSchema, type AgentConfig } from './agent-schema.js';
import { MAX_EPOCH_MS, MAX_JSON_DEPTH, MIN_EPOCH_MS } from './limits.js';
import { RunBatchSchema, RunSchema, type Run, type RunBatch } from './run-schema.js';

export interface Issue {
  /** JSON pointer to the offending value ('' for the whole body). */
  path: string;
  message: string;
}

export type Validation<T> = { ok: true; value: T } | { ok: false; issues: Issue[] };

/** ISO 8601 date-time with a zone designator (Z or ±hh:mm), optionally with fractional seconds. */
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

/** Parses a wire time (ISO 8601 or epoch ms) to epoch ms, or undefined when it is not one. */
export function parseTime(value: unknown): number | undefined {
  if (typeof value === 'number') {
    return Number.isFinite(value) && value >= MIN_EPOCH_MS && value <= MAX_EPOCH_MS ? Math.floor(value) : undefined;
  }
  if (typeof value !== 'string' || !ISO_TIME.test(value) || !isRealDate(value)) return undefined;
  const ms = Date.parse(value);
  return Number.isFinite(ms) && ms >= MIN_EPOCH_MS && ms <= MAX_EPOCH_MS ? ms : undefined;
}

/**
 * Date.parse rolls impossible dates over ("2024-02-30" becomes 1 March) and takes hour 24: a
 * client that sent one has a bug, and storing another day than it sent would hide it.
 */
function isRealDate(iso: string): boolean {
  const y = Number(iso.slice(0, 4));
  const m = Number(iso.slice(5, 7));
  const d = Number(iso.slice(8, 10));
  const hour = Number(iso.slice(11, 13));
  const minute = Number(iso.slice(14, 16));
  const second = iso[16] === ':' ? Number(iso.slice(17, 19)) : 0;
  if (m < 1 || m > 12 || d < 1 || hour > 23 || minute > 59 || second > 59) return false;
  return new Date(Date.UTC(y, m - 1, d)).getUTCDate() === d;
}

/** A string with a lone UTF-16 surrogate cannot be stored as UTF-8 unchanged (it becomes U+FFFD). */
const isWellFormed = (s: string) => (s as string & { isWellFormed(): boolean }).isWellFormed();

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false, allowUnionTypes: true });
ajv.addKeyword({
  keyword: 'vigilTime',
  schemaType: 'boolean',
  errors: false,
  validate: (_schema: boolean, data: unknown) => parseTime(data) !== undefined,
});

const compiled = {
  run: ajv.compile<Run>(RunSchema),
  batch: ajv.compile<RunBatch>(RunBatchSchema),
  agent: ajv.compile<AgentConfig>(AgentConfigSchema),
};

function issueOf(e: ErrorObject): Issue {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return { path: `${e.instancePath}/${String(p.missingProperty)}`, message: 'is required' };
    case 'additionalProperties':
      return { path: `${e.instancePath}/${String(p.additionalProperty)}`, message: 'is not a known field' };
    case 'vigilTime':
      return { path: e.instancePath, message: 'must be an ISO 8601 time with a zone, or epoch milliseconds, between 2000 and 2200' };
    case 'maxLength':
      return { path: e.instancePath, message: `must be at most ${String(p.limit)} characters` };
    case 'minLength':
      return { path: e.instancePath, message: Number(p.limit) === 1 ? 'must not be empty' : `must be at least ${String(p.limit)} characters` };
    case 'maxItems':
      return { path: e.instancePath, message: `must have at most ${String(p.limit)} items` };
    case 'minItems':
      return { path: e.instancePath, message: `must have at least ${String(p.limit)} item${Number(p.limit) === 1 ? '' : 's'}` };
    case 'maxProperties':
      return { path: e.instancePath, message: `must have at most ${String(p.limit)} keys` };
    default:
      return { path: e.instancePath, message: e.message ?? 'is invalid' };
  }
}

/**
 * Turns Ajv's errors into one issue per path. A union of literals (an enum) produces one error per
 * branch plus an anyOf error; they collapse into "must be one of a, b, c".
 */
function toIssues(errors: ErrorObject[] | null | undefined): Issue[] {
  const byPath = new Map<string, Issue>();
  const literals = new Map<string, string[]>();
  for (const e of errors ?? []) {
    if (e.keyword === 'const') {
      const list = literals.get(e.instancePath) ?? [];
      list.push(String((e.params as { allowedValue: unknown }).allowedValue));
      literals.set(e.instancePath, list);
      continue;
    }
    if (e.keyword === 'anyOf') continue;
    const issue = issueOf(e);
    if (!byPath.has(issue.path)) byPath.set(issue.path, issue);
  }
  for (const [path, values] of literals) {
    byPath.set(path, { path, message: `must be one of ${values.join(', ')}` });
  }
  return [...byPath.values()];
}

/**
 * True when a parsed body holds a reserved key, a NUL character or a lone surrogate anywhere, or
 * nests deeper than MAX_JSON_DEPTH. No paths: the fast check. The depth bound also keeps these
 * walks (and every later one) far from the call stack's limit.
 */
function hasUnsafeContent(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return value.includes('\u0000') || !isWellFormed(value);
  if (value === null || typeof value !== 'object') return false;
  if (depth >= MAX_JSON_DEPTH) return true;
  if (Array.isArray(value)) {
    for (const v of value) if (hasUnsafeContent(v, depth + 1)) return true;
    return false;
  }
  for (const key in value) {
    if (FORBIDDEN_KEYS.has(key) || key.includes('\u0000') || !isWellFormed(key) || hasUnsafeContent((value as Record<string, unknown>)[key], depth + 1)) return true;
  }
  return false;
}

/**
 * Finds keys like `__proto__` (JSON.parse keeps them as own keys, where later code could reach a
 * prototype), NUL characters (no database stores them the same way), lone UTF-16 surrogates
 * (stored as U+FFFD, not as sent) and nesting past MAX_JSON_DEPTH anywhere in a body.
 */
export function findUnsafeContent(value: unknown, path = '', out: Issue[] = [], depth = 0): Issue[] {
  if (typeof value === 'string') {
    if (value.includes('\u0000')) out.push({ path, message: 'must not contain the NUL character (U+0000)' });
    else if (!isWellFormed(value)) out.push({ path, message: 'must not contain a lone UTF-16 surrogate' });
    return out;
  }
  if (value === null || typeof value !== 'object') return out;
  if (depth >= MAX_JSON_DEPTH) {
    out.push({ path, message: `nests deeper than ${MAX_JSON_DEPTH} levels` });
    return out;
  }
  if (Array.isArray(value)) {
    value.forEach((v, i) => findUnsafeContent(v, `${path}/${i}`, out, depth + 1));
    return out;
  }
  for (const key of Object.keys(value)) {
    const child = `${path}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    if (FORBIDDEN_KEYS.has(key)) out.push({ path: child, message: 'is a reserved key and not allowed' });
    else if (key.includes('\u0000')) out.push({ path: child, message: 'must not contain the NUL character (U+0000)' });
    else if (!isWellFormed(key)) out.push({ path: child, message: 'must not contain a lone UTF-16 surrogate' });
    else findUnsafeContent((value as Record<string, unknown>)[key], child, out, depth + 1);
  }
  return out;
}

function run<T>(fn: ValidateFunction<T>, value: unknown, prefix = ''): Validation<T> {
  if (hasUnsafeContent(value)) return { ok: false, issues: findUnsafeContent(value, prefix) };
  if (fn(value)) return { ok: true, value };
  const issues = toIssues(fn.errors).map((i) => ({ ...i, path: prefix + i.path }));
  return { ok: false, issues };
}

export function validateRun(value: unknown): Validation<Run> {
  return run(compiled.run, value);
}

export function validateRunBatch(value: unknown): Validation<RunBatch> {
  return run(compiled.batch, value);
}

/** The seed's `POST /metrics` body: one run object, or an array of them. */
export function validateSeedPayload(value: unknown): Validation<Run[]> {
  if (Array.isArray(value)) {
    if (value.length === 0) return { ok: false, issues: [{ path: '', message: 'must have at least 1 item' }] };
    const issues: Issue[] = [];
    value.forEach((item, i) => {
      const r = run(compiled.run, item, `/${i}`);
      if (!r.ok) issues.push(...r.issues);
    });
    return issues.length > 0 ? { ok: false, issues } : { ok: true, value: value as Run[] };
  }
  if (value === null || typeof value !== 'object') {
    return { ok: false, issues: [{ path: '', message: 'must be a run object or an array of runs' }] };
  }
  const r = run(compiled.run, value);
  return r.ok ? { ok: true, value: [r.value] } : r;
}

export function validateAgentConfig(value: unknown): Validation<AgentConfig> {
  return run(compiled.agent, value);
}
