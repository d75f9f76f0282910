// The `pricing:` section of vigil.yaml: per-model prices that override or extend OpenAI's table.
//   pricing:
//     models:
//       gpt-4o: { input: 2.50, cached_input: 1.25, output: 10.00 }   # USD per 1M tokens
//       my-finetune: { input: 3, output: 12 }                         # cached_input: billed as input
import { ConfigError } from '../../config/config-error.js';
import { isPlainObject, rejectUnknownKeys, type VigilConfig } from '../../config/vigil-config.js';
import type { ModelPrice } from './openai-prices.js';

const RATE_FIELDS = ['input', 'cached_input', 'output'] as const;

/** Parses config.sections.pricing; throws a ConfigError naming file, line and field. */
export function parsePricingConfig(config: VigilConfig): Record<string, ModelPrice> {
  const raw = config.sections.pricing;
  if (raw === undefined || raw === null) return {};
  const src = config.source;
  const fail = (path: string[], message: string): never => {
    throw new ConfigError(src?.file ?? 'vigil.yaml', path.join('.'), message, src?.lineOf(path));
  };
  if (!isPlainObject(raw)) fail(['pricing'], 'must be a mapping with a models: entry');
  const section = raw as Record<string, unknown>;
  if (src) rejectUnknownKeys(src, ['pricing'], section, ['models']);
  else if (Object.keys(section).some((k) => k !== 'models')) fail(['pricing'], 'only models: is known');
  const models = section.models ?? {};
  if (!isPlainObject(models)) fail(['pricing', 'models'], 'must be a mapping of model name to prices');
  const out: Record<string, ModelPrice> = {};
  for (const [name, value] of Object.entries(models as Record<string, unknown>)) {
    const path = ['pricing', 'models', name];
    if (!isPlainObject(value)) fail(path, 'must be a mapping such as { input: 2.5, cached_input: 1.25, output: 10 } (USD per 1M tokens)');
    const v = value as Record<string, unknown>;
    if (src) rejectUnknownKeys(src, path, v, RATE_FIELDS);
    for (const f of RATE_FIELDS) {
      const x = v[f];
      if (x === undefined && f === 'cached_input') continue;
      if (typeof x !== 'number' || !Number.isFinite(x) || x < 0) fail([...path, f], 'must be a number of USD per 1M tokens, 0 or more');
    }
    out[name] = { input: v.input as number, cached_input: (v.cached_input as number | undefined) ?? null, output: v.output as number };
  }
  return out;
}
