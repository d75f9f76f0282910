// The wire schema of an agent's declared config: the seed YAML's `agent:` block as JSON.
import { Type, type Static } from '@sinclair/typebox';
import { MAX_COUNT, MAX_DURATION_MS, MAX_NAME_LENGTH, MAX_TEXT_LENGTH, MAX_TOOLS_PER_AGENT } from './limits.js';

const Name = Type.String({ minLength: 1, maxLength: MAX_NAME_LENGTH });

export const DeclaredToolSchema = Type.Object(
  {
    /** The tool's name; the seed's YAML calls it `type`. */
    type: Name,
    timeout_ms: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_DURATION_MS })),
    description: Type.Optional(Type.String({ maxLength: MAX_TEXT_LENGTH })),
  },
  { additionalProperties: false },
);

export const AgentConfigSchema = Type.Object(
  {
    name: Name,
    model: Type.Optional(Name),
    temperature: Type.Optional(Type.Number({ minimum: 0, maximum: 2 })),
    max_iterations: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
    tools: Type.Optional(Type.Array(DeclaredToolSchema, { maxItems: MAX_TOOLS_PER_AGENT })),
    /** Tokens a normal run uses; TokenBudgetOverrun compares runs against it. */
    expected_tokens: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_COUNT })),
    assistant_id: Type.Optional(Name),
    description: Type.Optional(Type.String({ maxLength: MAX_TEXT_LENGTH })),
  },
  { additionalProperties: false },
);

export type DeclaredTool = Static<typeof DeclaredToolSchema>;
export type AgentConfig = Static<typeof AgentConfigSchema>;
