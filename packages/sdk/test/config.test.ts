import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../src/config.js';

describe('resolveConfig', () => {
  it('uses defaults when nothing is set', () => {
    const c = resolveConfig({}, {}, {}, () => undefined);
    expect(c).toMatchObject({ endpoint: 'http://127.0.0.1:4318', enabled: true, exportMetrics: true, logLevel: 'warn', traceSamplingRate: 1, maxQueueSize: 10_000, captureContent: false });
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('lets options win over the YAML monitoring block, the YAML over the environment, the environment over defaults', () => {
    const env = { VIGIL_ENDPOINT: 'http://env:1', VIGIL_API_KEY: 'env-key', VIGIL_LOG_LEVEL: 'debug', VIGIL_TRACE_SAMPLING_RATE: '0.5', VIGIL_EXPORT_METRICS: 'false' };
    const c = resolveConfig({ endpoint: 'http://opt:2/' }, { logLevel: 'INFO', traceSamplingRate: 0.25 }, env, () => undefined);
    expect(c).toMatchObject({ endpoint: 'http://opt:2', apiKey: 'env-key', logLevel: 'info', traceSamplingRate: 0.25, exportMetrics: false });
  });

  it('logs a bad environment value once and ignores it', () => {
    const warnings: string[] = [];
    const c = resolveConfig({}, {}, { VIGIL_TRACE_SAMPLING_RATE: 'lots', VIGIL_MAX_QUEUE_SIZE: '-3', VIGIL_ENABLED: 'maybe' }, (m) => warnings.push(m));
    expect(c.traceSamplingRate).toBe(1);
    expect(c.maxQueueSize).toBe(10_000);
    expect(c.enabled).toBe(true);
    expect(warnings).toHaveLength(3);
  });

  it('ignores invalid options with a warning instead of throwing', () => {
    const warnings: string[] = [];
    const c = resolveConfig({ endpoint: 'not a url', traceSamplingRate: 3, logLevel: 'loud' }, {}, {}, (m) => warnings.push(m));
    expect(c.endpoint).toBe('http://127.0.0.1:4318');
    expect(c.traceSamplingRate).toBe(1);
    expect(warnings.length).toBe(3);
  });

  it('clamps a batch size larger than the queue, with a warning', () => {
    const warnings: string[] = [];
    const c = resolveConfig({ maxQueueSize: 10, maxBatchSize: 50 }, {}, {}, (m) => warnings.push(m));
    expect(c.maxBatchSize).toBe(10);
    expect(warnings).toHaveLength(1);
  });
});
