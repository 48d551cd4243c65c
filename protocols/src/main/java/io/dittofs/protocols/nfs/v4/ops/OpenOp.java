package io.dittofs.protocols.nfs.v4.ops;

import io.dittofs.protocols.nfs.v4.CompoundContext;
import io.dittofs.protocols.nfs.v4.Nfs4Exception;
import io.dittofs.protocols.nfs.v4.Nfs4Ops;
import io.dittofs.protocols.nfs.v4.Nfs4Status;
import io.dittofs.protocols.nfs.v4.Stateid4;
import io.dittofs.protocols.nfs.v4.state.ClientRecord;
import io.dittofs.protocols.nfs.v4.state.Owner;
import io.dittofs.protocols.nfs.v4.state.OwnerKey;
import io.dittofs.protocols.nfs.v4.state.StateManager;
import io.dittofs.protocols.xdr.XdrDecoder;
import io.dittofs.protocols.xdr.XdrEncoder;

/**
 * OPEN (RFC 7530 section 16.16, RFC 8881 section 18.16): {@code seqid4 seqid; uint32_t share_access,
 * share_deny; open_owner4 owner; openflag4 openhow; open_claim4 claim}. Decodes the arguments, finds
 * the owner and runs {@link OpenFile} under the owner's 4.0 seqid. Claims: NULL, PREVIOUS (reclaim
 * in grace), FH (4.1), DELEGATE_CUR/DELEG_CUR_FH (opens the holder of a delegation makes known before it
 * returns it); DELEGATE_PREV/DELEG_PREV_FH are NFS4ERR_NOTSUPP (delegations are not kept over restarts). Stateless singleton; thread-safe.
 */
final class OpenOp extends StateOp {
    static final OpenOp INSTANCE = new OpenOp();
    static final int CLAIM_NULL = 0;
    static final int CLAIM_PREVIOUS = 1;
    static final int CLAIM_DELEGATE_CUR = 2;
    static final int CLAIM_DELEGATE_PREV = 3;
    static final int CLAIM_FH = 4;
    static final int CLAIM_DELEG_CUR_FH = 5;
    static final int CLAIM_DELEG_PREV_FH = 6;
    static final int UNCHECKED4 = 0;
    static final int GUARDED4 = 1;
    static final int EXCLUSIVE4 = 2;
    static final int EXCLUSIVE4_1 = 3;
    /** Longest component4 decoded: names over NAME_MAX (255) decode and are then NFS4ERR_NAMETOOLONG. */
    private static final int NAME_WIRE_MAX = 4096;

    /**
     * Decoded OPEN4args.
     *
     * @param create   -1 for OPEN4_NOCREATE, else the createmode4
     */
    record Args(int access, int deny, int create, CreateAttrs attrs, long verifier, int claim, String name,
                int delegateType, Stateid4 delegation, int want) {
    }

    @Override
    public int opnum() {
        return Nfs4Ops.OP_OPEN;
    }

    @Override
    void run(CompoundContext ctx, XdrDecoder a, XdrEncoder res) {
        int seqid = a.readInt();
        int access = a.readInt();
        int deny = a.readInt();
        long clientId = a.readLong();
        byte[] ownerBytes = a.readOpaqueBytes(OwnerKey.MAX_LEN);
        Args args = decode(ctx, a, access, deny);
        StateManager m = state(ctx);
        ClientRecord c = client(ctx, clientId);
        Owner owner = m.states().owner(c, ownerBytes, false, ctx.minorVersion());
        synchronized (owner) {
            if (ctx.minorVersion() == 0 && !owner.confirmed() && !owner.wouldReplay(seqid)) {
                owner.reset(); // an unconfirmed owner starts over (RFC 7530 section 16.16.5)
            }
            withSeqid(ctx, owner, seqid, res, () -> OpenFile.open(ctx, m, c, owner, args, res));
        }
    }

    private static Args decode(CompoundContext ctx, XdrDecoder a, int accessWord, int deny) {
        int minor = ctx.minorVersion();
        int create = -1;
        CreateAttrs attrs = CreateAttrs.NONE;
        long verifier = 0;
        int opentype = a.readInt();
        if (opentype == 1) {
            create = a.readInt();
            switch (create) {
                case UNCHECKED4, GUARDED4 -> attrs = CreateAttrs.read(ctx, a);
                case EXCLUSIVE4 -> verifier = a.readLong();
                case EXCLUSIVE4_1 -> {
                    if (minor == 0) {
                        throw new Nfs4Exception(Nfs4Status.BADXDR, "EXCLUSIVE4_1 in 4.0");
                    }
                    verifier = a.readLong();
                    attrs = CreateAttrs.read(ctx, a);
                }
                default -> throw new Nfs4Exception(Nfs4Status.BADXDR, "createmode " + create);
            }
        } else if (opentype != 0) {
            throw new Nfs4Exception(Nfs4Status.BADXDR, "opentype " + opentype);
        }
        int claim = a.readInt();
        String name = null;
        int delegateType = 0;
        Stateid4 delegation = null;
        switch (claim) {
            case CLAIM_NULL, CLAIM_DELEGATE_PREV -> name = a.readString(NAME_WIRE_MAX);
            case CLAIM_PREVIOUS -> delegateType = a.readInt();
            case CLAIM_DELEGATE_CUR -> {
                delegation = Stateid4.read(a);
                name = a.readString(NAME_WIRE_MAX);
            }
            case CLAIM_FH, CLAIM_DELEG_PREV_FH, CLAIM_DELEG_CUR_FH -> {
                if (minor == 0) {
                    throw new Nfs4Exception(Nfs4Status.BADXDR, "claim " + claim + " in 4.0");
                }
                if (claim == CLAIM_DELEG_CUR_FH) {
                    delegation = Stateid4.read(a);
                }
            }
            default -> throw new Nfs4Exception(Nfs4Status.BADXDR, "claim " + claim);
        }
        int access = accessWord & 0xFF;
        if (access < 1 || access > 3 || deny < 0 || deny > 3 || minor == 0 && (accessWord & ~0xFF) != 0) {
            throw new Nfs4Exception(Nfs4Status.INVAL, "share access " + accessWord + " deny " + deny);
        }
        return new Args(access, deny, create, attrs, verifier, claim, name, delegateType, delegation,
                accessWord & 0xFF00);
    }
}
