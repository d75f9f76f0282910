// The systems the demo agents' tools call (help center, orders, ticketing, invoices, CI, web,
// flights): simulated with latencies from the profiles, and an outage when the scenario says so.
// Every call honours its AbortSignal, as a real client would when the SDK times a tool out.
import type { BillingBackends } from '../agents/billing-agent.js';
import type { ReviewBackends } from '../agents/code-reviewer.js';
import type { SupportBackends } from '../agents/customer-support-bot.js';
import type { ResearchBackends } from '../agents/research-assistant.js';
import type { TravelBackends } from '../agents/travel-planner.js';
import { around, PROFILES } from './profiles.js';
import type { Scenario } from './scenario.js';

/** How long a call to the ticketing system hangs during the outage: far past create_ticket's timeout. */
const OUTAGE_HANG_MS = 60_000;

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason ?? new Error('aborted'));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason ?? new Error('aborted'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export interface DemoBackends {
  support: SupportBackends;
  billing: BillingBackends;
  review: ReviewBackends;
  research: ResearchBackends;
  travel: TravelBackends;
}

export function createBackends(scenario: Scenario, random: () => number = Math.random, now: () => number = Date.now): DemoBackends {
  const wait = (agent: string, tool: string, signal?: AbortSignal) => sleep(around(PROFILES[agent]!.toolMs[tool]!, 0.4, random), signal);
  let seq = 0;
  const id = (prefix: string) => `${prefix}-${(++seq).toString(36)}`;
  return {
    support: {
      async searchArticles(query, signal) {
        await wait('customer_support_bot', 'search_knowledge_base', signal);
        return [`How ${query} works`, `FAQ: ${query}`];
      },
      async getOrder(orderId, signal) {
        await wait('customer_support_bot', 'retrieve_order', signal);
        return { order_id: orderId, status: 'shipped', eta: '2 days' };
      },
      async createTicket(_title, signal) {
        if (scenario.isActive('ticketing_outage', now())) await sleep(OUTAGE_HANG_MS, signal);
        await wait('customer_support_bot', 'create_ticket', signal);
        return { ticket_id: id('T') };
      },
    },
    billing: {
      async getInvoice(invoiceId, signal) {
        await wait('billing_agent', 'lookup_invoice', signal);
        return { invoice_id: invoiceId, amount_usd: 49.9, paid: true };
      },
      async refund(_invoiceId, _amount, signal) {
        await wait('billing_agent', 'issue_refund', signal);
        return { refund_id: id('R') };
      },
      async escalate(_reason, signal) {
        await wait('billing_agent', 'escalate_to_human', signal);
        return { queued: true };
      },
    },
    review: {
      async readFile(path, signal) {
        await wait('code_reviewer', 'read_file', signal);
        return `// ${path}\nexport const answer = 42;\n`;
      },
      async runTests(_target, signal) {
        await wait('code_reviewer', 'run_tests', signal);
        return { passed: 120, failed: random() < 0.05 ? 1 : 0 };
      },
    },
    research: {
      async search(query, signal) {
        await wait('research_assistant', 'web_search', signal);
        return [{ title: `About ${query}`, url: 'https://example.org/articles/1' }];
      },
      async fetchPage(url, signal) {
        await wait('research_assistant', 'fetch_page', signal);
        return `Text of ${url}`;
      },
    },
    travel: {
      async searchFlights(_from, to, _date, signal) {
        await wait('travel_planner', 'search_flights', signal);
        return [{ flight: `VG${100 + Math.floor(random() * 800)} to ${to}`, price_usd: 300 + Math.floor(random() * 500) }];
      },
      async weather(city, _date, signal) {
        await wait('travel_planner', 'check_weather', signal);
        return `Mild in ${city}, 18°C`;
      },
      async bookHotel(_city, _nights, signal) {
        await wait('travel_planner', 'book_hotel', signal);
        return { booking_id: id('H') };
      },
    },
  };
}
