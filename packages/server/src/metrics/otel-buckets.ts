// Histogram bucket upper bounds, in seconds, that the OpenTelemetry GenAI semantic conventions
// advise for gen_ai.client.operation.duration (ExplicitBucketBoundaries). Using them lets run
// durations sit beside OTel-instrumented model-call durations on the same dashboards.
export const GEN_AI_DURATION_BUCKETS_SECONDS: readonly number[] = [
  0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92,
];
