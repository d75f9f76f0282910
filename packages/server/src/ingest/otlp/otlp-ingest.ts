// Assembles OTLP ingest for server.ts: the `otlp:` config, the trace assembler, the route plugin
// for the ingest scope, and the sweep timer (started when the app is ready, stopped on close).
import type { FastifyInstance } from 'fastify';
import type { YamlSource } from '../../config/yaml-source.js';
import type { OtlpHolding, RunWriter } from '../../store/store.js';
import type { PriceFn } from '../normalize.js';
import { parseOtlpSection, type OtlpConfig } from './otlp-config.js';
import { otlpRoutes } from './otlp-routes.js';
import { createTraceAssembler, type SweepOutcome } from './trace-assembler.js';

/** Longest pause between sweeps: traces are assembled at most this long after assemble_after. */
const MAX_SWEEP_INTERVAL_MS = 5_000;

export interface OtlpIngest {
  config: OtlpConfig;
  /** Register in the ingest scope (build-app's ingestPlugins). */
  plugin: (app: FastifyInstance) => Promise<void>;
  /** One sweep as of `now` (the timer calls it; tests call it with a time). */
  sweep(now: number): Promise<SweepOutcome>;
}

export interface OtlpIngestOptions {
  store: OtlpHolding & RunWriter;
  /** The raw `otlp:` section of vigil.yaml and where it came from. */
  section: unknown;
  source: YamlSource | null;
  /** The server's body limit, used when `otlp.body_limit` is not set. */
  defaultBodyLimitBytes: number;
  price: PriceFn | null;
  now: () => number;
  onAccepted?: (runs: number) => void;
}

/** Throws ConfigError for a bad `otlp:` section, so startup stops on it. */
export function createOtlpIngest(opts: OtlpIngestOptions): OtlpIngest {
  const config = parseOtlpSection(opts.section, opts.source);
  let log: FastifyInstance['log'] | undefined;
  const assembler = createTraceAssembler({
    store: opts.store,
    config,
    price: opts.price,
    now: opts.now,
    onAccepted: opts.onAccepted,
    log: { warn: (obj, msg) => log?.warn(obj, msg) },
  });
  const routes = otlpRoutes({ assembler, bodyLimitBytes: config.bodyLimitBytes ?? opts.defaultBodyLimitBytes });
  const intervalMs = Math.min(MAX_SWEEP_INTERVAL_MS, Math.max(250, config.assembleAfterMs / 2));

  return {
    config,
    sweep: (now) => assembler.sweep(now),
    async plugin(app) {
      log = app.log;
      let timer: NodeJS.Timeout | null = null;
      let running: Promise<unknown> | null = null;
      app.addHook('onReady', async () => {
        timer = setInterval(() => {
          // One sweep at a time: a slow one is not stacked on, the next tick just waits.
          if (running) return;
          running = assembler.sweep(opts.now())
            .catch((err: unknown) => app.log.error({ err }, 'OTLP sweep failed'))
            .finally(() => { running = null; });
        }, intervalMs);
        timer.unref();
      });
      app.addHook('onClose', async () => {
        if (timer) clearInterval(timer);
        await running;
      });
      await routes(app);
    },
  };
}
