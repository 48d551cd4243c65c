package io.dittofs.controlplane.tracing;

import io.dittofs.protocols.rpc.RpcObserver;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * OpenTelemetry tracing ({@code telemetry.enabled}): a tracer provider that samples
 * {@code telemetry.sample_rate} of the calls by trace id, batches the spans and exports them over
 * OTLP/gRPC to {@code telemetry.endpoint} (plain text when {@code telemetry.insecure}). The SDK is
 * built here, not registered as the global OpenTelemetry. {@link #close()} flushes the spans still
 * queued (for at most 5 s: a collector that is down does not hold up a shutdown for longer), then
 * shuts the exporter down. Thread-safe.
 */
public final class Tracing implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Tracing.class);
    private static final AttributeKey<String> SERVICE_NAME = AttributeKey.stringKey("service.name");
    private static final AttributeKey<String> SERVICE_VERSION = AttributeKey.stringKey("service.version");
    /** How long a shutdown waits for the last spans (a collector that is down would otherwise be retried). */
    private static final long SHUTDOWN_SECONDS = 5;

    private final SdkTracerProvider provider;
    private final RpcTracer rpc;
    private final Tracer stores;

    private Tracing(SdkTracerProvider provider, String version) {
        this.provider = provider;
        this.rpc = new RpcTracer(provider.get("io.dittofs.rpc", version));
        this.stores = provider.get("io.dittofs.storage", version);
    }

    /**
     * Tracing to an OTLP/gRPC collector.
     *
     * @param endpoint   {@code host:port}, or a full {@code http(s)://host:port} URL
     * @param insecure   plain text instead of TLS (when the endpoint has no scheme)
     * @param sampleRate fraction of calls traced, 0.0 to 1.0
     */
    public static Tracing otlp(String endpoint, boolean insecure, double sampleRate, String version) {
        String url = endpoint.contains("://") ? endpoint : (insecure ? "http://" : "https://") + endpoint;
        OtlpGrpcSpanExporter exporter = OtlpGrpcSpanExporter.builder()
                .setEndpoint(url)
                .setTimeout(Duration.ofSeconds(5))
                .build();
        LOG.info("OpenTelemetry tracing to {} (OTLP/gRPC), sample rate {}", url, sampleRate);
        return create(BatchSpanProcessor.builder(exporter).build(), sampleRate, version);
    }

    /** Tracing through any span processor (tests use an in-memory exporter). */
    public static Tracing create(SpanProcessor processor, double sampleRate, String version) {
        Resource resource = Resource.getDefault().merge(Resource.create(Attributes.of(
                SERVICE_NAME, "dittofs", SERVICE_VERSION, version)));
        SdkTracerProvider provider = SdkTracerProvider.builder()
                .setResource(resource)
                .setSampler(Sampler.parentBased(Sampler.traceIdRatioBased(sampleRate)))
                .addSpanProcessor(processor)
                .build();
        return new Tracing(provider, version);
    }

    /** The observer that turns calls into spans. */
    public RpcObserver rpcObserver() {
        return rpc;
    }

    /** The tracer of the stores' child spans (metadata, cache, block store) under the RPC spans. */
    public Tracer storeTracer() {
        return stores;
    }

    /** Exports the spans still queued, then stops the exporter (waits up to 5 s). */
    @Override
    public void close() {
        CompletableResultCode done = provider.shutdown().join(SHUTDOWN_SECONDS, TimeUnit.SECONDS);
        if (!done.isSuccess()) {
            LOG.warn("tracing: not every span could be exported at shutdown");
        }
    }
}
