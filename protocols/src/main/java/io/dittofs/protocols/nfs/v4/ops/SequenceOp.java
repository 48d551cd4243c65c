package io.dittofs.protocols.nfs.v4.ops;

import io.dittofs.protocols.nfs.v4.CompoundContext;
import io.dittofs.protocols.nfs.v4.Nfs4Exception;
import io.dittofs.protocols.nfs.v4.Nfs4Ops;
import io.dittofs.protocols.nfs.v4.Nfs4Status;
import io.dittofs.protocols.nfs.v4.state.ChannelAttrs;
import io.dittofs.protocols.nfs.v4.state.Session;
import io.dittofs.protocols.nfs.v4.state.SessionId;
import io.dittofs.protocols.nfs.v4.state.SessionSlot;
import io.dittofs.protocols.nfs.v4.state.Slot;
import io.dittofs.protocols.nfs.v4.state.StateManager;
import io.dittofs.protocols.xdr.XdrDecoder;
import io.dittofs.protocols.xdr.XdrEncoder;
import java.lang.foreign.ValueLayout;

/**
 * SEQUENCE (RFC 8881 section 18.46): {@code sessionid4 sa_sessionid; sequenceid4 sa_sequenceid;
 * slotid4 sa_slotid, sa_highest_slotid; bool sa_cachethis}. Checks the session's limits (ca_maxoperations,
 * ca_maxrequestsize, a cached reply that could not fit ca_maxresponsesize_cached), then the slot (a retry gets the cached
 * COMPOUND reply verbatim), renews the lease and binds the compound to the slot. Stateless
 * singleton; thread-safe.
 */
final class SequenceOp extends StateOp {
    static final SequenceOp INSTANCE = new SequenceOp();

    @Override
    public int opnum() {
        return Nfs4Ops.OP_SEQUENCE;
    }

    @Override
    public int minMinor() {
        return 1;
    }

    static final int SEQ4_STATUS_CB_PATH_DOWN = 0x1;
    static final int SEQ4_STATUS_RECALLABLE_STATE_REVOKED = 0x40;

    /** sr_status_flags: the back channel the client asked for is down; delegations were taken away. */
    private static int statusFlags(StateManager m, Session s) {
        int f = s.callback().down() ? SEQ4_STATUS_CB_PATH_DOWN : 0;
        return f | (m.delegations().revokedFor(s.client()) ? SEQ4_STATUS_RECALLABLE_STATE_REVOKED : 0);
    }

    @Override
    void run(CompoundContext ctx, XdrDecoder args, XdrEncoder res) {
        byte[] sid = args.readOpaqueFixed(SessionId.SIZE).toArray(ValueLayout.JAVA_BYTE);
        int seq = args.readInt();
        int slotId = args.readInt();
        int highest = args.readInt();
        boolean cacheThis = args.readBool();
        StateManager m = state(ctx);
        Session s = m.sessions().get(SessionId.of(sid));
        if (ctx.opCount() > s.fore().maxOperations()) {
            throw new Nfs4Exception(Nfs4Status.TOO_MANY_OPS);
        }
        if (ctx.requestBytes() > s.fore().maxRequestSize()) {
            throw new Nfs4Exception(Nfs4Status.REQ_TOO_BIG);
        }
        if (cacheThis && s.fore().maxResponseSizeCached() < ChannelAttrs.MIN_RESPONSE) {
            throw new Nfs4Exception(Nfs4Status.REP_TOO_BIG_TO_CACHE); // not even this SEQUENCE's reply fits
        }
        Slot.Outcome o = s.slots().begin(slotId, highest, seq, cacheThis);
        if (o instanceof Slot.Replay r) {
            ctx.replay(r.reply());
            return;
        }
        s.client().renew(m.now());
        s.bind(ctx.call().client());
        ctx.bindSlot(new SessionSlot(s, ((Slot.Execute) o).slot()));
        res.writeInt(Nfs4Status.OK);
        res.writeOpaqueFixed(sid);
        res.writeInt(seq);
        res.writeInt(slotId);
        res.writeInt(s.slots().highestSlotId());
        res.writeInt(s.slots().highestSlotId());
        res.writeInt(statusFlags(m, s));
    }
}
