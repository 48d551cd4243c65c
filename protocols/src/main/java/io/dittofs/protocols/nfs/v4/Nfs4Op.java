package io.dittofs.protocols.nfs.v4;

import io.dittofs.protocols.xdr.XdrDecoder;
import io.dittofs.protocols.xdr.XdrEncoder;

/**
 * One COMPOUND operation (RFC 8881 section 16.2, {@code nfs_argop4}/{@code nfs_resop4}).
 * Implementations are stateless singletons and thread-safe.
 */
public interface Nfs4Op {
    /** The operation number ({@link Nfs4Ops} lists them). */
    int opnum();

    /** Lowest minor version that has this op (0, 1 or 2). */
    default int minMinor() {
        return 0;
    }

    /** Highest minor version that has it (4.0-only ops such as SETCLIENTID, OPEN_CONFIRM, RENEW: 0). */
    default int maxMinor() {
        return 2;
    }

    /**
     * Decodes the op's arguments from {@code args} (bounds-checked, {@link io.dittofs.protocols.xdr.BadXdrException}
     * on garbage, which the processor answers with NFS4ERR_BADXDR) and writes the op's result WITHOUT
     * the leading opnum: status first, then the body when the status is NFS4_OK (or the failure body
     * the RFC gives the op, e.g. LOCK4denied, written by the op itself). Throw {@link Nfs4Exception}
     * (or {@link io.dittofs.core.FsException}, mapped by {@link Nfs4Errors}) to fail: the processor
     * rewinds {@code res} to where this op's status starts and writes the status alone. The processor
     * stops the compound on the first non-OK status.
     */
    void execute(CompoundContext ctx, XdrDecoder args, XdrEncoder res);
}
