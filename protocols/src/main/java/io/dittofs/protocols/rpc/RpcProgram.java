package io.dittofs.protocols.rpc;

import io.dittofs.protocols.xdr.XdrDecoder;
import io.dittofs.protocols.xdr.XdrEncoder;

/**
 * One ONC RPC program (NFS, MOUNT, portmapper...). The dispatcher has already checked the RPC
 * version, the program number, the version range, the procedure number and the credentials,
 * and has written the accepted-reply header; {@link #call} decodes the arguments and writes
 * the results. A {@link io.dittofs.protocols.xdr.BadXdrException} becomes GARBAGE_ARGS, any other
 * exception SYSTEM_ERR. Implementations are thread-safe: calls run concurrently.
 */
public interface RpcProgram {
    int program();

    int lowVersion();

    int highVersion();

    /** True if the version (within range) implements {@code proc}. */
    boolean hasProcedure(int version, int proc);

    /** True for procedures that must not run twice (their replies go to the duplicate-request cache). */
    boolean nonIdempotent(int version, int proc);

    /** Whether AUTH_NONE callers are accepted for this procedure (else AUTH_TOOWEAK). */
    default boolean allowsAuthNone(int version, int proc) {
        return true;
    }

    /** A hint for the reply buffer size. */
    default int replySizeHint(int version, int proc) {
        return 4096;
    }

    void call(RpcCall call, XdrDecoder args, XdrEncoder reply);

    /** Short name for logs and metrics. */
    String name();

    /** Procedure name for logs, metrics and traces (a bounded set: never derived from client input). */
    default String procName(int version, int proc) {
        return Integer.toString(proc);
    }

    /**
     * The name of the status the procedure's result starts with ({@code nfsstat3}, {@code mountstat3}),
     * for metrics and traces; null when the procedure's result has no status. Called only when an
     * {@link RpcObserver} is set, after {@link #call} returned normally.
     *
     * @param status the first word of the encoded result
     */
    default String resultStatus(int version, int proc, int status) {
        return null;
    }
}
