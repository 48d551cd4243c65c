package io.dittofs.protocols.nfs.v4.ops;

import io.dittofs.protocols.nfs.v4.CompoundContext;
import io.dittofs.protocols.nfs.v4.Nfs4Exception;
import io.dittofs.protocols.nfs.v4.Nfs4Ops;
import io.dittofs.protocols.nfs.v4.Nfs4Status;
import io.dittofs.protocols.nfs.v4.state.CallbackPath;
import io.dittofs.protocols.nfs.v4.state.ChannelAttrs;
import io.dittofs.protocols.nfs.v4.state.ClientRecord;
import io.dittofs.protocols.nfs.v4.state.Session;
import io.dittofs.protocols.nfs.v4.state.StateManager;
import io.dittofs.protocols.rpc.BackChannel;
import io.dittofs.protocols.xdr.XdrDecoder;
import io.dittofs.protocols.xdr.XdrEncoder;
import java.nio.ByteBuffer;

/**
 * CREATE_SESSION (RFC 8881 section 18.36): {@code clientid4 csa_clientid; sequenceid4 csa_sequence;
 * uint32_t csa_flags; channel_attrs4 csa_fore_chan_attrs, csa_back_chan_attrs; uint32_t csa_cb_program;
 * callback_sec_parms4 csa_sec_parms<>}. The sequence id is checked against the client record (a replay
 * gets the cached answer), an unconfirmed record is confirmed. No persistent reply cache; the
 * creating connection becomes the back channel when the client asks (CREATE_SESSION4_FLAG_CONN_BACK_CHAN)
 * and the transport can carry callbacks. Stateless singleton; thread-safe.
 */
final class CreateSessionOp extends StateOp {
    static final CreateSessionOp INSTANCE = new CreateSessionOp();
    private static final int MAX_SEC_PARMS = 16;
    /** CREATE_SESSION4_FLAG_CONN_BACK_CHAN: the creating connection is also the back channel. */
    private static final int CONN_BACK_CHAN = 0x2;
    /** The csa_flags RFC 8881 defines: PERSIST, CONN_BACK_CHAN, CONN_RDMA. */
    private static final int KNOWN_FLAGS = 0x7;

    @Override
    public int opnum() {
        return Nfs4Ops.OP_CREATE_SESSION;
    }

    @Override
    public int minMinor() {
        return 1;
    }

    @Override
    void run(CompoundContext ctx, XdrDecoder args, XdrEncoder res) {
        long clientId = args.readLong();
        int seq = args.readInt();
        int askedFlags = args.readInt();
        ChannelAttrs fore = readAttrs(args);
        ChannelAttrs back = readAttrs(args);
        int cbProgram = args.readInt();
        skipSecParms(args);
        if ((askedFlags & ~KNOWN_FLAGS) != 0) {
            throw new Nfs4Exception(Nfs4Status.INVAL, "unknown csa_flags " + Integer.toHexString(askedFlags));
        }
        if (fore.tooSmall(false) || back.tooSmall(true)) {
            throw new Nfs4Exception(Nfs4Status.TOOSMALL, "channel attributes below one SEQUENCE");
        }
        StateManager m = state(ctx);
        ClientRecord c = m.clients().get(clientId);
        synchronized (c.createSessionLock()) {
            if (!c.checkCreateSessionSeq(seq)) {
                res.writeInt(Nfs4Status.OK);
                res.writeOpaqueFixed(c.createSessionReply());
                return;
            }
            m.clients().confirmBySession(c, principal(ctx));
            BackChannel conn = CallbackPath.current();
            boolean backChan = (askedFlags & CONN_BACK_CHAN) != 0;
            Session s = m.sessions().create(c, fore, back, backChan && conn != null ? CONN_BACK_CHAN : 0, cbProgram,
                    ctx.call().client());
            if (backChan) {
                s.callback().bind(conn);
            }
            ByteBuffer b = ByteBuffer.allocate(16 + 4 + 4 + 2 * 28);
            b.put(s.id().bytes()).putInt(seq).putInt(s.flags());
            putAttrs(b, s.fore());
            putAttrs(b, s.back());
            c.createSessionDone(b.array());
            c.renew(m.now());
            res.writeInt(Nfs4Status.OK);
            res.writeOpaqueFixed(b.array());
        }
    }

    private static ChannelAttrs readAttrs(XdrDecoder a) {
        ChannelAttrs r = new ChannelAttrs(a.readInt(), a.readInt(), a.readInt(), a.readInt(), a.readInt(), a.readInt());
        int ird = a.readLength(1);
        for (int i = 0; i < ird; i++) {
            a.readInt();
        }
        return r;
    }

    private static void putAttrs(ByteBuffer b, ChannelAttrs c) {
        b.putInt(c.headerPadSize()).putInt(c.maxRequestSize()).putInt(c.maxResponseSize())
                .putInt(c.maxResponseSizeCached()).putInt(c.maxOperations()).putInt(c.maxRequests()).putInt(0);
    }

    /** callback_sec_parms4: AUTH_NONE, AUTH_SYS (authsys_parms) or RPCSEC_GSS (gss_cb_handles4). */
    static void skipSecParms(XdrDecoder a) {
        int n = a.readLength(MAX_SEC_PARMS);
        for (int i = 0; i < n; i++) {
            int flavor = a.readInt();
            switch (flavor) {
                case 0 -> { }
                case 1 -> {
                    a.readInt();
                    a.readString(255);
                    a.readInt();
                    a.readInt();
                    int gids = a.readLength(16);
                    for (int g = 0; g < gids; g++) {
                        a.readInt();
                    }
                }
                case 6 -> {
                    a.readInt();
                    a.readOpaque(1024);
                    a.readOpaque(1024);
                }
                default -> throw new Nfs4Exception(Nfs4Status.INVAL, "callback flavor " + flavor);
            }
        }
    }
}
