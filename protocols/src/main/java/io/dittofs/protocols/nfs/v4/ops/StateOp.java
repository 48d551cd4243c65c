package io.dittofs.protocols.nfs.v4.ops;

import io.dittofs.core.FsException;
import io.dittofs.protocols.nfs.v4.CompoundContext;
import io.dittofs.protocols.nfs.v4.Nfs4Errors;
import io.dittofs.protocols.nfs.v4.Nfs4Exception;
import io.dittofs.protocols.nfs.v4.Nfs4Op;
import io.dittofs.protocols.nfs.v4.Nfs4Status;
import io.dittofs.protocols.nfs.v4.state.ClientRecord;
import io.dittofs.protocols.nfs.v4.state.Owner;
import io.dittofs.protocols.nfs.v4.state.Session;
import io.dittofs.protocols.nfs.v4.state.SessionSlot;
import io.dittofs.protocols.nfs.v4.state.StateEntry;
import io.dittofs.protocols.nfs.v4.state.StateError;
import io.dittofs.protocols.nfs.v4.state.StateException;
import io.dittofs.protocols.nfs.v4.Stateid4;
import io.dittofs.protocols.nfs.v4.state.StateManager;
import io.dittofs.protocols.xdr.XdrDecoder;
import io.dittofs.protocols.xdr.XdrEncoder;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;

/**
 * Base of the client/session/open/lock operations: turns a {@link StateException} into the op's
 * nfsstat4 (the one place for the state layer), finds the {@link StateManager}, the caller's client,
 * and runs NFSv4.0 owner-seqid operations with their replay cache. Subclasses are stateless
 * singletons; thread-safe.
 */
abstract class StateOp implements Nfs4Op {
    /** A body that writes the op's result. */
    interface Body {
        void run();
    }

    @Override
    public final void execute(CompoundContext ctx, XdrDecoder args, XdrEncoder res) {
        try {
            run(ctx, args, res);
        } catch (StateException e) {
            throw new Nfs4Exception(e.error().code(), e.getMessage());
        }
    }

    abstract void run(CompoundContext ctx, XdrDecoder args, XdrEncoder res);

    static StateManager state(CompoundContext ctx) {
        if (ctx.services().state() instanceof StateManager m) {
            return m;
        }
        throw new Nfs4Exception(Nfs4Status.NOTSUPP, "no NFSv4 state layer");
    }

    /** Who the caller is for client-record ownership (RFC 8881 section 2.4.3): the AUTH_SYS uid. */
    static String principal(CompoundContext ctx) {
        return "sys:" + ctx.call().auth().uid();
    }

    /** The session SEQUENCE bound this compound to, or null (4.0, or before SEQUENCE). */
    static Session session(CompoundContext ctx) {
        return ctx.slot() instanceof SessionSlot s ? s.session() : null;
    }

    /**
     * The client an op acts for: in 4.1+ the session's (the clientid on the wire is ignored, RFC 8881
     * section 16.2.3.1.2), in 4.0 the record named by {@code clientId}, whose lease this renews.
     */
    static ClientRecord client(CompoundContext ctx, long clientId) {
        Session s = session(ctx);
        if (s != null) {
            return s.client();
        }
        if (ctx.minorVersion() >= 1) {
            throw new Nfs4Exception(Nfs4Status.OP_NOT_IN_SESSION);
        }
        return state(ctx).clients().renew(clientId);
    }

    /**
     * Resolves a stateid to the open or lock state it names (the 4.1 current stateid first); special
     * stateids are NFS4ERR_BAD_STATEID here. In 4.0 using a stateid renews its client's lease.
     */
    static StateEntry find(CompoundContext ctx, Stateid4 sid) {
        Stateid4 s = ctx.resolveStateid(sid);
        if (s.isAnonymous() || s.isBypass() || s.isCurrent()) {
            throw new Nfs4Exception(Nfs4Status.BAD_STATEID);
        }
        StateManager m = state(ctx);
        StateEntry e = m.states().find(s.seqid(), s.other(), sessionClient(ctx), ctx.minorVersion());
        if (ctx.minorVersion() == 0) {
            e.client().renew(m.now());
        }
        return e;
    }

    /**
     * {@link #find} for a 4.0 op under an owner seqid: when the stateid is OLD only because this very
     * request already ran (a retransmission with the owner's last seqid, RFC 7530 section 9.1.7), the
     * state is returned so that {@link #withSeqid} answers with the kept reply.
     */
    static StateEntry findForSeqid(CompoundContext ctx, Stateid4 sid, int ownerSeqid) {
        try {
            return find(ctx, sid);
        } catch (StateException e) {
            if (ctx.minorVersion() == 0 && e.error() == StateError.OLD_STATEID) {
                StateEntry current = state(ctx).states().peek(sid.other());
                if (current != null && current.owner().wouldReplay(ownerSeqid)) {
                    return current;
                }
            }
            throw e;
        }
    }

    /** The stateid to hand out for a state (its current seqid). */
    static Stateid4 stateid(StateEntry e) {
        return new Stateid4(e.seqid(), e.other());
    }

    /** The caller's client when the request is in a session, null in 4.0 (stateids then name their client). */
    static ClientRecord sessionClient(CompoundContext ctx) {
        Session s = session(ctx);
        return s == null ? null : s.client();
    }

    /**
     * Runs an op of a 4.0 owner under the owner-seqid rule (RFC 7530 section 9.1.7): a retransmission
     * of the last request gets its reply again, the next seqid runs {@code body}, anything else is
     * NFS4ERR_BAD_SEQID. In 4.1+ the session already gives exactly-once, so the body just runs.
     * Requests of one owner are serialised.
     */
    static void withSeqid(CompoundContext ctx, Owner owner, int seqid, XdrEncoder res, Body body) {
        synchronized (owner) {
            if (ctx.minorVersion() >= 1) {
                body.run();
                return;
            }
            if (owner.check(seqid) == Owner.SeqidCheck.REPLAY) {
                res.writeOpaqueFixed(owner.lastReply());
                return;
            }
            long start = res.position();
            try {
                body.run();
            } catch (StateException e) {
                remember(owner, seqid, e.error().code());
                throw e;
            } catch (Nfs4Exception e) {
                remember(owner, seqid, e.status());
                throw e;
            } catch (FsException e) {
                remember(owner, seqid, Nfs4Errors.status(e.error()));
                throw e;
            }
            owner.done(seqid, res.written().asSlice(start, res.position() - start).toArray(ValueLayout.JAVA_BYTE));
        }
    }

    /** RFC 7530 section 9.1.7: these errors leave the seqid where it was; every other one bumps it. */
    private static void remember(Owner owner, int seqid, int status) {
        switch (status) {
            case Nfs4Status.STALE_CLIENTID, Nfs4Status.STALE_STATEID, Nfs4Status.BAD_STATEID, Nfs4Status.BAD_SEQID,
                 Nfs4Status.BADXDR, Nfs4Status.RESOURCE, Nfs4Status.NOFILEHANDLE, Nfs4Status.MOVED -> {
            }
            default -> owner.done(seqid, ByteBuffer.allocate(4).putInt(status).array());
        }
    }
}
