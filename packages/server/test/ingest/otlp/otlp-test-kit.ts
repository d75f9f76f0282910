// Real OpenTelemetry SDK pieces pointed at a real Vigil server: a tracer provider whose exporter
// (OTLP/HTTP JSON or protobuf, the published packages) records every export result, and helpers
// to build GenAI spans by hand with explicit parents.
import { context, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Context, type Span, type Tracer } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { OTLPTraceExporter as HttpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as HttpProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';

export type ExporterKind = 'http/json' | 'http/protobuf';

export interface TestTracing {
  tracer: Tracer;
  provider: BasicTracerProvider;
  /** One entry per export request the exporter made. */
  results: ExportResult[];
  shutdown(): Promise<void>;
}

/**
 * A provider with a SimpleSpanProcessor: each span is exported when it ends, in its own request,
 * so every multi-span trace arrives split over several requests (children first, root last).
 */
export function startTracing(kind: ExporterKind, url: string, key: string, resource: Attributes = { 'service.name': 'otel-test-service' }): TestTracing {
  const options = { url: `${url}/v1/traces`, headers: { Authorization: `Bearer ${key}` } };
  const inner = kind === 'http/json' ? new HttpJsonExporter(options) : new HttpProtoExporter(options);
  const results: ExportResult[] = [];
  const recording: SpanExporter = {
    export(spans: ReadableSpan[], done: (r: ExportResult) => void) {
      inner.export(spans, (r) => {
        results.push(r);
        done(r);
      });
    },
    shutdown: () => inner.shutdown(),
    forceFlush: () => inner.forceFlush(),
  };
  const provider = new BasicTracerProvider({ resource: resourceFromAttributes(resource), spanProcessors: [new SimpleSpanProcessor(recording)] });
  return {
    tracer: provider.getTracer('vigil-otlp-test'),
    provider,
    results,
    async shutdown() {
      await provider.forceFlush();
      await provider.shutdown();
    },
  };
}

export const allSucceeded = (results: ExportResult[]) => results.length > 0 && results.every((r) => r.code === ExportResultCode.SUCCESS);

/** Builds spans at explicit times, each under an explicit parent. */
export class SpanBuilder {
  constructor(private readonly tracer: Tracer, private readonly t0: number) {}

  start(name: string, attributes: Attributes, atMs: number, parent?: Span | Context, kind: SpanKind = SpanKind.INTERNAL): Span {
    const ctx = parent === undefined ? ROOT_CONTEXT : 'spanContext' in parent ? trace.setSpan(ROOT_CONTEXT, parent) : parent;
    return this.tracer.startSpan(name, { attributes, kind, startTime: this.t0 + atMs }, ctx);
  }

  end(span: Span, atMs: number, error?: { message: string; type?: string }): void {
    if (error) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
      if (error.type) span.setAttribute('error.type', error.type);
    }
    span.end(this.t0 + atMs);
  }
}

export { context, SpanKind, trace };
