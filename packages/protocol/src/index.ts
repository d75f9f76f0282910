// Public surface of @vigil/protocol: wire schemas, their derived types, validators, and the
// normalized record shapes shared by the server's pipeline.
export * from './limits.js';
export * from './run-schema.js';
export * from './agent-schema.js';
export * from './run-record.js';
export * from './validate.js';
export * from './duration.js';
export * from './api-key.js';
