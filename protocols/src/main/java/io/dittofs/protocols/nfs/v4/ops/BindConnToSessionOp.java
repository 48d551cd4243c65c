package io.dittofs.protocols.nfs.v4.ops;

import io.dittofs.protocols.nfs.v4.CompoundContext;
import io.dittofs.protocols.nfs.v4.Nfs4Exception;
import io.dittofs.protocols.nfs.v4.Nfs4Ops;
import io.dittofs.protocols.nfs.v4.Nfs4Status;
import io.dittofs.protocols.nfs.v4.state.CallbackPath;
import io.dittofs.protocols.nfs.v4.state.Session;
import io.dittofs.protocols.nfs.v4.state.SessionId;
import io.dittofs.protocols.xdr.XdrDecoder;
import io.dittofs.protocols.xdr.XdrEncoder;
import java.lang.foreign.ValueLayout;

/**
 * BIND_CONN_TO_SESSION (RFC 8881 section 18.34): {@code sessionid4; channel_dir_from_client4 bctsa_dir;
 * bool bctsa_use_conn_in_rdma_mode}. Binds the caller's connection, for the back channel too when asked
 * (it then carries CB_RECALL; a path that was down is up again); no RDMA. Stateless singleton; thread-safe.
 */
final class BindConnToSessionOp extends StateOp {
    static final BindConnToSessionOp INSTANCE = new BindConnToSessionOp();
    private static final int FORE = 1;
    private static final int BACK = 2;
    private static final int BOTH = 3;

    @Override
    public int opnum() {
        return Nfs4Ops.OP_BIND_CONN_TO_SESSION;
    }

    @Override
    public int minMinor() {
        return 1;
    }

    @Override
    void run(CompoundContext ctx, XdrDecoder args, XdrEncoder res) {
        byte[] sid = args.readOpaqueFixed(SessionId.SIZE).toArray(ValueLayout.JAVA_BYTE);
        int dir = args.readInt();
        args.readBool();
        int answer = switch (dir) {
            case 1 -> FORE;
            case 2 -> BACK;
            case 3, 7 -> BOTH;
            default -> throw new Nfs4Exception(Nfs4Status.INVAL, "channel direction " + dir);
        };
        Session s = state(ctx).sessions().get(SessionId.of(sid));
        s.bind(ctx.call().client());
        if (answer != FORE) {
            s.callback().bind(CallbackPath.current());
        }
        res.writeInt(Nfs4Status.OK);
        res.writeOpaqueFixed(sid);
        res.writeInt(answer);
        res.writeBool(false);
    }
}
