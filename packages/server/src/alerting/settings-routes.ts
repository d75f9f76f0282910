// What the settings page shows about alerting (admin scope): the notification channels of the
// caller's project with a per-channel test send, and the rules as the server runs them (vigil.yaml
// over the defaults). Read-only: configuration lives in vigil.yaml, and these routes never change
// it. Another project's channel is answered as if it did not exist (404), never 403: its name
// alone says whom that project pages.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AlertingConfig } from './alerting-config.js';
import { formatDuration } from '@vigil/protocol';
import { visibleTo } from './notify/channel-project.js';
import { createNotifier, type ChannelConfig } from './notify/notifier.js';
import type { Store } from '../store/store.js';
import { requireScope, type Authenticator } from '../web/auth.js';
import { ApiError } from '../web/errors.js';

/** A test send gives up after this long, retries included. */
export const TEST_SEND_DEADLINE_MS = 15_000;

/** Slack webhook paths and webhook query strings carry secrets: show the host and the start. */
export function maskUrl(raw: string): string {
  try {
    const u = new URL(raw);
    const path = u.pathname.length > 12 ? `${u.pathname.slice(0, 12)}…` : u.pathname;
    return `${u.protocol}//${u.host}${path}${u.search ? '?…' : ''}`;
  } catch {
    return '(invalid URL)';
  }
}

/** A rule's config for people: `windowMs: 900000` → `window: "15m"`, other fields as they are. */
export function describeRuleConfig(config: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(config)) {
    if (k.endsWith('Ms') && typeof v === 'number') out[snake(k.slice(0, -2))] = formatDuration(v);
    else if (v instanceof RegExp) out[snake(k)] = v.source;
    else out[snake(k)] = v;
  }
  return out;
}

const snake = (k: string) => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

export async function settingsRoutes(
  app: FastifyInstance,
  deps: {
    auth: Authenticator;
    store: Pick<Store, 'getProject'>;
    alerting: () => { config: AlertingConfig; counters: () => Record<string, { sent: number; failed: number; dropped: number }> };
  },
): Promise<void> {
  app.addHook('onRequest', requireScope(deps.auth, 'admin'));

  /** The channels the caller's project may see: its own, and the server-wide ones for `default`. */
  async function channelsOf(request: FastifyRequest): Promise<ChannelConfig[]> {
    const project = await deps.store.getProject(request.principal!.projectId);
    if (!project) return [];
    return deps.alerting().config.notifications.filter((ch) => visibleTo(ch.project, project.name));
  }

  app.get('/api/settings/channels', async (request) => {
    const c = deps.alerting().counters();
    return {
      channels: (await channelsOf(request)).map((ch) => ({
        name: ch.name,
        type: ch.type,
        project: ch.project,
        url: maskUrl(ch.url),
        urls: ch.urls.map(maskUrl),
        send_resolved: ch.type === 'alertmanager' ? null : ch.sendResolved,
        timeout: formatDuration(ch.timeoutMs),
        counters: c[ch.name] ?? { sent: 0, failed: 0, dropped: 0 },
      })),
    };
  });

  app.post<{ Params: { name: string } }>('/api/settings/channels/:name/test', async (request) => {
    const { config } = deps.alerting();
    const channel: ChannelConfig | undefined = (await channelsOf(request)).find((c) => c.name === request.params.name);
    if (!channel) throw new ApiError('NOT_FOUND', `no notification channel named '${request.params.name}'`);
    // A notifier of its own for this one channel, so the test never enters the real groups and repeats.
    const memory = new Map<string, unknown>();
    const notifier = createNotifier({
      channels: [channel],
      timing: { groupWaitMs: 0, groupIntervalMs: config.groupIntervalMs, repeatIntervalMs: config.repeatIntervalMs },
      state: { get: async () => memory, put: async () => {} },
      externalUrl: config.externalUrl,
      retry: { deadlineMs: TEST_SEND_DEADLINE_MS },
    });
    try {
      const [sent] = await notifier.sendTest(Date.now());
      const result = sent?.result;
      return result?.kind === 'success'
        ? { channel: channel.name, ok: true, status: result.status }
        : { channel: channel.name, ok: false, status: result?.status ?? null, error: result?.error ?? 'not sent' };
    } finally {
      await notifier.close();
    }
  });

  app.get('/api/settings/rules', async () => {
    const { config } = deps.alerting();
    return {
      evaluation_interval: formatDuration(config.evaluationIntervalMs),
      group_wait: formatDuration(config.groupWaitMs),
      group_interval: formatDuration(config.groupIntervalMs),
      repeat_interval: formatDuration(config.repeatIntervalMs),
      rules: [
        ...Object.entries(config.rules).map(([name, r]) => ({ name, kind: 'built-in', ...describeRuleConfig(r) })),
        ...config.custom.map((r) => ({ kind: 'custom', ...describeRuleConfig(r) })),
        { name: 'AnomalyDetected', kind: 'anomaly', ...describeRuleConfig(config.anomaly) },
      ],
    };
  });
}
