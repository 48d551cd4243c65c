package io.dittofs.controlplane.tracing;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;

/**
 * The trace of one RPC call while it runs: its server span and the span that store work started
 * now should be a child of (the server span, or a cache span whose block-store work runs inside it).
 * {@link RpcTracer#inCall} binds it in {@link #CURRENT} for the call's dispatch, so everything the
 * call does on its own thread finds it without any thread-local; work handed to another thread
 * must be given {@link #context()} explicitly.
 *
 * <p>Not thread-safe: one call's dispatch runs on one thread, and only that thread pushes and
 * pops spans. {@link #recording()} is fixed at creation, so an unsampled call records no child.
 */
public final class CallTrace {
    /** The call being dispatched on this thread, if it is traced. */
    public static final ScopedValue<CallTrace> CURRENT = ScopedValue.newInstance();
    /** Deeper nesting than this is not recorded (stores nest cache → block store: depth 2). */
    private static final int MAX_DEPTH = 8;

    private final Span root;
    private final boolean recording;
    private final Span[] stack = new Span[MAX_DEPTH];
    private int depth;
    /** Set once the call's span has ended (by {@link RpcTracer#callCompleted}). */
    boolean ended;

    CallTrace(Span root) {
        this.root = root;
        this.recording = root.isRecording();
    }

    /** The call's server span. */
    public Span root() {
        return root;
    }

    /** Whether the call is sampled: children are recorded only then. */
    public boolean recording() {
        return recording;
    }

    /** The context the next child span starts under: the innermost open child, else the call's span. */
    public Context context() {
        return Context.root().with(depth == 0 ? root : stack[depth - 1]);
    }

    /** The recording trace of the current thread's call, or null (none, or not sampled). */
    public static CallTrace recordingOrNull() {
        if (!CURRENT.isBound()) {
            return null;
        }
        CallTrace t = CURRENT.get();
        return t.recording ? t : null;
    }

    /** Makes {@code child} the parent of spans started until {@link #pop}; false when nested too deep. */
    public boolean push(Span child) {
        if (depth == MAX_DEPTH) {
            return false;
        }
        stack[depth++] = child;
        return true;
    }

    /** Closes the innermost child pushed. */
    public void pop() {
        stack[--depth] = null;
    }
}
