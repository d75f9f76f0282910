// `vigil serve` options: command-line flags, else VIGIL_* environment variables, else defaults,
// merged once into a complete object. A bad environment value is an error, not a silent default.
import { parseArgs } from 'node:util';
import { UsageError } from '../config/config-error.js';

export { UsageError };

export const DEFAULT_PORT = 4318; // OTLP/HTTP's default port: OTel exporters find Vigil unconfigured.
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_DB = './data/vigil.db';

export interface ServeOptions {
  port: number;
  host: string;
  db: string;
  databaseUrl: string | null;
  configFile: string | null;
  apiKeys: string[];
  demo: boolean;
}

function port(value: string, from: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 0 || n > 65535) throw new UsageError(`${from}: '${value}' is not a port number (0-65535)`);
  return n;
}

export const serveFlags = {
  port: { type: 'string' },
  host: { type: 'string' },
  db: { type: 'string' },
  'database-url': { type: 'string' },
  config: { type: 'string' },
  'api-key': { type: 'string', multiple: true },
  demo: { type: 'boolean' },
  'no-demo': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export function resolveServeOptions(argv: string[], env: NodeJS.ProcessEnv): ServeOptions & { help: boolean } {
  let values;
  try {
    ({ values } = parseArgs({ args: argv, options: serveFlags, strict: true, allowPositionals: false }));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const envKeys = (env.VIGIL_API_KEYS ?? '').split(',').map((k) => k.trim()).filter(Boolean);
  return {
    help: values.help ?? false,
    port: values.port !== undefined ? port(values.port, '--port') : env.VIGIL_PORT ? port(env.VIGIL_PORT, 'VIGIL_PORT') : DEFAULT_PORT,
    host: values.host ?? env.VIGIL_HOST ?? DEFAULT_HOST,
    db: values.db ?? env.VIGIL_DB ?? DEFAULT_DB,
    databaseUrl: values['database-url'] ?? env.VIGIL_DATABASE_URL ?? null,
    configFile: values.config ?? env.VIGIL_CONFIG ?? null,
    apiKeys: [...(values['api-key'] ?? []), ...envKeys],
    // --no-demo wins over --demo: a start script can always turn the demo off.
    demo: (values.demo ?? false) && !(values['no-demo'] ?? false),
  };
}
