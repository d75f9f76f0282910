// The wire schema of a run: what SDKs, the seed's curl payload and the OTLP mapping send.
// Types are derived from these schemas (Static<>), so the schema is the single source of truth.
import { Type, type Static } from '@sinclair/typebox';
import {
  MAX_COST_USD, MAX_COUNT, MAX_DURATION_MS, MAX_ID_LENGTH, MAX_NAME_LENGTH, MAX_RUNS_PER_BATCH,
  MAX_STEPS_PER_RUN, MAX_TAGS_PER_RUN, MAX_TEXT_LENGTH, MAX_TOOL_CALLS_PER_RUN, MAX_TRANSITIONS_PER_RUN,
} from './limits.js';

export const COMPLETION_STATUSES = ['success', 'error', 'iteration_limit', 'timeout', 'cancelled', 'gave_up'] as const;
export const TOOL_STATUSES = ['success', 'error', 'timeout'] as const;

export type CompletionStatus = (typeof COMPLETION_STATUSES)[number];
export type ToolStatus = (typeof TOOL_STATUSES)[number];

/** A point in time: ISO 8601 text or epoch milliseconds (checked by the `vigilTime` keyword). */
export const TimeSchema = Type.Unsafe<string | number>({ vigilTime: true });

const Id = Type.String({ minLength: 1, maxLength: MAX_ID_LENGTH });
const Name = Type.String({ minLength: 1, maxLength: MAX_NAME_LENGTH });
const Text = Type.String({ maxLength: MAX_TEXT_LENGTH });
const Count = Type.Integer({ minimum: 0, maximum: MAX_COUNT });
const DurationMs = Type.Number({ minimum: 0, maximum: MAX_DURATION_MS });

export const ErrorInfoSchema = Type.Object(
  { type: Type.Optional(Name), message: Type.Optional(Text) },
  { additionalProperties: false },
);

export const TokensSchema = Type.Object(
  {
    input: Type.Optional(Count),
    output: Type.Optional(Count),
    cached_input: Type.Optional(Count),
    reasoning: Type.Optional(Count),
  },
  { additionalProperties: false },
);

export const ToolCallSchema = Type.Object(
  {
    name: Name,
    status: Type.Union(TOOL_STATUSES.map((s) => Type.Literal(s))),
    duration_ms: Type.Optional(DurationMs),
    started_at: Type.Optional(TimeSchema),
    call_id: Type.Optional(Id),
    args_hash: Type.Optional(Type.String({ maxLength: 128 })),
    error: Type.Optional(ErrorInfoSchema),
    /** Only sent when the SDK's content capture is on (after its redaction hook). */
    arguments: Type.Optional(Text),
  },
  { additionalProperties: false },
);

export const StepSchema = Type.Object(
  {
    model: Type.Optional(Name),
    started_at: Type.Optional(TimeSchema),
    duration_ms: Type.Optional(DurationMs),
    tokens: Type.Optional(TokensSchema),
    finish_reason: Type.Optional(Name),
    request_id: Type.Optional(Id),
    error: Type.Optional(ErrorInfoSchema),
    /** Tools the model asked for in this step, by name. */
    tool_calls_requested: Type.Optional(Type.Array(Name, { maxItems: 128 })),
  },
  { additionalProperties: false },
);

export const TransitionSchema = Type.Object(
  { state: Type.String({ minLength: 1, maxLength: MAX_NAME_LENGTH + 16 }), at: TimeSchema },
  { additionalProperties: false },
);

export const RunSchema = Type.Object(
  {
    run_id: Id,
    agent_name: Name,
    completion_status: Type.Union(COMPLETION_STATUSES.map((s) => Type.Literal(s))),
    timestamp: Type.Optional(TimeSchema),
    ended_at: Type.Optional(TimeSchema),
    duration_ms: Type.Optional(DurationMs),
    iterations: Type.Optional(Count),
    tokens_used: Type.Optional(Count),
    tokens: Type.Optional(TokensSchema),
    model: Type.Optional(Name),
    error: Type.Optional(ErrorInfoSchema),
    cost_usd: Type.Optional(Type.Number({ minimum: 0, maximum: MAX_COST_USD })),
    environment: Type.Optional(Name),
    release: Type.Optional(Name),
    session_id: Type.Optional(Id),
    user_id: Type.Optional(Id),
    tags: Type.Optional(
      Type.Record(Type.String({ minLength: 1, maxLength: MAX_NAME_LENGTH }), Type.String({ maxLength: MAX_NAME_LENGTH }), {
        maxProperties: MAX_TAGS_PER_RUN,
      }),
    ),
    tool_calls: Type.Optional(Type.Array(ToolCallSchema, { maxItems: MAX_TOOL_CALLS_PER_RUN })),
    steps: Type.Optional(Type.Array(StepSchema, { maxItems: MAX_STEPS_PER_RUN })),
    transitions: Type.Optional(Type.Array(TransitionSchema, { maxItems: MAX_TRANSITIONS_PER_RUN })),
    /** False when the SDK's trace sampling dropped this run's detail (steps, transitions, tool timings). */
    sampled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

export const RunBatchSchema = Type.Object(
  { runs: Type.Array(RunSchema, { minItems: 1, maxItems: MAX_RUNS_PER_BATCH }) },
  { additionalProperties: false },
);

export type ErrorInfo = Static<typeof ErrorInfoSchema>;
export type Tokens = Static<typeof TokensSchema>;
export type ToolCall = Static<typeof ToolCallSchema>;
export type Step = Static<typeof StepSchema>;
export type Transition = Static<typeof TransitionSchema>;
/** A run as it travels on the wire (SDK, seed payload, OTLP mapping output). */
export type Run = Static<typeof RunSchema>;
export type RunBatch = Static<typeof RunBatchSchema>;
