// Which project's alerts a notification channel carries, and whose admins may see and test it.
// A channel belongs to one project; `project: "*"` makes it server-wide, for a single-tenant
// install or an operator who wants every project's alerts. Pure.

/** `project: "*"` in vigil.yaml: the channel carries the alerts of every project. */
export const ALL_PROJECTS = '*';
/** The project a channel without `project:` belongs to (server.ts's DEFAULT_PROJECT). */
export const DEFAULT_CHANNEL_PROJECT = 'default';

/** Whether a channel configured for `channelProject` carries the alerts of `projectName`. */
export function carriesAlertsOf(channelProject: string, projectName: string): boolean {
  return channelProject === ALL_PROJECTS || channelProject === projectName;
}

/**
 * Whether an admin of `projectName` may see (masked URL, counters) and test the channel. A
 * server-wide channel carries every project's alerts, so only the install's own project
 * (`default`, where the command-line keys live) sees it: a tenant's admin must not read or
 * trigger a receiver that also gets other tenants' alerts.
 */
export function visibleTo(channelProject: string, projectName: string): boolean {
  if (channelProject === ALL_PROJECTS) return projectName === DEFAULT_CHANNEL_PROJECT;
  return channelProject === projectName;
}
