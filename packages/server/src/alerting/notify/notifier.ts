// Decides what to tell whom, as Alertmanager does: groups alerts by alertname and agent, waits
// group_wait before a new group's first notification and group_interval between updates, repeats
// after repeat_interval, skips silenced alerts, and de-duplicates per channel against a stored
// notification log. `alertmanager` channels skip the groups: they get the instances themselves,
// re-sent as Prometheus does (alertmanager.ts), and Alertmanager groups them. A channel carries
// only its own project's alerts (channel-project.ts). Delivery is the channel queues' job; this
// file never waits on a receiver. It is driven by the evaluator's cycles (time comes in with each
// batch), so tests step time.
import type { AlertInstance, AlertView } from '../types.js';
import { alertsEndpoint, batches, isDue, postableAlert } from './alertmanager.js';
import { ALL_PROJECTS, DEFAULT_CHANNEL_PROJECT, carriesAlertsOf } from './channel-project.js';
import { createChannelQueue, type ChannelCounters, type ChannelQueue } from './channel-queue.js';
import { needsUpdate, type LogEntry } from './dedup.js';
import type { SendResult } from './export-result.js';
import { createHttpTransport } from './http-transport.js';
import { groupKeyOf, groupLabelsOf, type Notification } from './notification.js';
import { withRetry, type RetryOptions } from './retrying-transport.js';
import { slackMessage } from './slack.js';
import { webhookBody } from './webhook.js';

export interface ChannelConfig {
  /** Unique; the `channel` label of Vigil's own notification counters. */
  name: string;
  type: 'webhook' | 'slack' | 'alertmanager';
  /** The receiver (the first one for an alertmanager channel). */
  url: string;
  /** Every receiver: one for webhook and Slack; each Alertmanager of an HA set gets every alert. */
  urls: string[];
  /** The project whose alerts it carries and whose admins see it; ALL_PROJECTS ('*') for every project. */
  project: string;
  /** Alertmanager only: a firing alert is sent again after this long, ms (Prometheus's resend delay). */
  resendDelayMs: number;
  /** Also notify when alerts resolve. Default true. */
  sendResolved: boolean;
  /** Per attempt, ms. Default 10 s. */
  timeoutMs: number;
  /** Webhook only: at most this many alerts per body, the rest counted in truncatedAlerts. 0 = all. */
  maxAlerts: number;
  /** Messages waiting for this channel before the oldest is dropped. */
  maxQueueSize: number;
  /** Extra request headers (e.g. authorization for a protected receiver). */
  headers: Record<string, string>;
}

export interface NotifierTiming {
  /** The evaluator's interval, ms: an Alertmanager alert stays valid for 4 × max(this, resend delay). */
  evaluationIntervalMs?: number;
  groupWaitMs: number;
  groupIntervalMs: number;
  repeatIntervalMs: number;
}

/** Where the notifier keeps its log and group timers: Store.getAlertingValues/putAlertingValues. */
export interface NotifierStateStore {
  get(projectId: number, prefix: string): Promise<Map<string, unknown>>;
  put(projectId: number, entries: [string, unknown][]): Promise<void>;
}

export interface NotifyInput {
  projectId: number;
  /** Routes the alerts to the channels of this project (and the server-wide ones). */
  projectName: string;
  now: number;
  alerts: AlertView[];
}

export interface NotifierLog {
  warn(obj: object, msg: string): void;
}

export interface Notifier {
  /** The evaluator's notify callback: decides and enqueues; never waits for delivery. */
  handle(input: NotifyInput): Promise<void>;
  /** Sends one sample notification through every channel and reports each outcome. */
  sendTest(now: number): Promise<{ channel: string; result: SendResult }[]>;
  counters(): Record<string, Readonly<ChannelCounters>>;
  /** Resolves when every channel queue is empty and its log writes are done. */
  idle(): Promise<void>;
  /** Drops queued messages (counted), waits for the ones in flight. Idempotent. */
  close(): Promise<void>;
}

