// The alert API: GET /api/alerts (state filter, silences marked), GET /api/alerts/history, and
// silences (GET, POST, DELETE /api/silences). Registered as a read plugin; creating or expiring a
// silence also needs the `admin` scope, because a read key is what scrapers and dashboards hold
// and must not be able to mute production paging.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { parseTime, type Issue } from '@vigil/protocol';
import { ApiError, validationError } from '../web/errors.js';
import { enumListParam, intParam, rangeParams, single, type Query } from '../query/params.js';
import type { AlertStateStore } from '../store/store.js';
import { markSilenced, silenceStatus, type SilenceService } from './silences.js';
import type { AlertInstance, AlertState, AlertTransition, AlertView, Silence, SilenceMatcher } from './types.js';

const STATES: readonly AlertState[] = ['pending', 'firing', 'resolved'];
/** Listed firing first, then pending, then resolved; newest first within each. */
const LIST_ORDER: Record<AlertState, number> = { firing: 0, pending: 1, resolved: 2 };
const LABEL_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const MAX_MATCHERS = 32;
const MAX_COMMENT = 4096;

export interface AlertRoutesDeps {
  store: AlertStateStore;
  silences: SilenceService;
  now: () => number;
  /** The onRequest hook that requires the admin scope (http/auth.ts requireScope). */
  requireAdmin: (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
}

const iso = (t: number | null): string | null => (t === null ? null : new Date(t).toISOString());

/** An alert as the API shows it: DESIGN's fields first, then Vigil's extras. */
export function alertJson(a: AlertView) {
  return {
    alertname: a.labels.alertname ?? '',
    labels: a.labels,
    state: a.state,
    value: a.value,
    annotations: a.annotations,
    startsAt: iso(a.activeAt),
    endsAt: iso(a.resolvedAt),
    firedAt: iso(a.firedAt),
    lastSeenAt: iso(a.lastSeenAt),
    fingerprint: a.fingerprint,
    silenced: a.silenced,
    silencedBy: a.silencedBy,
  };
}

export function silenceJson(s: Silence, now: number) {
  return {
    id: s.id,
    matchers: s.matchers,
    startsAt: iso(s.startsAt),
    endsAt: iso(s.endsAt),
    comment: s.comment,
    createdBy: s.createdBy,
    createdAt: iso(s.createdAt),
    status: { state: silenceStatus(s, now) },
  };
}

/** Validates a POST /api/silences body; issues name fields by JSON pointer. */
export function parseSilenceBody(body: unknown, now: number): { ok: true; value: Omit<Silence, 'id' | 'createdAt' | 'projectId' | 'createdBy'> & { createdBy?: string } } | { ok: false; issues: Issue[] } {
  const issues: Issue[] = [];
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { ok: false, issues: [{ path: '', message: 'must be an object' }] };
  const b = body as Record<string, unknown>;
  for (const k of Object.keys(b)) {
    if (!['matchers', 'startsAt', 'endsAt', 'comment', 'createdBy'].includes(k)) issues.push({ path: `/${k}`, message: 'is not a known field' });
  }
  const matchers: SilenceMatcher[] = [];
  if (!Array.isArray(b.matchers) || b.matchers.length === 0 || b.matchers.length > MAX_MATCHERS) {
    issues.push({ path: '/matchers', message: `must be a list of 1 to ${MAX_MATCHERS} matchers` });
  } else {
    b.matchers.forEach((m: unknown, i) => {
      const at = `/matchers/${i}`;
      if (typeof m !== 'object' || m === null || Array.isArray(m)) return issues.push({ path: at, message: 'must be an object {name, value, isRegex, isEqual}' });
      const mm = m as Record<string, unknown>;
      if (typeof mm.name !== 'string' || !LABEL_NAME.test(mm.name)) issues.push({ path: `${at}/name`, message: 'must be a label name' });
      if (typeof mm.value !== 'string') issues.push({ path: `${at}/value`, message: 'must be a string' });
      if (mm.isRegex !== undefined && typeof mm.isRegex !== 'boolean') issues.push({ path: `${at}/isRegex`, message: 'must be true or false' });
      if (mm.isEqual !== undefined && typeof mm.isEqual !== 'boolean') issues.push({ path: `${at}/isEqual`, message: 'must be true or false' });
      if (mm.isRegex === true && typeof mm.value === 'string') {
        try {
          new RegExp(`^(?:${mm.value})$`);
        } catch {
          issues.push({ path: `${at}/value`, message: 'is not a valid regular expression' });
        }
      }
      matchers.push({ name: String(mm.name), value: String(mm.value), isRegex: mm.isRegex === true, isEqual: mm.isEqual !== false });
    });
  }
  const startsAt = b.startsAt === undefined ? now : parseTime(b.startsAt);
  if (startsAt === undefined) issues.push({ path: '/startsAt', message: 'must be an ISO 8601 time or epoch milliseconds' });
  const endsAt = parseTime(b.endsAt);
  if (endsAt === undefined) issues.push({ path: '/endsAt', message: 'is required: an ISO 8601 time or epoch milliseconds' });
  else if (startsAt !== undefined && endsAt <= Math.max(startsAt, now)) issues.push({ path: '/endsAt', message: 'must be after startsAt and in the future' });
  if (typeof b.comment !== 'string' || b.comment.trim() === '' || b.comment.length > MAX_COMMENT) {
    issues.push({ path: '/comment', message: `is required: why this is silenced (at most ${MAX_COMMENT} characters)` });
  }
  if (b.createdBy !== undefined && (typeof b.createdBy !== 'string' || b.createdBy.length > 256)) issues.push({ path: '/createdBy', message: 'must be a string' });
  if (issues.length > 0) return { ok: false, issues };
  return { ok: true, value: { matchers, startsAt: startsAt!, endsAt: endsAt!, comment: b.comment as string, createdBy: b.createdBy as string | undefined } };
}

export async function alertRoutes(app: FastifyInstance, deps: AlertRoutesDeps): Promise<void> {
  async function views(projectId: number, now: number): Promise<AlertView[]> {
    const rows = await deps.store.listAlertRows(projectId);
    const silences = await deps.silences.current(projectId, now);
    return markSilenced(projectId, rows.map((r) => r.body as AlertInstance), silences, now);
  }

  app.get('/api/alerts', async (request) => {
    const q = request.query as Query;
    const states = enumListParam(q, 'state', STATES);
    const silenced = single(q, 'silenced');
    if (silenced !== undefined && silenced !== 'true' && silenced !== 'false') {
      throw new ApiError('INVALID_PARAMETER', 'silenced: must be true or false', [{ path: 'silenced', message: 'must be true or false' }]);
    }
    const now = deps.now();
    const alerts = (await views(request.principal!.projectId, now))
      .filter((a) => !states || states.includes(a.state))
      .filter((a) => silenced === undefined || a.silenced === (silenced === 'true'))
      .sort((a, b) => LIST_ORDER[a.state] - LIST_ORDER[b.state] || b.activeAt - a.activeAt);
    return { alerts: alerts.map(alertJson) };
  });

  app.get('/api/alerts/history', async (request) => {
    const q = request.query as Query;
    const { from, to } = rangeParams(q, deps.now());
    const rows = await deps.store.listAlertHistory(request.principal!.projectId, { from, to, limit: intParam(q, 'limit', 200, 1, 5000) });
    return {
      history: rows.map((r) => {
        const t = r.body as AlertTransition;
        return { alertname: r.alertname, labels: t.labels, state: t.state, value: t.value, at: iso(t.at), fingerprint: t.fingerprint, annotations: t.annotations };
      }),
    };
  });

  app.get('/api/silences', async (request) => {
    const now = deps.now();
    const list = await deps.silences.list(request.principal!.projectId);
    return { silences: list.map((s) => silenceJson(s, now)) };
  });

  app.get<{ Params: { id: string } }>('/api/silences/:id', async (request) => {
    const found = (await deps.silences.list(request.principal!.projectId)).find((s) => s.id === request.params.id);
    if (!found) throw new ApiError('NOT_FOUND', `no silence with id '${request.params.id}'`);
    return silenceJson(found, deps.now());
  });

  app.post('/api/silences', { onRequest: deps.requireAdmin }, async (request) => {
    const now = deps.now();
    const parsed = parseSilenceBody(request.body, now);
    if (!parsed.ok) throw validationError(parsed.issues);
    const principal = request.principal!;
    const silence = await deps.silences.create({
      ...parsed.value, projectId: principal.projectId, createdBy: parsed.value.createdBy ?? `key:${principal.keyId}`,
    }, now);
    return { silenceID: silence.id, silence: silenceJson(silence, now) };
  });

  app.delete<{ Params: { id: string } }>('/api/silences/:id', { onRequest: deps.requireAdmin }, async (request) => {
    const now = deps.now();
    const projectId = request.principal!.projectId;
    if (!(await deps.silences.expire(projectId, request.params.id, now))) {
      throw new ApiError('NOT_FOUND', `no active or pending silence with id '${request.params.id}'`);
    }
    const found = (await deps.silences.list(projectId)).find((s) => s.id === request.params.id)!;
    return { silence: silenceJson(found, now) };
  });
}
