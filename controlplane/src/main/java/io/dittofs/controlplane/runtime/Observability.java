package io.dittofs.controlplane.runtime;

import io.dittofs.controlplane.config.Config;
import io.dittofs.controlplane.config.ConfigKey;
import io.dittofs.controlplane.instrument.StoreInstruments;
import io.dittofs.controlplane.metrics.MetricsServer;
import io.dittofs.controlplane.tracing.Tracing;
import io.dittofs.protocols.rpc.RpcObserver;
import io.dittofs.storage.cache.WriteBackCache;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Metrics and tracing as the configuration asks for them ({@code metrics.*}, {@code telemetry.*}):
 * owns the Prometheus endpoint and the tracer provider, and hands the runtime one
 * {@link RpcObserver} that feeds both ({@link RpcObserver#NONE} when both are off, so the RPC
 * layer does no extra work). Thread-safe.
 */
public final class Observability implements AutoCloseable {
    private final MetricsServer metrics;
    private final Tracing tracing;
    private final RpcObserver observer;
    private final StoreInstruments stores;

    public Observability(MetricsServer metrics, Tracing tracing) {
        this.metrics = metrics;
        this.tracing = tracing;
        this.stores = metrics == null && tracing == null ? StoreInstruments.NONE
                : new StoreInstruments(metrics == null ? null : metrics.registry(),
                        tracing == null ? null : tracing.storeTracer());
        List<RpcObserver> parts = new ArrayList<>();
        if (metrics != null) {
            parts.add(metrics.rpcObserver());
        }
        if (tracing != null) {
            parts.add(tracing.rpcObserver());
        }
        this.observer = switch (parts.size()) {
            case 0 -> RpcObserver.NONE;
            case 1 -> parts.getFirst();
            default -> new FanOut(parts.toArray(RpcObserver[]::new));
        };
    }

    /**
     * Starts what {@code c} enables: the metrics endpoint on the adapters' bind address and
     * {@code metrics.port}, OTLP tracing to {@code telemetry.endpoint}.
     *
     * @throws IOException if the metrics port cannot be bound
     */
    public static Observability start(Config c, String version) throws IOException {
        MetricsServer m = c.getBool(ConfigKey.METRICS_ENABLED)
                ? MetricsServer.start(c.get(ConfigKey.ADAPTERS_NFS_BIND), c.getInt(ConfigKey.METRICS_PORT)) : null;
        Tracing t = c.getBool(ConfigKey.TELEMETRY_ENABLED)
                ? Tracing.otlp(c.get(ConfigKey.TELEMETRY_ENDPOINT), c.getBool(ConfigKey.TELEMETRY_INSECURE),
                        Double.parseDouble(c.get(ConfigKey.TELEMETRY_SAMPLE_RATE)), version)
                : null;
        return new Observability(m, t);
    }

    /** What the RPC servers report to. */
    public RpcObserver rpcObserver() {
        return observer;
    }

    /** What the runtime decorates its stores with (metrics and child spans; {@link StoreInstruments#NONE} when both are off). */
    public StoreInstruments storeInstruments() {
        return stores;
    }

    /** Exposes the caches' counters (no-op without metrics). */
    public void registerCaches(Supplier<Map<String, WriteBackCache.Stats>> caches) {
        if (metrics != null) {
            metrics.registerCaches(caches);
        }
    }

    /** Exposes the SMB adapter's failed-logon counts by reason (no-op without metrics). */
    public void registerSmbLogons(Supplier<Map<String, Long>> failures) {
        if (metrics != null) {
            metrics.registerSmbLogons(failures);
        }
    }

    /** The metrics port, or -1 when metrics are off. */
    public int metricsPort() {
        return metrics == null ? -1 : metrics.port();
    }

    /** Stops the metrics endpoint and flushes the spans still queued. */
    @Override
    public void close() {
        if (metrics != null) {
            metrics.close();
        }
        if (tracing != null) {
            tracing.close();
        }
    }

    /** Passes every event to each observer in turn. */
    private record FanOut(RpcObserver[] all) implements RpcObserver {
        @Override
        public void connectionOpened(String server, InetSocketAddress peer) {
            for (RpcObserver o : all) {
                o.connectionOpened(server, peer);
            }
        }

        @Override
        public void connectionClosed(String server, InetSocketAddress peer) {
            for (RpcObserver o : all) {
                o.connectionClosed(server, peer);
            }
        }

        @Override
        public void connectionRefused(String server) {
            for (RpcObserver o : all) {
                o.connectionRefused(server);
            }
        }

        @Override
        public void callStarted() {
            for (RpcObserver o : all) {
                o.callStarted();
            }
        }

        @Override
        public void callFinished() {
            for (RpcObserver o : all) {
                o.callFinished();
            }
        }

        @Override
        public void callCompleted(Call call) {
            for (RpcObserver o : all) {
                o.callCompleted(call);
            }
        }

        @Override
        public <T> T inCall(Supplier<T> dispatch) {
            return nest(0, dispatch);
        }

        /** Each observer's {@code inCall} around the next one's, the last around the dispatch. */
        private <T> T nest(int i, Supplier<T> dispatch) {
            return i == all.length ? dispatch.get() : all[i].inCall(() -> nest(i + 1, dispatch));
        }
    }
}
