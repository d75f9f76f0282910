// travel_planner: an Agents SDK agent with three tools. When the model keeps asking for the same
// flight search, the run loops until maxTurns; the SDK throws MaxTurnsExceededError and Vigil
// records the run as `iteration_limit` (IterationLimitHit) with its repeated calls (AgentLooping).
import { Agent, MaxTurnsExceededError, OpenAIProvider, Runner, tool } from '@openai/agents';
import type OpenAI from 'openai';
import { z } from 'zod';
import * as vigil from '@vigil/sdk';

export const AGENT = 'travel_planner';

export interface TravelBackends {
  searchFlights(from: string, to: string, date: string, signal?: AbortSignal): Promise<{ flight: string; price_usd: number }[]>;
  weather(city: string, date: string, signal?: AbortSignal): Promise<string>;
  bookHotel(city: string, nights: number, signal?: AbortSignal): Promise<{ booking_id: string }>;
}

export function createTravelPlanner(opts: { openai: OpenAI; backends: TravelBackends; configPath: string }) {
  const config = vigil.loadAgentConfig(opts.configPath);
  const timeout = (name: string) => config.agent.tools?.find((t) => t.type === name)?.timeout_ms;

  const agent = new Agent({
    name: AGENT,
    model: config.agent.model ?? 'gpt-4o-mini',
    instructions: 'You are travel_planner. Find a flight, check the weather at the destination, book a hotel, and summarise the trip.',
    tools: [
      tool({
        name: 'search_flights',
        description: 'Search flights',
        parameters: z.object({ from: z.string(), to: z.string(), date: z.string() }),
        timeoutMs: timeout('search_flights'),
        execute: async (a, _ctx, details) => JSON.stringify(await opts.backends.searchFlights(a.from, a.to, a.date, details?.signal)),
      }),
      tool({
        name: 'check_weather',
        description: 'Weather forecast for a city and date',
        parameters: z.object({ city: z.string(), date: z.string() }),
        timeoutMs: timeout('check_weather'),
        execute: async (a, _ctx, details) => opts.backends.weather(a.city, a.date, details?.signal),
      }),
      tool({
        name: 'book_hotel',
        description: 'Book a hotel',
        parameters: z.object({ city: z.string(), nights: z.number() }),
        timeoutMs: timeout('book_hotel'),
        execute: async (a, _ctx, details) => JSON.stringify(await opts.backends.bookHotel(a.city, a.nights, details?.signal)),
      }),
    ],
  });
  const runner = new Runner({ modelProvider: new OpenAIProvider({ openAIClient: opts.openai, useResponses: true }), workflowName: AGENT });
  const maxTurns = config.agent.max_iterations ?? 8;

  return {
    /** Plans a trip; a run that loops past maxTurns answers with an apology instead of throwing. */
    async plan(request: string): Promise<string> {
      try {
        const result = await runner.run(agent, request, { maxTurns });
        return String(result.finalOutput ?? '');
      } catch (err) {
        if (err instanceof MaxTurnsExceededError) return 'Sorry, I could not finish planning this trip.';
        throw err;
      }
    },
  };
}
