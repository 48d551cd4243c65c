package io.dittofs.controlplane.tracing;

import io.dittofs.protocols.rpc.RpcObserver;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;

import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * One OpenTelemetry server span per answered RPC call, named {@code NFS3/WRITE} and carrying the
 * RPC semantic-convention attributes ({@code rpc.system=onc_rpc}, {@code rpc.service},
 * {@code rpc.method}), the program version, the RPC outcome and the NFS/MOUNT status. The span
 * is made when the call has been answered, with its start time set back by the call's duration,
 * so the RPC layer needs no context handling. Calls refused before the program was known
 * ({@code PROG_UNAVAIL}, bad credentials) are traced too, as errors. Thread-safe.
 */
public final class RpcTracer implements RpcObserver {
    static final AttributeKey<String> RPC_SYSTEM = AttributeKey.stringKey("rpc.system");
    static final AttributeKey<String> RPC_SERVICE = AttributeKey.stringKey("rpc.service");
    static final AttributeKey<String> RPC_METHOD = AttributeKey.stringKey("rpc.method");
    static final AttributeKey<Long> RPC_VERSION = AttributeKey.longKey("rpc.onc_rpc.version");
    static final AttributeKey<String> RPC_OUTCOME = AttributeKey.stringKey("rpc.onc_rpc.outcome");
    static final AttributeKey<String> STATUS = AttributeKey.stringKey("dittofs.status");
    static final AttributeKey<String> PEER_ADDRESS = AttributeKey.stringKey("network.peer.address");
    static final AttributeKey<Long> PEER_PORT = AttributeKey.longKey("network.peer.port");

    private final Tracer tracer;
    private final Clock clock;

    public RpcTracer(Tracer tracer) {
        this(tracer, Clock.systemUTC());
    }

    RpcTracer(Tracer tracer, Clock clock) {
        this.tracer = tracer;
        this.clock = clock;
    }

    @Override
    public void callCompleted(Call c) {
        Instant now = clock.instant();
        long end = TimeUnit.SECONDS.toNanos(now.getEpochSecond()) + now.getNano();
        Span span = tracer.spanBuilder(c.program() + "/" + c.procedure())
                .setNoParent()
                .setSpanKind(SpanKind.SERVER)
                .setStartTimestamp(end - c.durationNanos(), TimeUnit.NANOSECONDS)
                .setAttribute(RPC_SYSTEM, "onc_rpc")
                .setAttribute(RPC_SERVICE, c.program())
                .setAttribute(RPC_METHOD, c.procedure())
                .setAttribute(RPC_VERSION, (long) c.version())
                .setAttribute(RPC_OUTCOME, c.outcome().name())
                .startSpan();
        if (span.isRecording()) {
            if (c.status() != null) {
                span.setAttribute(STATUS, c.status());
            }
            InetSocketAddress peer = c.client();
            if (peer != null && peer.getAddress() != null) {
                span.setAttribute(PEER_ADDRESS, peer.getAddress().getHostAddress());
                span.setAttribute(PEER_PORT, (long) peer.getPort());
            }
            switch (c.outcome()) {
                case SUCCESS, DRC_REPLAY, DRC_DROP -> {
                }
                default -> span.setStatus(StatusCode.ERROR, c.outcome().name());
            }
        }
        span.end(end, TimeUnit.NANOSECONDS);
    }
}
