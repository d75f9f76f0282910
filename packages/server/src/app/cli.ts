#!/usr/bin/env node
// The `vigil` command: serve, keys, and the commands other modules add. It parses arguments,
// prints for people, and delegates; the server itself is assembled in server.ts.
import { parseArgs } from 'node:util';
import { alertsCommand } from '../alerting/alerting-cli.js';
import { ConfigError } from '../config/config-error.js';
import { resolveServeOptions, UsageError } from './server-options.js';
import { defaultConfig, loadConfigFile } from '../config/vigil-config.js';
import { createVigilServer, DEFAULT_PROJECT } from './server.js';
import { demoCommand, localUrl, prepareServeDemo, startServeDemo } from './demo/serve-demo.js';
import { openStore } from '../store/open-store.js';
import { SCOPES, type Scope } from '../store/store.js';

const USAGE = `Usage:
  vigil serve [--port 4318] [--host 127.0.0.1] [--db ./data/vigil.db | --database-url postgres://…]
              [--config vigil.yaml] [--api-key KEY]… [--demo | --no-demo]
  vigil keys create --name NAME --scopes ingest,read,admin [--project default] [--db …|--database-url …]
  vigil keys list [--db …|--database-url …]
  vigil keys revoke KEY_ID [--db …|--database-url …]
  vigil alerts test [--config vigil.yaml]   (sends a sample notification through every channel)
  vigil demo [--endpoint URL] [--api-key KEY] [--no-history]   (runs the demo fleet against a server)

Environment: VIGIL_PORT, VIGIL_HOST, VIGIL_DB, VIGIL_DATABASE_URL, VIGIL_CONFIG, VIGIL_API_KEYS (comma-separated).`;

async function serve(argv: string[]): Promise<void> {
  const opts = resolveServeOptions(argv, process.env);
  if (opts.help) {
    console.log(USAGE);
    return;
  }
  const config = opts.configFile ? loadConfigFile(opts.configFile) : defaultConfig();
  const store = await openStore(opts, config);
  const demo = opts.demo && (await prepareServeDemo(store, DEFAULT_PROJECT, config, (line) => console.log(line)));
  const vigil = await createVigilServer({ store, apiKeys: opts.apiKeys, config, logger: { level: process.env.VIGIL_LOG_LEVEL ?? 'info' } });
  const address = await vigil.app.listen({ port: opts.port, host: opts.host });
  const where = store.engine === 'postgres' ? 'PostgreSQL' : `SQLite ${opts.db}`;
  // The key first: whoever waits for the "listening" line has everything printed by then.
  if (vigil.initialAdminKey) {
    console.log(`Admin API key for project '${DEFAULT_PROJECT}' (shown once; keep it): ${vigil.initialAdminKey}`);
  }
  console.log(`Vigil listening on ${address} (${where})`);
  console.log(`Open the dashboard (one-time sign-in link): ${localUrl(address)}${await vigil.dashboard.createSignInPath(vigil.defaultProject.id)}`);
  const demoFleet = demo ? await startServeDemo(vigil.store, vigil.defaultProject.id, address, demo, (line) => console.log(line)) : null;

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    vigil.app.log.info({ signal }, 'draining: finishing in-flight requests and queued writes');
    // The demo first: its last runs are flushed while the server still takes them.
    Promise.resolve(demoFleet?.stop()).then(() => vigil.close()).then(
      () => process.exit(0),
      (e: unknown) => {
        console.error('shutdown failed:', e);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  // SIGHUP reloads the alert rules from the config file; a bad file keeps the running rules.
  process.on('SIGHUP', () => {
    if (!opts.configFile) return;
    const reloaded = vigil.alerting.reloadRules(opts.configFile);
    if (reloaded.ok) vigil.app.log.info({ file: opts.configFile }, 'alert rules reloaded');
    else vigil.app.log.error({ err: reloaded.error }, 'alert rules not reloaded; keeping the running ones');
  });
}

type FlagSpec = Record<string, { type: 'string' | 'boolean'; multiple?: boolean }>;

/** Parses a command's flags plus the store flags every database command shares. */
function storeFlags(argv: string[], extra: FlagSpec = {}) {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { db: { type: 'string' }, 'database-url': { type: 'string' }, ...extra },
    allowPositionals: true,
    strict: true,
  });
  const v = values as Record<string, string | boolean | undefined>;
  const db = (v.db as string | undefined) ?? process.env.VIGIL_DB ?? './data/vigil.db';
  const databaseUrl = (v['database-url'] as string | undefined) ?? process.env.VIGIL_DATABASE_URL ?? null;
  return { values: v, positionals, db, databaseUrl };
}

async function keys(argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  const parsed = storeFlags(rest, { name: { type: 'string' }, scopes: { type: 'string' }, project: { type: 'string' } });
  const store = await openStore(parsed);
  try {
    await store.migrate();
    if (sub === 'create') {
      const scopes = String(parsed.values.scopes ?? 'ingest').split(',').map((s) => s.trim()) as Scope[];
      const badScope = scopes.find((s) => !SCOPES.includes(s));
      if (badScope) throw new UsageError(`--scopes: '${badScope}' is not one of ${SCOPES.join(', ')}`);
      const project = await store.ensureProject(String(parsed.values.project ?? DEFAULT_PROJECT));
      const created = await store.createApiKey({ projectId: project.id, name: String(parsed.values.name ?? 'unnamed'), scopes });
      console.log(`Created key ${created.record.id} (${scopes.join(',')}) in project '${project.name}'.`);
      console.log(`Secret (shown once): ${created.key}`);
    } else if (sub === 'list') {
      // Projects by name, as `keys create --project` and everything else names them.
      const projectNames = new Map((await store.listProjects()).map((p) => [p.id, p.name]));
      for (const k of await store.listApiKeys()) {
        const state = k.revoked_at ? `revoked ${new Date(k.revoked_at).toISOString()}` : 'active';
        const project = projectNames.get(k.project_id) ?? String(k.project_id);
        console.log(`${k.id}\tproject=${project}\t${k.scopes.join(',')}\t${state}\t${k.name}`);
      }
    } else if (sub === 'revoke') {
      const id = parsed.positionals[0];
      if (!id) throw new UsageError('keys revoke needs a key id (see vigil keys list)');
      if (!(await store.revokeApiKey(id))) throw new UsageError(`no active key with id '${id}'`);
      console.log(`Revoked ${id}.`);
    } else {
      throw new UsageError(`unknown keys command '${sub ?? ''}'`);
    }
  } finally {
    await store.close();
  }
}

export const commands: Record<string, (argv: string[]) => Promise<void>> = { serve, keys, alerts: alertsCommand, demo: demoCommand };

async function main(): Promise<void> {
  const [command, ...argv] = process.argv.slice(2);
  const run = command ? commands[command] : undefined;
  if (!run) {
    console.log(USAGE);
    process.exitCode = command && command !== 'help' && command !== '--help' ? 2 : 0;
    return;
  }
  await run(argv);
}

main().catch((e: unknown) => {
  if (e instanceof UsageError || e instanceof ConfigError) {
    console.error(`vigil: ${e.message}`);
    process.exit(2);
  }
  console.error(e);
  process.exit(1);
});
