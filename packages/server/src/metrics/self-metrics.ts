// Vigil's own series (vigil_*): what someone on call needs at 3 AM, present at zero from the start.
// Other modules add theirs here: a counter or gauge on `registry`, or a per-project gauge computed
// at scrape time with addProjectGauge (alerting adds its firing alerts this way).
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import { ERRORS } from '../web/errors.js';

export interface ProjectGaugeSample {
  labels: Record<string, string>;
  value: number;
}

export interface ProjectGauge {
  /** A Prometheus metric name, e.g. `vigil_alerts_firing`. */
  name: string;
  help: string;
  labelNames: string[];
  /** Called at each scrape with the scraping key's project. */
  collect(projectId: number): Promise<ProjectGaugeSample[]> | ProjectGaugeSample[];
}

export interface SelfMetrics {
  /** Process-wide vigil_* series; register more with `registers: [registry]`. */
  registry: Registry;
  runsAccepted: Counter;
  ingestRejected: Counter<'code'>;
  retentionDeleted: Counter<'kind'>;
  /** Adds a gauge whose samples are computed per project at scrape time. */
  addProjectGauge(gauge: ProjectGauge): void;
  /** Text exposition of the per-project gauges for one project. */
  projectGauges(projectId: number): Promise<string>;
  /** Text exposition of every process-wide series (this registry and the process metrics). */
  text(): Promise<string>;
}

// Process series (CPU, memory, event-loop lag) are per process, not per server: collected once,
// because each collectDefaultMetrics call installs its own observers.
let processRegistry: Registry | null = null;
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry, prefix: 'vigil_' });
    // prom-client names these gauges *_total, which Prometheus reserves for counters (promtool
    // rejects them); handles and requests are rarely what someone on call needs.
    for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) {
      processRegistry.removeSingleMetric(`vigil_${name}`);
    }
  }
  return processRegistry;
}

export function createSelfMetrics(): SelfMetrics {
  const registry = new Registry();
  const registers = [registry];
  const runsAccepted = new Counter({ name: 'vigil_runs_accepted_total', help: 'Runs stored by the ingest endpoints.', registers });
  const ingestRejected = new Counter({
    name: 'vigil_ingest_requests_rejected_total',
    help: 'Ingest requests answered with an error, by error code (docs/api.md).',
    labelNames: ['code'] as const,
    registers,
  });
  for (const code of Object.keys(ERRORS)) ingestRejected.inc({ code }, 0);
  const retentionDeleted = new Counter({
    name: 'vigil_retention_deleted_total',
    help: 'Rows deleted by retention, by kind (runs, rollups).',
    labelNames: ['kind'] as const,
    registers,
  });
  retentionDeleted.inc({ kind: 'runs' }, 0);
  retentionDeleted.inc({ kind: 'rollups' }, 0);

  const gauges: ProjectGauge[] = [];
  return {
    registry,
    runsAccepted,
    ingestRejected,
    retentionDeleted,
    addProjectGauge(gauge) {
      if (gauges.some((g) => g.name === gauge.name) || registry.getSingleMetric(gauge.name)) {
        throw new Error(`a metric named ${gauge.name} is already registered`);
      }
      gauges.push(gauge);
    },
    async text() {
      const [own, proc] = await Promise.all([registry.metrics(), processMetrics().metrics()]);
      return `${own.trimEnd()}\n${proc}`;
    },
    async projectGauges(projectId) {
      if (gauges.length === 0) return '';
      // A scratch registry per scrape: the samples belong to this project and this moment.
      const scratch = new Registry();
      for (const g of gauges) {
        const gauge = new Gauge({ name: g.name, help: g.help, labelNames: g.labelNames, registers: [scratch] });
        for (const s of await g.collect(projectId)) gauge.set(s.labels, s.value);
      }
      return scratch.metrics();
    },
  };
}
