// Reads the seed's agent_config.yaml (`agent:` and `monitoring:` blocks) into typed data. Pure:
// applying it to the SDK is runtime.ts's job. A file that cannot be read or has no agent name is
// an error the caller sees at startup; a single bad value is logged and ignored.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { VigilConfigError } from './errors.js';

export interface DeclaredTool {
  /** The tool's name (the seed's YAML calls it `type`). */
  type: string;
  /** Longest the tool may run; `run.tool()` enforces it. */
  timeout_ms?: number;
  description?: string;
}

/** The `agent:` block, as registered with the server (POST /v1/agents). */
export interface AgentDefinition {
  name: string;
  model?: string;
  temperature?: number;
  max_iterations?: number;
  tools?: DeclaredTool[];
  /** Tokens a normal run uses; the server's TokenBudgetOverrun compares against it. */
  expected_tokens?: number;
  assistant_id?: string;
  description?: string;
}

/** The `monitoring:` block. */
export interface MonitoringSettings {
  enabled?: boolean;
  log_level?: string;
  export_metrics?: boolean;
  trace_sampling_rate?: number;
}

export interface AgentConfigFile {
  agent: AgentDefinition;
  monitoring: MonitoringSettings;
}

type Check = (v: unknown) => boolean;
const isName: Check = (v) => typeof v === 'string' && v.length > 0 && v.length <= 256;
const isText: Check = (v) => typeof v === 'string' && v.length <= 8_192;
const isPosInt: Check = (v) => typeof v === 'number' && Number.isInteger(v) && v >= 1;
const AGENT_FIELDS: Record<string, Check> = {
  name: isName,
  model: isName,
  temperature: (v) => typeof v === 'number' && v >= 0 && v <= 2,
  max_iterations: isPosInt,
  tools: Array.isArray,
  expected_tokens: isPosInt,
  assistant_id: isName,
  description: isText,
};
const TOOL_FIELDS: Record<string, Check> = { type: isName, timeout_ms: isPosInt, description: isText };
const MONITORING_FIELDS: Record<string, Check> = {
  enabled: (v) => typeof v === 'boolean',
  log_level: (v) => typeof v === 'string',
  export_metrics: (v) => typeof v === 'boolean',
  trace_sampling_rate: (v) => typeof v === 'number' && v >= 0 && v <= 1,
};

function pick(obj: Record<string, unknown>, fields: Record<string, Check>, where: string, warn: (m: string) => void): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(obj)) {
    const check = fields[key];
    if (!check) warn(`${where}.${key} is not a known field; ignored`);
    else if (value === null || value === undefined) continue;
    else if (!check(value)) warn(`${where}.${key} has an invalid value ${JSON.stringify(value)}; ignored`);
    else out[key] = value;
  }
  return out;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Parses the YAML text; `source` names the file in messages. */
export function parseAgentConfig(text: string, source: string, warn: (m: string) => void = () => undefined): AgentConfigFile {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw new VigilConfigError(source, `not valid YAML: ${(err as Error).message}`);
  }
  if (!isObject(doc) || !isObject(doc.agent)) throw new VigilConfigError(source, 'has no `agent:` block');
  const agent = pick(doc.agent, AGENT_FIELDS, 'agent', warn);
  if (!isName(agent.name)) throw new VigilConfigError(source, '`agent.name` is required (a non-empty string)');
  if (Array.isArray(agent.tools)) {
    const tools: DeclaredTool[] = [];
    (agent.tools as unknown[]).forEach((t, i) => {
      if (!isObject(t)) return warn(`agent.tools[${i}] is not a mapping; ignored`);
      const tool = pick(t, TOOL_FIELDS, `agent.tools[${i}]`, warn);
      if (!isName(tool.type)) return warn(`agent.tools[${i}].type is required; tool ignored`);
      tools.push(tool as unknown as DeclaredTool);
    });
    agent.tools = tools;
  }
  const monitoring = isObject(doc.monitoring) ? pick(doc.monitoring, MONITORING_FIELDS, 'monitoring', warn) : {};
  for (const key of Object.keys(doc)) if (key !== 'agent' && key !== 'monitoring') warn(`top-level key ${key} is not known; ignored`);
  return { agent: agent as unknown as AgentDefinition, monitoring: monitoring as MonitoringSettings };
}

export function readAgentConfigFile(path: string, warn?: (m: string) => void): AgentConfigFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new VigilConfigError(path, `cannot be read: ${(err as Error).message}`);
  }
  return parseAgentConfig(text, path, warn);
}
