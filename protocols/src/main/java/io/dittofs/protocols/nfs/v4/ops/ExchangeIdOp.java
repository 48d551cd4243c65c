package io.dittofs.protocols.nfs.v4.ops;

import io.dittofs.protocols.nfs.v4.CompoundContext;
import io.dittofs.protocols.nfs.v4.Nfs4Exception;
import io.dittofs.protocols.nfs.v4.Nfs4Ops;
import io.dittofs.protocols.nfs.v4.Nfs4Status;
import io.dittofs.protocols.nfs.v4.state.ClientTable;
import io.dittofs.protocols.nfs.v4.state.StateManager;
import io.dittofs.protocols.nfs.v4.state.OwnerKey;
import io.dittofs.protocols.xdr.XdrDecoder;
import io.dittofs.protocols.xdr.XdrEncoder;
import java.nio.charset.StandardCharsets;

/**
 * EXCHANGE_ID (RFC 8881 section 18.35): {@code client_owner4 eia_clientowner; uint32_t eia_flags;
 * state_protect4_a eia_state_protect; nfs_impl_id4 eia_client_impl_id<1>}. Only SP4_NONE state
 * protection is offered (SP4_MACH_CRED/SP4_SSV: NFS4ERR_INVAL, after which Linux retries with
 * SP4_NONE); no pNFS. Stateless singleton; thread-safe.
 */
final class ExchangeIdOp extends StateOp {
    static final ExchangeIdOp INSTANCE = new ExchangeIdOp();
    static final int FLAG_USE_NON_PNFS = 0x10000;
    static final int FLAG_UPD_CONFIRMED_REC_A = 0x40000000;
    static final int FLAG_CONFIRMED_R = 0x80000000;
    private static final int SP4_NONE = 0;
    private static final byte[] SERVER_OWNER = "dittofs".getBytes(StandardCharsets.US_ASCII);

    @Override
    public int opnum() {
        return Nfs4Ops.OP_EXCHANGE_ID;
    }

    @Override
    public int minMinor() {
        return 1;
    }

    @Override
    void run(CompoundContext ctx, XdrDecoder args, XdrEncoder res) {
        long verifier = args.readLong();
        byte[] owner = args.readOpaqueBytes(OwnerKey.MAX_LEN);
        int flags = args.readInt();
        int how = args.readInt();
        if (how != SP4_NONE) {
            throw new Nfs4Exception(Nfs4Status.INVAL, "state protection " + how + " not offered");
        }
        int impls = args.readLength(1);
        for (int i = 0; i < impls; i++) {
            args.readString(1024);
            args.readString(1024);
            args.readLong();
            args.readInt();
        }
        if ((flags & ~(0x3 | 0x100 | 0x70000 | FLAG_UPD_CONFIRMED_REC_A)) != 0) {
            throw new Nfs4Exception(Nfs4Status.INVAL, "unknown EXCHANGE_ID flags");
        }
        boolean update = (flags & FLAG_UPD_CONFIRMED_REC_A) != 0;
        StateManager m = state(ctx);
        ClientTable.ExchangeIdResult r = m.clients().exchangeId(owner, verifier, principal(ctx), update,
                ctx.minorVersion(), c -> m.sessions().count(c) > 0 || m.states().count(c) > 0);
        res.writeInt(Nfs4Status.OK);
        res.writeLong(r.client().clientId());
        res.writeInt(r.client().createSessionSeq());
        res.writeInt(FLAG_USE_NON_PNFS | (r.confirmed() ? FLAG_CONFIRMED_R : 0));
        res.writeInt(SP4_NONE);
        res.writeLong(0); // so_minor_id
        res.writeOpaque(SERVER_OWNER);
        res.writeOpaque(SERVER_OWNER); // eir_server_scope
        res.writeInt(1);
        res.writeString("dittofs.io");
        res.writeString("DittoFS");
        res.writeLong(0);
        res.writeInt(0);
    }
}
