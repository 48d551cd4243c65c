package io.dittofs.controlplane.metrics;

import io.dittofs.protocols.rpc.RpcObserver;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;

import java.net.InetSocketAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The RPC server's Prometheus metrics, fed by the {@link RpcObserver} hooks: calls by program,
 * procedure and status; latency by program and procedure; calls in flight; connections; RPC-level
 * rejections; duplicate-request-cache hits. Every label value comes from a bounded set (program
 * and procedure names, status names), never from raw client input. Thread-safe; the per-call path
 * is a map lookup and a few atomic adds.
 */
public final class RpcMetrics implements RpcObserver {
    /** Latency buckets in seconds: 50 µs (a cached GETATTR) to 10 s (a stalled COMMIT). */
    private static final double[] LATENCY_BUCKETS = {0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
        0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

    private final Counter calls;
    private final Histogram latency;
    private final Gauge inFlight;
    private final Counter garbage;
    private final Counter denied;
    private final Counter drcHits;
    private final Gauge connectionsActive;
    private final Counter connectionsAccepted;
    private final Counter connectionsClosed;
    private final Counter connectionsRefused;

    /** The label children for one (program, procedure, status): resolved once, then reused. */
    private record Key(String program, String procedure, String status) {
    }

    private final ConcurrentMap<Key, CounterDataPoint> callChildren = new ConcurrentHashMap<>();
    private final ConcurrentMap<Key, DistributionDataPoint> latencyChildren = new ConcurrentHashMap<>();

    public RpcMetrics(PrometheusRegistry registry) {
        calls = Counter.builder().name("dittofs_rpc_calls")
                .help("RPC calls answered, by program (NFS3, MOUNT3), procedure and status (the nfsstat3/mountstat3 "
                        + "name, else the RPC outcome such as SUCCESS, GARBAGE_ARGS, AUTH_ERROR, DRC_REPLAY)")
                .labelNames("program", "procedure", "status").register(registry);
        latency = Histogram.builder().name("dittofs_rpc_call_duration_seconds")
                .help("time from decoding a call to its reply being encoded, by program and procedure")
                .unit(Unit.SECONDS).labelNames("program", "procedure")
                .classicOnly().classicUpperBounds(LATENCY_BUCKETS).withoutExemplars().register(registry);
        inFlight = Gauge.builder().name("dittofs_rpc_calls_in_flight")
                .help("RPC calls read off connections and not yet answered").register(registry);
        garbage = Counter.builder().name("dittofs_rpc_garbage_args")
                .help("calls answered GARBAGE_ARGS (undecodable arguments or call header), by program")
                .labelNames("program").register(registry);
        denied = Counter.builder().name("dittofs_rpc_denied")
                .help("calls answered MSG_DENIED, by reason (AUTH_ERROR, RPC_MISMATCH)")
                .labelNames("reason").register(registry);
        drcHits = Counter.builder().name("dittofs_rpc_drc_hits")
                .help("retransmitted non-idempotent calls answered by the duplicate-request cache, by action "
                        + "(replay: the cached reply was resent; drop: the first copy was still running)")
                .labelNames("program", "procedure", "action").register(registry);
        connectionsActive = Gauge.builder().name("dittofs_connections_active")
                .help("open client connections, by server (nfs, portmap)").labelNames("server").register(registry);
        connectionsAccepted = Counter.builder().name("dittofs_connections_accepted")
                .help("client connections accepted, by server").labelNames("server").register(registry);
        connectionsClosed = Counter.builder().name("dittofs_connections_closed")
                .help("client connections closed, by server").labelNames("server").register(registry);
        connectionsRefused = Counter.builder().name("dittofs_connections_refused")
                .help("client connections refused at the connection limit, by server").labelNames("server")
                .register(registry);
    }

    @Override
    public void connectionOpened(String server, InetSocketAddress peer) {
        connectionsAccepted.labelValues(server).inc();
        connectionsActive.labelValues(server).inc();
    }

    @Override
    public void connectionClosed(String server, InetSocketAddress peer) {
        connectionsClosed.labelValues(server).inc();
        connectionsActive.labelValues(server).dec();
    }

    @Override
    public void connectionRefused(String server) {
        connectionsRefused.labelValues(server).inc();
    }

    @Override
    public void callStarted() {
        inFlight.inc();
    }

    @Override
    public void callFinished() {
        inFlight.dec();
    }

    @Override
    public void callCompleted(Call c) {
        String status = c.status() != null ? c.status() : c.outcome().name();
        Key k = new Key(c.program(), c.procedure(), status);
        callChildren.computeIfAbsent(k, x -> calls.labelValues(x.program(), x.procedure(), x.status())).inc();
        Key lk = new Key(c.program(), c.procedure(), "");
        latencyChildren.computeIfAbsent(lk, x -> latency.labelValues(x.program(), x.procedure()))
                .observe(c.durationNanos() / 1e9);
        switch (c.outcome()) {
            case GARBAGE_ARGS -> garbage.labelValues(c.program()).inc();
            case AUTH_ERROR, RPC_MISMATCH -> denied.labelValues(c.outcome().name()).inc();
            case DRC_REPLAY -> drcHits.labelValues(c.program(), c.procedure(), "replay").inc();
            case DRC_DROP -> drcHits.labelValues(c.program(), c.procedure(), "drop").inc();
            default -> {
            }
        }
    }
}
