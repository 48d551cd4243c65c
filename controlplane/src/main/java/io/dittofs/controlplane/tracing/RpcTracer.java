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
import java.util.function.Supplier;

/**
 * One OpenTelemetry server span per answered RPC call, named {@code NFS3/WRITE} and carrying the
 * RPC semantic-convention attributes ({@code rpc.system=onc_rpc}, {@code rpc.service},
 * {@code rpc.method}), the program version, the RPC outcome and the NFS/MOUNT status. The span
 * starts when the dispatch of the call starts ({@link #inCall}, which decides sampling then and
 * binds the call's {@link CallTrace} so the stores' work becomes child spans) and ends when the
 * call has been answered. A call reported without {@link #inCall} around it gets a span made after
 * the fact, its start set back by the call's duration. Calls refused before the program was known
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

    /** Starts the call's span (sampled or not) and runs the dispatch with its {@link CallTrace} bound. */
    @Override
    public <T> T inCall(Supplier<T> dispatch) {
        Span span = tracer.spanBuilder("onc_rpc").setNoParent().setSpanKind(SpanKind.SERVER)
                .setAttribute(RPC_SYSTEM, "onc_rpc").startSpan();
        CallTrace trace = new CallTrace(span);
        try {
            return ScopedValue.where(CallTrace.CURRENT, trace).call(dispatch::get);
        } finally {
            if (!trace.ended) {
                span.end(); // a dispatch that threw before reporting the call
            }
        }
    }

    @Override
    public void callCompleted(Call c) {
        if (CallTrace.CURRENT.isBound()) {
            CallTrace trace = CallTrace.CURRENT.get();
            Span span = trace.root();
            trace.ended = true;
            if (span.isRecording()) {
                span.updateName(c.program() + "/" + c.procedure());
                span.setAttribute(RPC_SERVICE, c.program());
                span.setAttribute(RPC_METHOD, c.procedure());
                span.setAttribute(RPC_VERSION, (long) c.version());
                span.setAttribute(RPC_OUTCOME, c.outcome().name());
                describe(span, c);
                span.end();
            }
            return;
        }
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
            describe(span, c);
        }
        span.end(end, TimeUnit.NANOSECONDS);
    }

    /** The status, peer and error attributes of a recording span. */
    private static void describe(Span span, Call c) {
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
}
