package io.dittofs.protocols.nfs.v4.ops;

import io.dittofs.core.Inode;
import io.dittofs.core.Permissions;
import io.dittofs.protocols.nfs.v4.FileTarget;
import io.dittofs.protocols.nfs.v4.Nfs4Handle;
import io.dittofs.protocols.nfs.v4.CompoundContext;
import io.dittofs.protocols.nfs.v4.Nfs4Op;
import io.dittofs.protocols.nfs.v4.Nfs4Ops;
import io.dittofs.protocols.nfs.v4.Nfs4Status;
import io.dittofs.protocols.xdr.XdrDecoder;
import io.dittofs.protocols.xdr.XdrEncoder;

/**
 * ACCESS (RFC 8881 section 18.1): which of the asked access rights the caller has, from the POSIX permission checks and the share policy (a read-only share grants no MODIFY, EXTEND or DELETE; the pseudo-filesystem grants READ and LOOKUP). In 4.2 also XAREAD and XALIST (read permission) and XAWRITE (write permission) of RFC 8276.
 * Stateless singleton; thread-safe.
 */
final class AccessOp implements Nfs4Op {
    static final AccessOp INSTANCE = new AccessOp();

    @Override
    public int opnum() {
        return Nfs4Ops.OP_ACCESS;
    }

    static final int READ = 0x01;
    static final int LOOKUP = 0x02;
    static final int MODIFY = 0x04;
    static final int EXTEND = 0x08;
    static final int DELETE = 0x10;
    static final int EXECUTE = 0x20;
    static final int ALL = 0x3F;
    /** RFC 8276 section 8.4.1: extended attribute rights, defined from minor version 2 on. */
    static final int XAREAD = 0x40;
    static final int XAWRITE = 0x80;
    static final int XALIST = 0x100;

    @Override
    public void execute(CompoundContext ctx, XdrDecoder args, XdrEncoder res) {
        Nfs4Handle h = ctx.requireCurrentFh();
        int want = args.readInt();
        int ok;
        int meaningful = ALL;
        if (h.isPseudo()) {
            Objects4.values(ctx, h); // stale if no longer visible
            ok = READ | LOOKUP;
            meaningful &= ~EXECUTE;
        } else {
            FileTarget t = ctx.target(h, false);
            Inode n = Objects4.inode(t);
            int g = t.fs().access(t.ctx(), n);
            if (!t.canWrite()) {
                g &= ~Permissions.WRITE;
            }
            ok = 0;
            if ((g & Permissions.READ) != 0) {
                ok |= READ | XAREAD | XALIST;
            }
            if ((g & Permissions.WRITE) != 0) {
                ok |= MODIFY | EXTEND | (n.isDirectory() ? DELETE : 0) | XAWRITE;
            }
            if ((g & Permissions.EXECUTE) != 0) {
                ok |= n.isDirectory() ? LOOKUP : EXECUTE;
            }
            meaningful &= n.isDirectory() ? ~EXECUTE : ~(LOOKUP | DELETE);
        }
        res.writeInt(Nfs4Status.OK);
        // RFC 7530 section 16.1: LOOKUP and DELETE mean nothing for a non-directory, EXECUTE nothing for a directory
        int all = ctx.minorVersion() >= 2 ? meaningful | XAREAD | XAWRITE | XALIST : meaningful;
        res.writeInt(want & all);
        res.writeInt(want & all & ok);
    }
}
