// Public surface of the anomaly detector core, used by the alert evaluator and the benchmarks.
export { createDetector, restoreDetector, SENSITIVITY_THRESHOLDS, WINDOW_POINTS, SCALES, WARMUP_POINTS } from './detector.js';
export type { AnomalyDetector, AnomalyPoint, AnomalyVerdict, DetectorOptions, DetectorState, Evidence, Sensitivity } from './detector.js';
export { METRIC_PROFILES, metricProfile } from './metrics.js';
export type { MetricName, MetricProfile, NoiseModel, WatchedDirection } from './metrics.js';
export { explainAnomaly, baselineContext } from './explain.js';
export { createFleetDetector, restoreFleetDetector } from './fleet-detector.js';
export type { FleetDetector, FleetDetectorState, FleetPoint, IncidentChange } from './fleet-detector.js';
export { DEFAULT_FLEET, DEFAULT_MIN_DURATION_MINUTES, resolveFleetOptions } from './fleet-options.js';
export type { FleetDetectorOptions, FleetOptions, ResolvedFleetDetectorOptions } from './fleet-options.js';
export type { SeriesState, SignalEvidence } from './series-signal.js';
