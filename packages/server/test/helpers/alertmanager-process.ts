// A real Alertmanager (Debian's prometheus-alertmanager) for a test: its own config, a temp
// storage dir, random local ports, clustering off, and a webhook receiver of the test's choosing.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startChild, waitFor, type Child } from './external-binary.js';

export const ALERTMANAGER_BIN = '/usr/bin/prometheus-alertmanager';

export interface AlertmanagerProcess {
  url: string;
  /** Creates a silence through Alertmanager's API v2; returns its id. */
  silence(matchers: Record<string, string>, comment: string): Promise<string>;
  /** GET /api/v2/alerts: what Alertmanager holds, with each alert's status. */
  alerts(): Promise<{ labels: Record<string, string>; endsAt: string; status: { state: string; silencedBy: string[] } }[]>;
  stop(): Promise<void>;
}

export async function startAlertmanager(options: { webhookUrl: string; groupBy: string[] }): Promise<AlertmanagerProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-am-'));
  // Short timers so the test sees Alertmanager's notifications within seconds.
  writeFileSync(join(dir, 'alertmanager.yml'), `
route:
  receiver: hook
  group_by: ${JSON.stringify(options.groupBy)}
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: hook
    webhook_configs:
      - url: ${JSON.stringify(options.webhookUrl)}
        send_resolved: true
`);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child: Child = startChild(ALERTMANAGER_BIN, [
    `--config.file=${join(dir, 'alertmanager.yml')}`, `--storage.path=${join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address=', '--log.level=warn',
  ]);
  const stop = async () => {
    await child.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor('Alertmanager to be ready', async () => {
      if (child.process.exitCode !== null) throw new Error(`alertmanager exited: ${child.output()}`);
      return (await fetch(`${url}/-/ready`)).ok;
    });
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}\n${child.output()}`, { cause: error });
  }
  return {
    url,
    async silence(matchers, comment) {
      const res = await fetch(`${url}/api/v2/silences`, {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          matchers: Object.entries(matchers).map(([name, value]) => ({ name, value, isRegex: false, isEqual: true })),
          startsAt: new Date(Date.now() - 60_000).toISOString(), endsAt: new Date(Date.now() + 3_600_000).toISOString(),
          createdBy: 'vigil test', comment,
        }),
      });
      if (!res.ok) throw new Error(`silence refused: ${res.status} ${await res.text()}`);
      return ((await res.json()) as { silenceID: string }).silenceID;
    },
    async alerts() {
      return (await (await fetch(`${url}/api/v2/alerts`)).json()) as Awaited<ReturnType<AlertmanagerProcess['alerts']>>;
    },
    stop,
  };
}
