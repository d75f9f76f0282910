// OpenAI's list prices (standard tier, USD per 1M tokens) for the models agents run on. Looked up
// in November 2026 from OpenAI's pricing page as reported by several published price tables;
// prices change, so vigil.yaml's `pricing:` section overrides or extends any entry.
// `cached_input: null` means OpenAI lists no cached rate: cached tokens are billed as input.

export interface ModelPrice {
  /** USD per 1M input tokens (uncached). */
  input: number;
  /** USD per 1M cached input tokens; null: billed at the input rate. */
  cached_input: number | null;
  /** USD per 1M output tokens (reasoning tokens are billed as output). */
  output: number;
}

export const OPENAI_PRICES: Readonly<Record<string, ModelPrice>> = {
  'gpt-5.5': { input: 5.0, cached_input: 0.5, output: 30.0 },
  'gpt-5.5-pro': { input: 30.0, cached_input: null, output: 180.0 },
  'gpt-5.4': { input: 2.5, cached_input: 0.25, output: 15.0 },
  'gpt-5.4-mini': { input: 0.75, cached_input: 0.075, output: 4.5 },
  'gpt-5.4-nano': { input: 0.2, cached_input: 0.02, output: 1.25 },
  'gpt-5.4-pro': { input: 30.0, cached_input: null, output: 180.0 },
  'gpt-5.2': { input: 1.75, cached_input: 0.175, output: 14.0 },
  'gpt-5.2-pro': { input: 21.0, cached_input: null, output: 168.0 },
  'gpt-5.1': { input: 1.25, cached_input: 0.125, output: 10.0 },
  'gpt-5': { input: 1.25, cached_input: 0.125, output: 10.0 },
  'gpt-5-mini': { input: 0.25, cached_input: 0.025, output: 2.0 },
  'gpt-5-nano': { input: 0.05, cached_input: 0.005, output: 0.4 },
  'gpt-5-pro': { input: 15.0, cached_input: null, output: 120.0 },
  'gpt-4.1': { input: 2.0, cached_input: 0.5, output: 8.0 },
  'gpt-4.1-mini': { input: 0.4, cached_input: 0.1, output: 1.6 },
  'gpt-4.1-nano': { input: 0.1, cached_input: 0.025, output: 0.4 },
  'gpt-4o': { input: 2.5, cached_input: 1.25, output: 10.0 },
  'gpt-4o-mini': { input: 0.15, cached_input: 0.075, output: 0.6 },
  'o4-mini': { input: 1.1, cached_input: 0.275, output: 4.4 },
  'o3': { input: 2.0, cached_input: 0.5, output: 8.0 },
  'o3-pro': { input: 20.0, cached_input: null, output: 80.0 },
  'o3-mini': { input: 1.1, cached_input: 0.55, output: 4.4 },
  'o1': { input: 15.0, cached_input: 7.5, output: 60.0 },
  'o1-mini': { input: 1.1, cached_input: 0.55, output: 4.4 },
  // Older models that agents (and the seed's agent_config.yaml) still name.
  'gpt-4-turbo': { input: 10.0, cached_input: null, output: 30.0 },
  'gpt-4': { input: 30.0, cached_input: null, output: 60.0 },
  'gpt-3.5-turbo': { input: 0.5, cached_input: null, output: 1.5 },
};
