// How each demo agent behaves when all is well: traffic, model latency, tool latency, and the
// sequence of tool calls its (fake) model asks for. The live fleet and the 24-hour history are
// both drawn from these, so the history is a fair baseline for the live traffic.

/** Rare failures in healthy times: a model call answers 500 (live) or a run ends in error (history). */
export const BACKGROUND_ERROR_RATE = 0.0005;

/** A small seeded PRNG (mulberry32): the same seed plans the same conversation. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function hashString(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** A log-normal sample around `median` (spread 0.3 ≈ ±35% typical), for latencies. */
export function around(median: number, spread: number, random: () => number): number {
  const u = Math.max(1e-9, random());
  const v = random();
  const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  return Math.max(1, Math.round(median * Math.exp(spread * z)));
}

export interface PlannedCall {
  name: string;
  args: Record<string, unknown>;
}

export interface AgentProfile {
  name: string;
  /** Runs started per minute at the daily peak. */
  runsPerMinute: number;
  /** Median model latency per call, ms. */
  modelMs: number;
  /** Median latency per tool, ms. */
  toolMs: Record<string, number>;
  /** Input tokens of the first model call, and what each tool round adds (measured from the live agents). */
  inputTokens: { first: number; perTurn: number };
  outputTokensPerCall: number;
  model: string;
  /** The tool calls the model asks for, in order, one per turn; then it answers. */
  plan(seed: number): PlannedCall[];
  /** Requests users send; the seed picks one. */
  request(seed: number): string;
}

const pick = <T>(items: readonly T[], seed: number): T => items[seed % items.length]!;
const FILES = ['src/cart.ts', 'src/checkout.ts', 'src/pricing.ts', 'src/api/orders.ts', 'src/db/pool.ts'];
const CITIES = ['Lisbon', 'Tokyo', 'Denver', 'Nairobi', 'Oslo', 'Lima'];

export const PROFILES: Record<string, AgentProfile> = {
  customer_support_bot: {
    name: 'customer_support_bot',
    runsPerMinute: 12,
    modelMs: 320,
    toolMs: { search_knowledge_base: 140, retrieve_order: 90, create_ticket: 260 },
    inputTokens: { first: 220, perTurn: 75 },
    outputTokensPerCall: 30,
    model: 'gpt-4-turbo',
    request: (seed) => pick(['Where is my order #ORDER?', 'How do I return a damaged item from order #ORDER?', 'Can I change the address on order #ORDER?', 'Do you ship to Canada?', 'My discount code does not work.'], seed).replace('ORDER', String(1000 + (seed % 9000))),
    plan(seed) {
      const r = rng(seed);
      const calls: PlannedCall[] = [{ name: 'search_knowledge_base', args: { query: pick(['shipping times', 'returns policy', 'address change', 'discount codes'], seed) } }];
      if (r() < 0.7) calls.push({ name: 'retrieve_order', args: { order_id: String(1000 + (seed % 9000)) } });
      if (r() < 0.35) calls.push({ name: 'create_ticket', args: { title: 'customer needs a follow-up' } });
      return calls;
    },
  },
  billing_agent: {
    name: 'billing_agent',
    runsPerMinute: 6,
    modelMs: 380,
    toolMs: { lookup_invoice: 110, issue_refund: 240, escalate_to_human: 300 },
    inputTokens: { first: 200, perTurn: 68 },
    outputTokensPerCall: 28,
    model: 'gpt-4o-mini',
    request: (seed) => pick(['Why was I charged twice on invoice INV?', 'Please refund invoice INV.', 'Is invoice INV paid?'], seed).replace('INV', `INV-${20000 + (seed % 5000)}`),
    plan(seed) {
      const calls: PlannedCall[] = [{ name: 'lookup_invoice', args: { invoice_id: `INV-${20000 + (seed % 5000)}` } }];
      if (seed % 3 !== 2) calls.push({ name: 'issue_refund', args: { invoice_id: `INV-${20000 + (seed % 5000)}`, amount_usd: 10 + (seed % 90) } });
      return calls;
    },
  },
  code_reviewer: {
    name: 'code_reviewer',
    runsPerMinute: 4,
    modelMs: 600,
    toolMs: { read_file: 40, run_tests: 900 },
    inputTokens: { first: 110, perTurn: 68 },
    outputTokensPerCall: 60,
    model: 'gpt-4.1',
    request: (seed) => `pull request #${100 + (seed % 800)}`,
    plan(seed) {
      const n = 1 + (seed % 3);
      const calls: PlannedCall[] = Array.from({ length: n }, (_, i) => ({ name: 'read_file', args: { path: FILES[(seed + i) % FILES.length]! } }));
      calls.push({ name: 'run_tests', args: { target: 'unit' } });
      return calls;
    },
  },
  research_assistant: {
    name: 'research_assistant',
    runsPerMinute: 10,
    modelMs: 450,
    toolMs: { web_search: 220, fetch_page: 300 },
    inputTokens: { first: 180, perTurn: 75 },
    outputTokensPerCall: 45,
    model: 'gpt-4o',
    request: (seed) => pick(['What changed in the EU AI Act this year?', 'Compare vector databases for 10M embeddings.', 'Summarise recent work on agent evaluation.', 'Which cloud regions have the lowest carbon intensity?'], seed),
    plan(seed) {
      return [
        { name: 'web_search', args: { query: `topic ${seed % 50}` } },
        { name: 'fetch_page', args: { url: `https://example.org/articles/${seed % 97}` } },
        { name: 'fetch_page', args: { url: `https://example.org/articles/${(seed + 1) % 97}` } },
      ];
    },
  },
  travel_planner: {
    name: 'travel_planner',
    runsPerMinute: 5,
    modelMs: 300,
    toolMs: { search_flights: 350, check_weather: 80, book_hotel: 280 },
    inputTokens: { first: 270, perTurn: 72 },
    outputTokensPerCall: 35,
    model: 'gpt-4o-mini',
    request: (seed) => `Plan a 3-night trip to ${pick(CITIES, seed)} next month.`,
    plan(seed) {
      const city = pick(CITIES, seed);
      const date = `2026-12-${String(1 + (seed % 28)).padStart(2, '0')}`;
      return [
        { name: 'search_flights', args: { from: 'SFO', to: city, date } },
        { name: 'check_weather', args: { city, date } },
        { name: 'book_hotel', args: { city, nights: 3 } },
      ];
    },
  },
};

/**
 * Traffic through the day: lower at night (UTC), so the charts and the anomaly baseline have a
 * shape; never below 60% so every agent keeps enough runs in a 5-minute window for the rate rules.
 */
export function dailyLoad(t: number): number {
  const hour = new Date(t).getUTCHours() + new Date(t).getUTCMinutes() / 60;
  return 0.8 + 0.2 * Math.sin(((hour - 8) / 24) * 2 * Math.PI);
}
