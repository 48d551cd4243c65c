package io.dittofs.controlplane.metrics;

import io.dittofs.protocols.rpc.RpcObserver;
import io.dittofs.storage.cache.WriteBackCache;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The Prometheus endpoint ({@code metrics.enabled}): its own registry with the RPC metrics, the
 * JVM metrics and (once {@link #registerCaches} is called) the cache metrics, served as
 * {@code /metrics} by the exporter's HTTP server on {@code metrics.port}. Thread-safe.
 */
public final class MetricsServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MetricsServer.class);

    private final PrometheusRegistry registry;
    private final RpcMetrics rpc;
    private final HTTPServer http;

    private MetricsServer(PrometheusRegistry registry, RpcMetrics rpc, HTTPServer http) {
        this.registry = registry;
        this.rpc = rpc;
        this.http = http;
    }

    /**
     * Builds the registry and starts serving it.
     *
     * @param bind the listen address (the adapters' address)
     * @param port the port; 0 picks a free one
     * @throws IOException if the port cannot be bound
     */
    public static MetricsServer start(String bind, int port) throws IOException {
        PrometheusRegistry registry = new PrometheusRegistry();
        JvmMetrics.builder().register(registry);
        RpcMetrics rpc = new RpcMetrics(registry);
        HTTPServer http;
        try {
            http = HTTPServer.builder().hostname(bind).port(port).registry(registry).buildAndStart();
        } catch (IOException e) {
            throw new IOException("cannot listen on " + bind + ":" + port + " for metrics: " + e.getMessage(), e);
        }
        LOG.info("Prometheus metrics on http://{}:{}/metrics", bind, http.getPort());
        return new MetricsServer(registry, rpc, http);
    }

    /** The observer that feeds the RPC metrics. */
    public RpcObserver rpcObserver() {
        return rpc;
    }

    /** Adds the cache metrics, read from {@code caches} at every scrape. */
    public void registerCaches(Supplier<Map<String, WriteBackCache.Stats>> caches) {
        CacheMetrics.register(registry, caches);
    }

    /** Adds {@code dittofs_smb_logon_failures_total{reason}}, read from {@code failures} at every scrape. */
    public void registerSmbLogons(Supplier<Map<String, Long>> failures) {
        io.prometheus.metrics.core.metrics.CounterWithCallback.builder().name("dittofs_smb_logon_failures")
                .help("failed SMB logons by reason (bad_password, unknown_user, disabled, refused, malformed; "
                        + "rate_limited: refused by the per-address or per-account limit)")
                .labelNames("reason")
                .callback(cb -> failures.get().forEach((reason, n) -> cb.call(n, reason)))
                .register(registry);
    }

    public PrometheusRegistry registry() {
        return registry;
    }

    public int port() {
        return http.getPort();
    }

    @Override
    public void close() {
        http.close();
    }
}
