package io.dittofs.protocols.nfs.v4.ops;

import io.dittofs.protocols.nfs.v4.Nfs4Ops;

/** Registers the operations that need no client state. Stateless. */
public final class StatelessOps {
    private StatelessOps() {
    }

    public static void registerAll(Nfs4Ops table) {
        table.register(PutfhOp.INSTANCE)
                .register(PutrootfhOp.INSTANCE)
                .register(PutpubfhOp.INSTANCE)
                .register(GetfhOp.INSTANCE)
                .register(SavefhOp.INSTANCE)
                .register(RestorefhOp.INSTANCE)
                .register(LookupOp.INSTANCE)
                .register(LookuppOp.INSTANCE)
                .register(GetattrOp.INSTANCE)
                .register(SetattrOp.INSTANCE)
                .register(AccessOp.INSTANCE)
                .register(ReadOp.INSTANCE)
                .register(WriteOp.INSTANCE)
                .register(CommitOp.INSTANCE)
                .register(CreateOp.INSTANCE)
                .register(RemoveOp.INSTANCE)
                .register(RenameOp.INSTANCE)
                .register(LinkOp.INSTANCE)
                .register(ReadlinkOp.INSTANCE)
                .register(ReaddirOp.INSTANCE)
                .register(VerifyOp.VERIFY)
                .register(VerifyOp.NVERIFY)
                .register(SecinfoOp.INSTANCE)
                .register(SecinfoNoNameOp.INSTANCE)
                .register(SeekOp.INSTANCE)
                .register(AllocateOp.INSTANCE)
                .register(DeallocateOp.INSTANCE)
                .register(CopyOp.INSTANCE)
                .register(ReadPlusOp.INSTANCE);
        Xattrs4.registerAll(table); // RFC 8276 GETXATTR, SETXATTR, LISTXATTRS, REMOVEXATTR
    }
}
