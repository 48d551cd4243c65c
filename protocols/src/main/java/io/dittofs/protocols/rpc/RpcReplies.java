package io.dittofs.protocols.rpc;

import io.dittofs.protocols.xdr.XdrEncoder;

/**
 * Encodes reply headers (RFC 5531 section 9 {@code reply_body}). The encoder must be positioned
 * after the 4-byte record mark.
 */
final class RpcReplies {
    private RpcReplies() {
    }

    /** {@code MSG_ACCEPTED} with an AUTH_NONE verifier and the given accept_stat. */
    static void accepted(XdrEncoder e, int xid, int acceptStat) {
        e.writeInt(xid).writeInt(Rpc.REPLY).writeInt(Rpc.MSG_ACCEPTED)
                .writeInt(Rpc.AUTH_NONE).writeInt(0)
                .writeInt(acceptStat);
    }

    static void progMismatch(XdrEncoder e, int xid, int low, int high) {
        accepted(e, xid, Rpc.PROG_MISMATCH);
        e.writeInt(low).writeInt(high);
    }

    static void rpcMismatch(XdrEncoder e, int xid) {
        e.writeInt(xid).writeInt(Rpc.REPLY).writeInt(Rpc.MSG_DENIED)
                .writeInt(Rpc.RPC_MISMATCH).writeInt(Rpc.VERSION).writeInt(Rpc.VERSION);
    }

    static void authError(XdrEncoder e, int xid, int authStat) {
        e.writeInt(xid).writeInt(Rpc.REPLY).writeInt(Rpc.MSG_DENIED)
                .writeInt(Rpc.AUTH_ERROR).writeInt(authStat);
    }
}
