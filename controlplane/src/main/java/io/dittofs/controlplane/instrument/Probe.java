package io.dittofs.controlplane.instrument;

import io.dittofs.controlplane.tracing.CallTrace;
import io.dittofs.core.FsError;
import io.dittofs.core.FsException;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Counter;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * The instruments of one operation of one store (say {@code write} of block store {@code s3data}),
 * bound once when the store is decorated: the latency histogram's and the byte counter's label
 * children, and the name and attributes of its child span. The per-call path does no label lookup,
 * builds no string and allocates nothing unless the call is sampled for tracing (then one span).
 * Errors, being rare, look up their {@code error} label child when they happen (the {@code IO} child
 * exists from the start, at zero).
 *
 * <p>Thread-safe (immutable; the data points are concurrent).
 */
final class Probe {
    static final AttributeKey<String> STORE = AttributeKey.stringKey("dittofs.store");
    static final AttributeKey<String> KIND = AttributeKey.stringKey("dittofs.store.kind");
    static final AttributeKey<String> LAYER = AttributeKey.stringKey("dittofs.store.layer");
    static final AttributeKey<Long> BYTES = AttributeKey.longKey("dittofs.bytes");
    static final AttributeKey<Long> FILE = AttributeKey.longKey("dittofs.file");
    static final AttributeKey<String> ERROR = AttributeKey.stringKey("dittofs.error");

    /**
     * A call of a store of type {@code S} with a file and up to two more whole-number arguments.
     * Callers pass a method reference or a lambda that uses only its parameters: it captures nothing,
     * so it is one constant instance and no call allocates.
     */
    @FunctionalInterface
    interface Call<S> {
        void run(S store, long file, long a, long b);
    }

    /** A call of a store of type {@code S} that moves the bytes of {@code data}; captures nothing, as {@link Call}. */
    @FunctionalInterface
    interface DataCall<S> {
        void run(S store, long file, long offset, MemorySegment data);
    }

    private final DistributionDataPoint latency;
    private final CounterDataPoint bytes;
    private final Counter errors;
    private final String[] errorLabels;
    private final Tracer tracer;
    private final String spanName;
    private final Attributes attributes;

    /**
     * @param latency     the histogram child, or null without metrics
     * @param bytes       the byte counter child, or null (no metrics, or an operation without data)
     * @param errors      the error counter, or null without metrics
     * @param errorLabels its label values but the last ({@code error}), which is added per error
     * @param tracer      the tracer for child spans, or null without tracing
     */
    Probe(DistributionDataPoint latency, CounterDataPoint bytes, Counter errors, String[] errorLabels, Tracer tracer,
          String spanName, Attributes attributes) {
        this.latency = latency;
        this.bytes = bytes;
        this.errors = errors;
        this.errorLabels = errorLabels;
        this.tracer = tracer;
        this.spanName = spanName;
        this.attributes = attributes;
        if (errors != null) {
            errors.labelValues(withError("IO")); // a zero series from the start, so rate() has a baseline
        }
    }

    private String[] withError(String error) {
        String[] labels = Arrays.copyOf(errorLabels, errorLabels.length + 1);
        labels[labels.length - 1] = error;
        return labels;
    }

    /**
     * Runs {@code call} on {@code store} as one measured operation: its span (when the current call is
     * sampled; {@code file} &lt; 0 names none), its latency, and its error when it throws.
     */
    <S> void time(S store, long file, long a, long b, Call<S> call) {
        Span s = start(file);
        long t0 = clock();
        try {
            call.run(store, file, a, b);
        } catch (RuntimeException e) {
            failed(s, e);
            throw e;
        } finally {
            end(s, t0);
        }
    }

    /** As {@link #time}, and counts the bytes of {@code data} once the call has succeeded. */
    <S> void move(S store, long file, long offset, MemorySegment data, DataCall<S> call) {
        Span s = start(file);
        long t0 = clock();
        try {
            call.run(store, file, offset, data);
            bytes(s, data.byteSize());
        } catch (RuntimeException e) {
            failed(s, e);
            throw e;
        } finally {
            end(s, t0);
        }
    }

    /**
     * Starts the operation's child span under the current call's innermost span, when the thread
     * runs a sampled RPC call; null otherwise (no call, tracing off, or not sampled).
     */
    Span start(long file) {
        if (tracer == null) {
            return null;
        }
        CallTrace t = CallTrace.recordingOrNull();
        if (t == null) {
            return null;
        }
        Span s = tracer.spanBuilder(spanName).setParent(t.context()).setSpanKind(SpanKind.INTERNAL)
                .setAllAttributes(attributes).startSpan();
        if (file >= 0) {
            s.setAttribute(FILE, file);
        }
        if (!t.push(s)) {
            s.end();
            return null;
        }
        return s;
    }

    /** The start time for the latency histogram (0 without metrics: no clock read). */
    long clock() {
        return latency == null ? 0 : System.nanoTime();
    }

    /** Counts {@code n} bytes moved by a successful call. */
    void bytes(Span span, long n) {
        if (bytes != null) {
            bytes.inc(n);
        }
        if (span != null) {
            span.setAttribute(BYTES, n);
        }
    }

    /** Counts a failed call by its {@link FsError} ({@code OTHER} for anything else) and marks its span. */
    void failed(Span span, RuntimeException e) {
        String error = e instanceof FsException fe ? fe.error().name() : "OTHER";
        if (errors != null) {
            errors.labelValues(withError(error)).inc();
        }
        if (span != null) {
            span.setAttribute(ERROR, error);
            if (!(e instanceof FsException fe) || fe.error() == FsError.IO || fe.error() == FsError.NO_SPACE) {
                span.setStatus(StatusCode.ERROR, error);
            }
        }
    }

    /** Ends the call: records its latency and closes its span. */
    void end(Span span, long start) {
        if (latency != null) {
            latency.observe((System.nanoTime() - start) / 1e9);
        }
        if (span != null) {
            CallTrace t = CallTrace.recordingOrNull();
            if (t != null) {
                t.pop();
            }
            span.end();
        }
    }
}