interface GroupState {
  createdAt: number;
  nextFlushAt: number;
}

const GROUP_PREFIX = 'notify/group/';
const LOG_PREFIX = 'notify/log/';
const logKey = (channel: string, groupKey: string) => `${LOG_PREFIX}${channel}/${groupKey}`;

export function createNotifier(options: {
  channels: readonly ChannelConfig[];
  timing: NotifierTiming;
  state: NotifierStateStore;
  externalUrl: string;
  retry?: RetryOptions;
  log?: NotifierLog;
}): Notifier {
  const log = options.log ?? { warn() {} };
  // Aborted on close: requests in flight end and no retry starts, so shutdown never waits on a receiver.
  const shutdown = new AbortController();
  const channels = options.channels.map((config) => {
    // One queue per receiver URL, so one dead Alertmanager of an HA pair never delays the other.
    const queues = config.urls.map((url): ChannelQueue => {
      const target = config.type === 'alertmanager' ? alertsEndpoint(url) : url;
      const transport = withRetry(
        createHttpTransport({ url: target, timeoutMs: config.timeoutMs, headers: config.headers, signal: shutdown.signal }),
        { ...options.retry, signal: shutdown.signal },
      );
      return createChannelQueue({
        name: config.name,
        maxQueueSize: config.maxQueueSize,
        send: (body) => transport.send(body),
        // One warning per burst of drops, with the count, not one per message.
        onDrop: (count) => { if (count === 1 || (count & (count - 1)) === 0) log.warn({ channel: config.name, url: target, dropped: count }, 'notification queue full; dropped the oldest'); },
      });
    });
    return { config, queues };
  });
  type Channel = (typeof channels)[number];
  const grouped = channels.filter((c) => c.config.type !== 'alertmanager');
  const pushed = channels.filter((c) => c.config.type === 'alertmanager');
  // When each instance last went to each Alertmanager channel (channel/project/fingerprint → ms).
  // In memory only: after a restart every alert is sent once more, which Alertmanager de-duplicates.
  const lastSent = new Map<string, number>();
  const inFlight = new Set<string>();
  const pendingWrites = new Set<Promise<void>>();

  function format(config: ChannelConfig, n: Notification): unknown {
    return config.type === 'slack' ? slackMessage(n) : webhookBody(n, config.maxAlerts);
  }

  function track(p: Promise<void>): void {
    pendingWrites.add(p);
    void p.finally(() => pendingWrites.delete(p));
  }

  function send(projectId: number, channel: Channel, n: Notification, entry: LogEntry): void {
    const key = `${projectId}/${channel.config.name}/${n.groupKey}`;
    inFlight.add(key);
    channel.queues[0]!.push({
      body: format(channel.config, n),
      done: (result) => {
        if (result !== 'dropped' && result.kind === 'success') {
          // Logged only once delivered: a notification lost with the process is sent again after a restart.
          track(options.state.put(projectId, [[logKey(channel.config.name, n.groupKey), entry]])
            .catch((error: unknown) => log.warn({ err: error, channel: channel.config.name }, 'could not store the notification log'))
            .finally(() => inFlight.delete(key)));
        } else {
          inFlight.delete(key);
          if (result !== 'dropped') log.warn({ channel: channel.config.name, error: result.error, group: n.groupKey }, 'notification failed');
        }
      },
    });
  }

  /**
   * Alertmanager channels: every due instance, in batches, to every URL. An instance counts as sent
   * when it is queued, as in Prometheus: a delivery that fails for good is covered by the next
   * resend, and a resolve by the resends of the 15 minutes Vigil keeps resolved instances.
   */
  function pushToAlertmanagers(input: NotifyInput): void {
    const { projectId, projectName, now, alerts } = input;
    for (const channel of pushed) {
      if (!carriesAlertsOf(channel.config.project, projectName)) continue;
      const prefix = `${channel.config.name}/${projectId}/`;
      const due = alerts.filter((a) => isDue(a, lastSent.get(prefix + a.fingerprint), now, channel.config.resendDelayMs));
      const present = new Set(alerts.map((a) => a.fingerprint));
      for (const key of lastSent.keys()) if (key.startsWith(prefix) && !present.has(key.slice(prefix.length))) lastSent.delete(key);
      if (due.length === 0) continue;
      for (const a of due) lastSent.set(prefix + a.fingerprint, now);
      const context = {
        now, projectName, externalUrl: options.externalUrl, resendDelayMs: channel.config.resendDelayMs,
        evaluationIntervalMs: options.timing.evaluationIntervalMs ?? 0,
      };
      for (const batch of batches(due.map((a) => postableAlert(a, context)))) {
        for (const queue of channel.queues) {
          queue.push({
            body: batch,
            done: (result) => {
              if (result !== 'dropped' && result.kind !== 'success') log.warn({ channel: channel.config.name, error: result.error, alerts: batch.length }, 'alerts not delivered to Alertmanager');
            },
          });
        }
      }
    }
  }

  /** One message through every queue of a channel; the first failure is the channel's result. */
  async function sendToAll(channel: Channel, body: unknown): Promise<SendResult> {
    const results = await Promise.all(channel.queues.map((queue, i) => new Promise<SendResult>((resolve) => queue.push({
      body,
      done: (r) => {
        const result: SendResult = r === 'dropped' ? { kind: 'failure', error: 'dropped: the channel queue is full' } : r;
        const url = channel.config.urls[i]!;
        resolve(result.kind === 'success' || channel.queues.length === 1 ? result : { ...result, error: `${url}: ${result.error}` });
      },
    }))));
    return results.find((r) => r.kind !== 'success') ?? results[0]!;
  }

  return {
    async handle(all) {
      // An agent alert that a fleet incident explains (FleetAnomaly) is shown under it, never paged
      // on its own: the fleet alert is the one page.
      const input = { ...all, alerts: all.alerts.filter((a) => !a.annotations.explained_by) };
      const { projectId, projectName, now, alerts } = input;
      pushToAlertmanagers(input);
      const mine = grouped.filter((c) => carriesAlertsOf(c.config.project, projectName));
      if (mine.length === 0) return;
      const groups = new Map<string, { labels: ReturnType<typeof groupLabelsOf>; alerts: AlertInstance[] }>();
      for (const a of alerts) {
        if (a.state === 'pending' || a.silenced) continue;
        const labels = groupLabelsOf(a.labels);
        const key = groupKeyOf(labels);
        let g = groups.get(key);
        if (!g) groups.set(key, (g = { labels, alerts: [] }));
        g.alerts.push(a);
      }
      const stored = await options.state.get(projectId, 'notify/');
      const writes: [string, unknown][] = [];
      // A group with nothing left to say about is forgotten with its log, so a new incident with the same labels is news.
      for (const [key] of stored) {
        if (!key.startsWith(GROUP_PREFIX)) continue;
        const groupKey = key.slice(GROUP_PREFIX.length);
        if (groups.has(groupKey)) continue;
        writes.push([key, undefined]);
        for (const c of mine) if (!inFlight.has(`${projectId}/${c.config.name}/${groupKey}`)) writes.push([logKey(c.config.name, groupKey), undefined]);
      }
      for (const [groupKey, g] of groups) {
        const firing = g.alerts.filter((a) => a.state === 'firing').sort((a, b) => a.activeAt - b.activeAt);
        const resolved = g.alerts.filter((a) => a.state === 'resolved').sort((a, b) => a.activeAt - b.activeAt);
        let gs = stored.get(GROUP_PREFIX + groupKey) as GroupState | undefined;
        if (!gs) {
          if (firing.length === 0) continue;
          gs = { createdAt: now, nextFlushAt: now + options.timing.groupWaitMs };
          writes.push([GROUP_PREFIX + groupKey, gs]);
        }
        if (now < gs.nextFlushAt) continue;
        writes.push([GROUP_PREFIX + groupKey, { ...gs, nextFlushAt: now + options.timing.groupIntervalMs }]);
        const firingSet = new Set(firing.map((a) => a.fingerprint));
        const resolvedSet = new Set(resolved.map((a) => a.fingerprint));
        for (const channel of mine) {
          if (inFlight.has(`${projectId}/${channel.config.name}/${groupKey}`)) continue;
          const entry = (stored.get(logKey(channel.config.name, groupKey)) as LogEntry | undefined) ?? null;
          if (!needsUpdate(entry, firingSet, resolvedSet, now, options.timing.repeatIntervalMs, channel.config.sendResolved)) continue;
          const next: LogEntry = { firing: [...firingSet], resolved: [...resolvedSet], sentAt: now };
          const shown = channel.config.sendResolved ? [...firing, ...resolved] : firing;
          if (shown.length === 0) {
            // All resolved on a channel that does not send resolved: nothing to send, but the log moves on.
            writes.push([logKey(channel.config.name, groupKey), next]);
            continue;
          }
          send(projectId, channel, {
            receiver: channel.config.name,
            groupKey,
            groupLabels: g.labels,
            status: firing.length > 0 ? 'firing' : 'resolved',
            alerts: shown,
            externalUrl: options.externalUrl,
          }, next);
        }
      }
      if (writes.length > 0) await options.state.put(projectId, writes);
    },

    async sendTest(now) {
      const sample: AlertView = {
        fingerprint: '0000000000000000',
        labels: { alertname: 'VigilTestNotification', agent: 'vigil-test', severity: 'info' },
        state: 'firing',
        value: 1,
        annotations: {
          summary: 'Vigil test notification: this channel works',
          description: 'Sent by `vigil alerts test`. Real alerts carry the evidence here: values, baseline, run ids and the why.',
          value: '1',
          runs_url: `${options.externalUrl}/runs`,
        },
        activeAt: now,
        firedAt: now,
        resolvedAt: null,
        lastSeenAt: now,
        projectId: 0,
        silenced: false,
        silencedBy: [],
      };
      return Promise.all(channels.map(async (c) => {
        let body: unknown;
        if (c.config.type === 'alertmanager') {
          // A real alert in Alertmanager: it ends by itself after one resend period.
          const projectName = c.config.project === ALL_PROJECTS ? DEFAULT_CHANNEL_PROJECT : c.config.project;
          const alert = postableAlert(sample, { now, projectName, externalUrl: options.externalUrl, resendDelayMs: c.config.resendDelayMs, evaluationIntervalMs: 0 });
          body = [{ ...alert, endsAt: new Date(now + c.config.resendDelayMs).toISOString() }];
        } else {
          const groupLabels = groupLabelsOf(sample.labels);
          body = format(c.config, { receiver: c.config.name, groupKey: groupKeyOf(groupLabels), groupLabels, status: 'firing', alerts: [sample], externalUrl: options.externalUrl });
        }
        return { channel: c.config.name, result: await sendToAll(c, body) };
      }));
    },

    counters() {
      // An HA set is one channel: its counters add up over its Alertmanagers.
      return Object.fromEntries(channels.map((c) => [c.config.name, c.queues.reduce<ChannelCounters>((sum, q) => ({
        sent: sum.sent + q.counters.sent, failed: sum.failed + q.counters.failed, dropped: sum.dropped + q.counters.dropped,
      }), { sent: 0, failed: 0, dropped: 0 })]));
    },

    async idle() {
      await Promise.all(channels.flatMap((c) => c.queues.map((q) => q.idle())));
      while (pendingWrites.size > 0) await Promise.all([...pendingWrites]);
    },

    async close() {
      shutdown.abort();
      await Promise.all(channels.flatMap((c) => c.queues.map((q) => q.close())));
      while (pendingWrites.size > 0) await Promise.all([...pendingWrites]);
    },
  };
}
