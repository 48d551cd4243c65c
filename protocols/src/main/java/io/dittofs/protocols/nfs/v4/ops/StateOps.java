package io.dittofs.protocols.nfs.v4.ops;

import io.dittofs.protocols.nfs.v4.Nfs4Ops;

/** Registers the client, session, open and lock operations (the state layer's). Stateless. */
public final class StateOps {
    private StateOps() {
    }

    public static void registerAll(Nfs4Ops table) {
        table.register(SetclientidOp.INSTANCE)
                .register(SetclientidConfirmOp.INSTANCE)
                .register(RenewOp.INSTANCE)
                .register(ExchangeIdOp.INSTANCE)
                .register(CreateSessionOp.INSTANCE)
                .register(DestroySessionOp.INSTANCE)
                .register(SequenceOp.INSTANCE)
                .register(BindConnToSessionOp.INSTANCE)
                .register(DestroyClientidOp.INSTANCE)
                .register(ReclaimCompleteOp.INSTANCE)
                .register(TestStateidOp.INSTANCE)
                .register(FreeStateidOp.INSTANCE)
                .register(BackchannelCtlOp.INSTANCE)
                .register(OpenOp.INSTANCE)
                .register(OpenConfirmOp.INSTANCE)
                .register(OpenDowngradeOp.INSTANCE)
                .register(CloseOp.INSTANCE)
                .register(LockOp.INSTANCE)
                .register(LocktOp.INSTANCE)
                .register(LockuOp.INSTANCE)
                .register(ReleaseLockownerOp.INSTANCE)
                .register(DelegreturnOp.INSTANCE);
    }
}
