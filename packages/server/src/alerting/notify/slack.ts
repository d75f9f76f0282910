// The `slack` channel: an incoming-webhook message that a person can act on at 3 AM — what fires,
// the evidence (value, baseline, why, run ids) and a link to the runs. Formatting only.
import type { AlertInstance } from '../types.js';
import type { Notification } from './notification.js';

/** Alerts shown in full per message; Slack truncates long messages, and the link has the rest. */
export const MAX_ALERTS_SHOWN = 5;

export interface SlackMessage {
  text: string;
  blocks: { type: string; text?: { type: 'mrkdwn' | 'plain_text'; text: string }; elements?: { type: 'mrkdwn'; text: string }[] }[];
}

const escape = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function alertBlock(a: AlertInstance): string {
  const an = a.annotations;
  const head = a.state === 'resolved' ? ':white_check_mark: *RESOLVED*' : ':rotating_light: *FIRING*';
  const lines = [`${head} ${escape(an.summary ?? a.labels.alertname ?? '')}`];
  if (an.description) lines.push(escape(an.description));
  if (an.why) lines.push(`*Why:* ${escape(an.why)}`);
  const evidence = [an.value && `value ${escape(an.value)}`, an.baseline && `baseline ${escape(an.baseline)}`].filter(Boolean);
  if (evidence.length > 0) lines.push(`*Evidence:* ${evidence.join(' · ')}`);
  if (an.run_ids) lines.push(`*Runs:* ${escape(an.run_ids)}`);
  if (an.runs_url) lines.push(`<${an.runs_url}|Open the run list>`);
  return lines.join('\n');
}

export function slackMessage(n: Notification): SlackMessage {
  const firing = n.alerts.filter((a) => a.state !== 'resolved').length;
  const name = n.groupLabels.alertname ?? 'alert';
  const agent = n.groupLabels.agent ? ` — ${n.groupLabels.agent}` : '';
  const text = n.status === 'firing' ? `[FIRING:${firing}] ${name}${agent}` : `[RESOLVED] ${name}${agent}`;
  const blocks: SlackMessage['blocks'] = [{ type: 'section', text: { type: 'mrkdwn', text: `*${escape(text)}*` } }];
  for (const a of n.alerts.slice(0, MAX_ALERTS_SHOWN)) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: alertBlock(a) } });
  const more = n.alerts.length - MAX_ALERTS_SHOWN;
  const context = [`Vigil · <${n.externalUrl}|${escape(n.externalUrl)}>`];
  if (more > 0) context.unshift(`… and ${more} more alerts in this group`);
  blocks.push({ type: 'context', elements: context.map((t) => ({ type: 'mrkdwn', text: t })) });
  return { text, blocks };
}
