// Prices runs that arrive without cost_usd: looks the model up (exact name, then the name without
// a dated snapshot suffix such as -2024-08-06) and bills uncached input, cached input and output
// at their rates. An unknown model is priced null, never 0, so the API can say it is unpriced.
import type { TokenSplit } from '@vigil/protocol';
import type { PriceFn } from '../normalize.js';
import { OPENAI_PRICES, type ModelPrice } from './openai-prices.js';

/** `gpt-4o-2024-08-06` → `gpt-4o`, `gpt-4-0613` → `gpt-4`: snapshots bill as their model. */
const SNAPSHOT_SUFFIX = /-(\d{4}-\d{2}-\d{2}|\d{4})$/;

export interface PriceTable {
  /** The price that applies to a model name, or null when unknown. */
  lookup(model: string): ModelPrice | null;
  /** Cost in USD of a run's tokens, or null when the model is unknown. */
  price: PriceFn;
  /** Every model with a price (defaults merged with config), sorted. */
  models(): string[];
}

/** OpenAI's defaults, with `overrides` (from vigil.yaml) replacing or adding entries. */
export function createPriceTable(overrides: Record<string, ModelPrice> = {}): PriceTable {
  const table = new Map<string, ModelPrice>(Object.entries({ ...OPENAI_PRICES, ...overrides }));
  const lookup = (model: string): ModelPrice | null =>
    table.get(model) ?? table.get(model.replace(SNAPSHOT_SUFFIX, '')) ?? null;
  return {
    lookup,
    price(model: string, tokens: TokenSplit): number | null {
      const p = lookup(model);
      if (!p) return null;
      // OpenAI counts cached tokens inside input tokens, and reasoning tokens inside output.
      const cached = Math.min(tokens.cached_input, tokens.input);
      const usd = ((tokens.input - cached) * p.input + cached * (p.cached_input ?? p.input) + tokens.output * p.output) / 1e6;
      return Math.round(usd * 1e9) / 1e9;
    },
    models: () => [...table.keys()].sort(),
  };
}
