package io.dittofs.protocols.rpc;

import java.net.InetSocketAddress;
import java.util.function.Supplier;

/**
 * Hooks for metrics and tracing of an RPC server, protocol-neutral and library-free: the control
 * plane implements them on Prometheus and OpenTelemetry. Every method has a no-op default, and
 * {@link #NONE} (the default of {@link RpcDispatcher}) makes the server skip timing and event
 * allocation altogether, so observability costs nothing when it is off.
 *
 * <p>Implementations must be thread-safe and fast: they run on the connection and call threads.
 * They must not throw.
 */
public interface RpcObserver {
    /** Observes nothing; the server does no extra work for it. */
    RpcObserver NONE = new RpcObserver() {
    };

    /** How the RPC layer answered a call (RFC 5531 section 9 {@code accept_stat}/{@code reject_stat}). */
    enum Outcome {
        /** Accepted and executed; {@link Call#status()} has the program's own result status, if any. */
        SUCCESS,
        PROG_UNAVAIL,
        PROG_MISMATCH,
        PROC_UNAVAIL,
        GARBAGE_ARGS,
        SYSTEM_ERR,
        /** Denied: RPC version mismatch. */
        RPC_MISMATCH,
        /** Denied: bad or too weak credentials. */
        AUTH_ERROR,
        /** A retransmission answered from the duplicate-request cache. */
        DRC_REPLAY,
        /** A retransmission dropped because the first copy is still executing. */
        DRC_DROP;

        /** True for the replies RFC 5531 calls MSG_DENIED. */
        public boolean denied() {
            return this == RPC_MISMATCH || this == AUTH_ERROR;
        }
    }

    /**
     * One finished call.
     *
     * @param program       the program's short name ({@link RpcProgram#name()}), or {@code "unknown"}
     *                      for a program this server does not serve (never the raw number: labels stay bounded)
     * @param version       the program version asked for
     * @param procedure     the procedure name ({@link RpcProgram#procName}), or {@code "unknown"}
     * @param outcome       the RPC-level answer
     * @param status        the program's result status (e.g. {@code NFS3ERR_NOENT}) when the call
     *                      succeeded at the RPC level and the procedure returns one, else null
     * @param durationNanos from the start of decoding to the reply being encoded (not sent)
     * @param client        the caller's address (null when unknown)
     */
    record Call(String program, int version, String procedure, Outcome outcome, String status, long durationNanos,
                InetSocketAddress client) {
    }

    /** A connection was accepted by the server named {@code server} ("nfs", "portmap"). */
    default void connectionOpened(String server, InetSocketAddress peer) {
    }

    /** A connection was closed (by either side, or on shutdown). */
    default void connectionClosed(String server, InetSocketAddress peer) {
    }

    /** A connection was refused because the server is at its connection limit. */
    default void connectionRefused(String server) {
    }

    /** A call was read off a connection and starts executing. */
    default void callStarted() {
    }

    /** The call that {@link #callStarted} announced has replied (or failed). */
    default void callFinished() {
    }

    /** A call was answered (also for calls refused at the RPC level). */
    default void callCompleted(Call call) {
    }

    /**
     * Runs the dispatch of one call (decoding, the program's procedure and the reply's encoding)
     * and returns its result; {@link #callCompleted} of that call runs inside it, on the same
     * thread. An observer may bind per-call context around it (a tracer binds the call's span in a
     * {@link ScopedValue}, so the stores' work below becomes its child spans). Must call
     * {@code dispatch} exactly once and return what it returns. The default only runs it.
     */
    default <T> T inCall(Supplier<T> dispatch) {
        return dispatch.get();
    }
}
