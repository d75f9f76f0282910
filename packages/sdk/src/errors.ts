// Errors the SDK raises on purpose, each with a stable code. The SDK never throws for its own
// failures; these are the few behaviours the agent asked for (limits it configured) and must be
// able to catch by type.

export type VigilErrorCode = 'VIGIL_ITERATION_LIMIT' | 'VIGIL_TOOL_TIMEOUT' | 'VIGIL_RUN_TIMEOUT' | 'VIGIL_CONFIG_INVALID';

export class VigilError extends Error {
  readonly code: VigilErrorCode;
  constructor(code: VigilErrorCode, message: string) {
    super(message);
    this.name = new.target.name;
    this.code = code;
  }
}

/** Thrown by a model call that would exceed the run's `max_iterations`; the run ends `iteration_limit`. */
export class VigilIterationLimitError extends VigilError {
  readonly maxIterations: number;
  constructor(agentName: string, maxIterations: number) {
    super('VIGIL_ITERATION_LIMIT', `agent ${agentName} reached max_iterations (${maxIterations})`);
    this.maxIterations = maxIterations;
  }
}

/** Rejects `run.tool()` when the tool outlives its `timeout_ms`; its AbortSignal is aborted with it. */
export class VigilToolTimeoutError extends VigilError {
  readonly toolName: string;
  readonly timeoutMs: number;
  constructor(toolName: string, timeoutMs: number) {
    super('VIGIL_TOOL_TIMEOUT', `tool ${toolName} timed out after ${timeoutMs}ms`);
    this.toolName = toolName;
    this.timeoutMs = timeoutMs;
  }
}

/** Rejects `vigil.run()` when the run outlives its `timeoutMs`; `run.signal` is aborted with it. */
export class VigilRunTimeoutError extends VigilError {
  readonly timeoutMs: number;
  constructor(agentName: string, timeoutMs: number) {
    super('VIGIL_RUN_TIMEOUT', `run of agent ${agentName} timed out after ${timeoutMs}ms`);
    this.timeoutMs = timeoutMs;
  }
}

/** Thrown by loadAgentConfig() when the file cannot be read or is not the seed's YAML shape. */
export class VigilConfigError extends VigilError {
  readonly path: string;
  constructor(path: string, message: string) {
    super('VIGIL_CONFIG_INVALID', `${path}: ${message}`);
    this.path = path;
  }
}
