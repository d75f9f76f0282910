// The demo as the CLI runs it: `vigil serve --demo` (start the fleet beside the server when the
// store holds no real data) and `vigil demo` (run the fleet against any server). Printing and
// argument parsing live here so cli.ts only calls in.
import { parseArgs } from 'node:util';
import { UsageError } from '../server-options.js';
import type { VigilConfig } from '../../config/vigil-config.js';
import type { Store } from '../../store/store.js';
import { createDemoKey, DEMO_ALERTING, demoShouldRun, launchDemoFleet, type DemoProcess } from './launcher.js';

/**
 * Decides, before the server is built, whether `--demo` starts the fleet; if so, and vigil.yaml
 * sets no `alerting:`, gives the rules the demo's short windows (see DEMO_ALERTING).
 */
export async function prepareServeDemo(store: Store, projectName: string, config: VigilConfig, log: (line: string) => void): Promise<false | { history: boolean }> {
  await store.migrate();
  const project = await store.ensureProject(projectName);
  if (!(await demoShouldRun(store, project.id, Date.now()))) {
    log('Demo fleet not started: this server already holds data from other agents (--demo starts it only on an empty store).');
    return false;
  }
  // A restart continues the demo without writing history over the hours it already ran live.
  const empty = (await store.listRuns(project.id, { from: 0, to: Date.now() + 24 * 3600_000, limit: 1 })).runs.length === 0;
  if (config.sections.alerting === undefined) {
    config.sections.alerting = DEMO_ALERTING;
    log('Demo: alert windows shortened to 5 minutes so incidents fire and resolve within ~10 minutes (an alerting: section in vigil.yaml turns this off).');
  }
  return { history: empty };
}

/** `http://0.0.0.0:4318` → `http://127.0.0.1:4318`: the address a local client can reach. */
export function localUrl(address: string): string {
  return address.replace('//0.0.0.0:', '//127.0.0.1:').replace('//[::]:', '//127.0.0.1:');
}

export async function startServeDemo(
  store: Store, projectId: number, address: string, opts: { history: boolean }, log: (line: string) => void,
): Promise<DemoProcess | null> {
  try {
    const apiKey = await createDemoKey(store, projectId);
    const demo = launchDemoFleet({ endpoint: localUrl(address), apiKey, history: opts.history, onLine: (line) => log(line.startsWith('[demo]') ? line : `[demo] ${line}`) });
    void demo.exited.then((code) => {
      if (code !== 0 && code !== null) log(`[demo] the demo fleet exited with code ${code}`);
    });
    return demo;
  } catch (e) {
    log(`Demo fleet not started: ${(e as Error).message}`);
    return null;
  }
}

const DEMO_USAGE = `Usage: vigil demo [--endpoint http://127.0.0.1:4318] [--api-key KEY] [--no-history] [--speed N]
  Runs the demo fleet (five agents and a fake model server) against a Vigil server until stopped.
  KEY needs the ingest scope (env VIGIL_API_KEY); the endpoint defaults to VIGIL_ENDPOINT.`;

/** `vigil demo`: the fleet in the foreground, against any server. */
export async function demoCommand(argv: string[]): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { endpoint: { type: 'string' }, 'api-key': { type: 'string' }, 'no-history': { type: 'boolean' }, speed: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    throw new UsageError(`${(e as Error).message}\n${DEMO_USAGE}`);
  }
  if (values.help) {
    console.log(DEMO_USAGE);
    return;
  }
  const apiKey = values['api-key'] ?? process.env.VIGIL_API_KEY;
  if (!apiKey) throw new UsageError(`demo needs an ingest key: --api-key or VIGIL_API_KEY\n${DEMO_USAGE}`);
  const endpoint = (values.endpoint ?? process.env.VIGIL_ENDPOINT ?? 'http://127.0.0.1:4318').replace(/\/+$/, '');
  const speed = values.speed === undefined ? undefined : Number(values.speed);
  if (speed !== undefined && !(speed > 0)) throw new UsageError(`--speed: '${values.speed}' is not a positive number`);
  let demo: DemoProcess;
  try {
    demo = launchDemoFleet({ endpoint, apiKey, history: !values['no-history'], speed, stdio: 'inherit' });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const stop = () => void demo.stop();
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const code = await demo.exited;
  process.exitCode = code ?? 0;
}
