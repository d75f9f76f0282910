// The price table: OpenAI's rates by model (snapshots included), config overrides, unknown
// models priced null, and the `pricing:` section's errors naming file, line and field.
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/config/config-error.js';
import { parseConfig } from '../../../src/config/vigil-config.js';
import { readYamlSource } from '../../../src/config/yaml-source.js';
import { createPriceTable } from '../../../src/ingest/pricing/price-table.js';
import { parsePricingConfig } from '../../../src/ingest/pricing/pricing-config.js';
import { auth, makeRun, startTestServer } from '../../helpers/test-server.js';

const tokens = (input: number, cached_input: number, output: number) => ({ input, cached_input, output, reasoning: 0 });
const yaml = (text: string) => parseConfig(readYamlSource('vigil.yaml', text));

describe('price table', () => {
  it('bills uncached input, cached input and output at the model\'s rates', () => {
    const t = createPriceTable();
    // gpt-4.1: 2.00 input, 0.50 cached, 8.00 output per 1M.
    expect(t.price('gpt-4.1', tokens(1_000_000, 200_000, 500_000))).toBeCloseTo(0.8 * 2 + 0.2 * 0.5 + 0.5 * 8, 9);
  });

  it('prices a dated snapshot as its model', () => {
    const t = createPriceTable();
    expect(t.price('gpt-4o-2024-08-06', tokens(1_000_000, 0, 0))).toBeCloseTo(2.5, 9);
  });

  it('prices the seed config\'s gpt-4-turbo and its snapshots, and keeps gpt-4 apart from gpt-4o', () => {
    const t = createPriceTable();
    // gpt-4-turbo: 10.00 input, 30.00 output per 1M; no cached rate, so cached tokens bill as input.
    expect(t.price('gpt-4-turbo', tokens(1_000_000, 0, 100_000))).toBeCloseTo(10 + 3, 9);
    expect(t.price('gpt-4-turbo-2024-04-09', tokens(1_000_000, 0, 0))).toBeCloseTo(10, 9);
    expect(t.price('gpt-4-0613', tokens(1_000_000, 0, 0))).toBeCloseTo(30, 9);
    expect(t.price('gpt-4o', tokens(1_000_000, 0, 0))).toBeCloseTo(2.5, 9);
  });

  it('prices an unknown model null, not zero', () => {
    expect(createPriceTable().price('house-model-7b', tokens(1_000, 0, 1_000))).toBeNull();
  });

  it('bills cached tokens at the input rate when the model lists no cached rate', () => {
    const t = createPriceTable({ 'my-ft': { input: 3, cached_input: null, output: 12 } });
    expect(t.price('my-ft', tokens(1_000_000, 500_000, 0))).toBeCloseTo(3, 9);
  });

  it('takes overrides and new models from vigil.yaml', () => {
    const config = yaml('pricing:\n  models:\n    gpt-4o: { input: 1, cached_input: 0.5, output: 4 }\n    my-finetune: { input: 3, output: 12 }\n');
    const t = createPriceTable(parsePricingConfig(config));
    expect(t.price('gpt-4o', tokens(1_000_000, 0, 1_000_000))).toBeCloseTo(5, 9);
    expect(t.lookup('my-finetune')).toEqual({ input: 3, cached_input: null, output: 12 });
    expect(t.models()).toContain('gpt-5-mini');
  });

  it('names the file, line and field of a bad price', () => {
    const config = yaml('pricing:\n  models:\n    gpt-4o:\n      input: cheap\n      output: 4\n');
    const error = (() => { try { parsePricingConfig(config); } catch (e) { return e; } })();
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({ field: 'pricing.models.gpt-4o.input', line: 4 });
    expect(() => parsePricingConfig(yaml('pricing:\n  models:\n    gpt-4o: { input: 1, output: 2, batch: 1 }\n'))).toThrow(/pricing\.models\.gpt-4o\.batch/);
    expect(() => parsePricingConfig(yaml('pricing:\n  gpt-4o: { input: 1 }\n'))).toThrow(/pricing\.gpt-4o/);
  });
});

describe('cost at ingest', () => {
  it('fills cost_usd from the table when the client sent none, keeps a sent one, and leaves unknown models null', async () => {
    const vigil = await startTestServer();
    try {
      const runs = [
        makeRun({ run_id: 'priced', model: 'gpt-4o-mini', tokens: { input: 1_000_000, output: 0, cached_input: 0, reasoning: 0 } }),
        makeRun({ run_id: 'sent', model: 'gpt-4o-mini', cost_usd: 9.99 }),
        makeRun({ run_id: 'unknown', model: 'house-model-7b' }),
      ];
      expect((await vigil.app.inject({ method: 'POST', url: '/v1/runs', headers: auth(), payload: { runs } })).statusCode).toBe(200);
      const cost = async (id: string) => (await vigil.app.inject({ method: 'GET', url: `/api/runs/${id}`, headers: auth() })).json().cost_usd;
      expect(await cost('priced')).toBeCloseTo(0.15, 9);
      expect(await cost('sent')).toBe(9.99);
      expect(await cost('unknown')).toBeNull();
    } finally {
      await vigil.close();
    }
  });
});
