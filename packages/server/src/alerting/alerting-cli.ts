// `vigil alerts test`: sends one sample notification through every channel in vigil.yaml and
// says, per channel, whether it arrived. Exit status 1 when any channel failed.
import { parseArgs } from 'node:util';
import { parseAlertingConfig } from './alerting-config.js';
import { UsageError } from '../config/config-error.js';
import { loadConfigFile } from '../config/vigil-config.js';
import { createNotifier } from './notify/notifier.js';

const USAGE = 'Usage: vigil alerts test [--config vigil.yaml]   (env: VIGIL_CONFIG)';

export async function alertsCommand(argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub !== 'test') throw new UsageError(`unknown alerts command '${sub ?? ''}'. ${USAGE}`);
  let values;
  try {
    ({ values } = parseArgs({ args: rest, options: { config: { type: 'string' } }, strict: true, allowPositionals: false }));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const file = values.config ?? process.env.VIGIL_CONFIG;
  if (!file) throw new UsageError(`alerts test needs the config that lists the channels. ${USAGE}`);
  const config = parseAlertingConfig(loadConfigFile(file));
  if (config.notifications.length === 0) {
    console.log(`${file} configures no notification channels (notifications: [...]); nothing to test.`);
    return;
  }
  const memory = new Map<string, unknown>();
  const notifier = createNotifier({
    channels: config.notifications,
    timing: { groupWaitMs: 0, groupIntervalMs: config.groupIntervalMs, repeatIntervalMs: config.repeatIntervalMs },
    state: { get: async () => memory, put: async () => {} },
    externalUrl: config.externalUrl,
    retry: { deadlineMs: 15_000 },
  });
  const results = await notifier.sendTest(Date.now());
  await notifier.close();
  let failed = 0;
  for (const { channel, result } of results) {
    const type = config.notifications.find((c) => c.name === channel)?.type ?? '';
    if (result.kind === 'success') console.log(`ok      ${channel} (${type}): HTTP ${result.status}`);
    else {
      failed++;
      console.log(`FAILED  ${channel} (${type}): ${result.error}`);
    }
  }
  if (failed > 0) process.exitCode = 1;
}
