// Public surface of the anomaly detector core, used by the alert evaluator and the benchmarks.
export { createDetector, restoreDetector, SENSITIVITY_THRESHOLDS, WINDOW_POINTS, SCALES, WARMUP_POINTS } from './detector.js';
export type { AnomalyDetector, AnomalyPoint, AnomalyVerdict, DetectorOptions, DetectorState, Evidence, Sensitivity } from './detector.js';
export { METRIC_PROFILES, metricProfile } from './metrics.js';
export type { MetricName, MetricProfile, NoiseModel, WatchedDirection } from './metrics.js';
export { explainAnomaly, baselineContext } from './explain.js';
