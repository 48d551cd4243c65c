package io.dittofs.protocols.nfs.v4.ops;

import io.dittofs.protocols.nfs.v4.CompoundContext;
import io.dittofs.protocols.nfs.v4.state.DelegationTable;
import io.dittofs.protocols.nfs.v4.Nfs4Exception;
import io.dittofs.protocols.nfs.v4.Nfs4Ops;
import io.dittofs.protocols.nfs.v4.Nfs4Status;
import io.dittofs.protocols.nfs.v4.Stateid4;
import io.dittofs.protocols.nfs.v4.state.StateException;
import io.dittofs.protocols.xdr.XdrDecoder;
import io.dittofs.protocols.xdr.XdrEncoder;

/**
 * TEST_STATEID (RFC 8881 section 18.48): {@code stateid4 ts_stateids<>} to one status per stateid
 * (at most {@link #MAX} per call). Stateless singleton; thread-safe.
 */
final class TestStateidOp extends StateOp {
    static final TestStateidOp INSTANCE = new TestStateidOp();
    static final int MAX = 1024;

    @Override
    public int opnum() {
        return Nfs4Ops.OP_TEST_STATEID;
    }

    @Override
    public int minMinor() {
        return 1;
    }

    @Override
    void run(CompoundContext ctx, XdrDecoder args, XdrEncoder res) {
        int n = args.readLength(MAX);
        Stateid4[] ids = new Stateid4[n];
        for (int i = 0; i < n; i++) {
            ids[i] = Stateid4.read(args);
        }
        res.writeInt(Nfs4Status.OK);
        res.writeInt(n);
        for (Stateid4 id : ids) {
            int status = Nfs4Status.OK;
            try {
                if (DelegationTable.isDelegation(id.other())) {
                    state(ctx).delegations().find(id.other(), sessionClient(ctx));
                } else {
                    find(ctx, id);
                }
            } catch (StateException e) {
                status = e.error().code();
            } catch (Nfs4Exception e) {
                status = e.status();
            }
            res.writeInt(status);
        }
    }
}
