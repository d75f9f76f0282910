// Public surface of @vigil/sdk. Every export users may rely on is named here.
export { configure, loadAgentConfig, flush, shutdown, stats } from './runtime.js';
export type { VigilStats } from './runtime.js';
export { monitorOpenAI } from './openai/monitor-openai.js';
export type { MonitorOpenAIOptions } from './openai/monitor-openai.js';
export { run } from './run.js';
export type { RunHandle, RunOptions, ToolContext, ToolOptions } from './run.js';
export { VigilTraceProcessor } from './agents/trace-processor.js';
export type { AgentsSpanLike, AgentsTraceLike, VigilTraceProcessorOptions } from './agents/trace-processor.js';
export { parseAgentConfig } from './agent-config.js';
export type { AgentConfigFile, AgentDefinition, DeclaredTool, MonitoringSettings } from './agent-config.js';
export type { VigilOptions, RedactContext } from './config.js';
export type { LogLevel, LogSink } from './logger.js';
export { VigilError, VigilIterationLimitError, VigilToolTimeoutError, VigilRunTimeoutError, VigilConfigError } from './errors.js';
export type { VigilErrorCode } from './errors.js';
