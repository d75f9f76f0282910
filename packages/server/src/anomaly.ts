// The `@vigil/server/anomaly` entry point: the anomaly detector core, for embedding and benchmarks.
// A file of its own so the package's export map does not follow internal folder moves.
export * from './alerting/anomaly/index.js';
