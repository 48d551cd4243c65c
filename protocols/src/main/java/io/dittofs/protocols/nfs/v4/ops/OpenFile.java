package io.dittofs.protocols.nfs.v4.ops;

import io.dittofs.core.FileSystem;
import io.dittofs.core.FileType;
import io.dittofs.core.FsError;
import io.dittofs.core.FsException;
import io.dittofs.core.Inode;
import io.dittofs.core.Permissions;
import io.dittofs.core.Results.Created;
import io.dittofs.core.SetAttr;
import io.dittofs.core.lock.FileKey;
import io.dittofs.protocols.nfs.v4.CompoundContext;
import io.dittofs.protocols.nfs.v4.FileTarget;
import io.dittofs.protocols.nfs.v4.Nfs4Exception;
import io.dittofs.protocols.nfs.v4.Nfs4Handle;
import io.dittofs.protocols.nfs.v4.Nfs4Status;
import io.dittofs.protocols.nfs.v4.Stateid4;
import io.dittofs.protocols.nfs.v4.state.ClientRecord;
import io.dittofs.protocols.nfs.v4.state.Delegation;
import io.dittofs.protocols.nfs.v4.state.DelegationTable;
import io.dittofs.protocols.nfs.v4.state.OpenState;
import io.dittofs.protocols.nfs.v4.state.Owner;
import io.dittofs.protocols.nfs.v4.state.StateError;
import io.dittofs.protocols.nfs.v4.state.StateException;
import io.dittofs.protocols.nfs.v4.state.StateManager;
import io.dittofs.protocols.nfs.v4.state.StateTable;
import io.dittofs.protocols.xdr.XdrEncoder;

/**
 * The work of OPEN once its owner's seqid is accepted: grace checks, lookup or create (UNCHECKED,
 * GUARDED, EXCLUSIVE4 with the verifier kept in the inode, EXCLUSIVE4_1 with attributes), type and
 * permission checks, the recall of other clients' delegations before an open for writing (NFS4ERR_DELAY
 * meanwhile), the share reservation, a read delegation when one may be granted, and the OPEN4resok.
 * Stateless.
 */
final class OpenFile {
    private static final int RESULT_CONFIRM = 0x2;
    private static final int RESULT_LOCKTYPE_POSIX = 0x4;
    private static final int OPEN_DELEGATE_NONE = 0;
    private static final int OPEN_DELEGATE_READ = 1;
    private static final int WANT_NO_DELEG = 0x0400;
    private static final int WANT_CANCEL = 0x0500;

    private OpenFile() {
    }

    static void open(CompoundContext ctx, StateManager m, ClientRecord c, Owner owner, OpenOp.Args a, XdrEncoder res) {
        boolean write = (a.access() & 2) != 0;
        Nfs4Handle fh;
        long before = 0;
        long after = 0;
        boolean created = false;
        int[] attrset = new int[0];
        switch (a.claim()) {
            case OpenOp.CLAIM_NULL -> {
                m.grace().checkNonReclaim();
                Nfs4Handle dir = ctx.requireCurrentFh();
                if (a.name().isEmpty() || a.name().length() > 255) {
                    throw new Nfs4Exception(a.name().isEmpty() ? Nfs4Status.INVAL : Nfs4Status.NAMETOOLONG);
                }
                FileTarget t = ctx.target(dir, a.create() >= 0 || write);
                if (a.create() >= 0) {
                    Created cr = create(t, a);
                    created = cr.dir().before() != cr.dir().after();
                    before = cr.dir().before().ctimeNs();
                    after = cr.dir().after().ctimeNs();
                    attrset = created ? a.attrs().mask() : new int[0];
                    fh = t.handle(cr.child().id());
                } else {
                    Inode d = t.fs().getattr(t.inode());
                    fh = t.handle(t.fs().lookup(t.ctx(), t.inode(), a.name()).id());
                    before = d.ctimeNs();
                    after = before;
                }
            }
            case OpenOp.CLAIM_PREVIOUS -> {
                m.grace().checkReclaim(c);
                if (a.delegateType() != OPEN_DELEGATE_NONE) {
                    throw new Nfs4Exception(Nfs4Status.RECLAIM_BAD, "no delegation was granted");
                }
                fh = ctx.requireCurrentFh();
                if (!fh.isPseudo()) {
                    m.checkReclaimOpen(owner, new FileKey(fh.shareId(), fh.id()), a.access(), a.deny());
                }
            }
            case OpenOp.CLAIM_FH -> {
                m.grace().checkNonReclaim();
                fh = ctx.requireCurrentFh();
            }
            case OpenOp.CLAIM_DELEGATE_CUR, OpenOp.CLAIM_DELEG_CUR_FH -> fh = delegatedFile(ctx, m, c, a, write);
            default -> throw new Nfs4Exception(Nfs4Status.NOTSUPP, "delegation reclaim");
        }
        FileTarget file = ctx.target(fh, write);
        Inode n = file.fs().getattr(file.inode());
        checkType(ctx, n);
        if (!created) {
            Permissions.require(file.ctx(), n, (write ? Permissions.WRITE : 0) | ((a.access() & 1) != 0 ? Permissions.READ : 0));
        }
        FileKey key = new FileKey(fh.shareId(), fh.id());
        if (write) {
            m.locks().delegations().breakFor(key, StateTable.PROTOCOL, StateTable.lockClientId(c)); // DELAY while recalled
        }
        OpenState o = open(m, owner, key, a, ctx.minorVersion());
        Delegation deleg = mayDelegate(ctx, a, write) ? m.delegations().offer(c, StateOp.session(ctx), key, fh.encode())
                : null;
        if (a.claim() == OpenOp.CLAIM_PREVIOUS || ctx.minorVersion() >= 1) {
            owner.confirm();
        }
        Stateid4 sid = StateOp.stateid(o);
        writeResult(res, sid, before, after, RESULT_LOCKTYPE_POSIX | (owner.confirmed() ? 0 : RESULT_CONFIRM),
                attrset, deleg);
        ctx.setCurrentFh(fh);
        ctx.setCurrentStateid(sid);
    }

    /** OPEN4resok: stateid, change_info4 (atomic), rflags, attrset, delegation. */
    private static void writeResult(XdrEncoder res, Stateid4 sid, long before, long after, int rflags, int[] attrset,
                                    Delegation deleg) {
        res.writeInt(Nfs4Status.OK);
        sid.write(res);
        res.writeBool(true);
        res.writeLong(before);
        res.writeLong(after);
        res.writeInt(rflags);
        res.writeInt(attrset.length);
        for (int w : attrset) {
            res.writeInt(w);
        }
        writeDelegation(res, deleg);
    }

    /** A read delegation is offered to 4.1+ opens for reading only, deny none, of a file by name or handle. */
    private static boolean mayDelegate(CompoundContext ctx, OpenOp.Args a, boolean write) {
        return !write && a.deny() == 0 && ctx.minorVersion() >= 1 && a.want() != WANT_NO_DELEG && a.want() != WANT_CANCEL
                && (a.claim() == OpenOp.CLAIM_NULL || a.claim() == OpenOp.CLAIM_FH);
    }

    /** open_delegation4: NONE, or READ with open_read_delegation4 {stateid, recall false, an empty ALLOW ace}. */
    private static void writeDelegation(XdrEncoder res, Delegation d) {
        if (d == null) {
            res.writeInt(OPEN_DELEGATE_NONE);
            return;
        }
        res.writeInt(OPEN_DELEGATE_READ);
        res.writeInt(d.seqid());
        res.writeOpaqueFixed(d.other());
        res.writeBool(false);
        res.writeInt(0); // ACE4_ACCESS_ALLOWED_ACE_TYPE
        res.writeInt(0);
        res.writeInt(0);
        res.writeString("");
    }

    /**
     * CLAIM_DELEGATE_CUR (by name) / CLAIM_DELEG_CUR_FH: the holder of a live delegation of the file
     * makes an open it did locally known (before it returns the delegation). No grace check.
     */
    private static Nfs4Handle delegatedFile(CompoundContext ctx, StateManager m, ClientRecord c, OpenOp.Args a,
                                            boolean write) {
        Nfs4Handle fh;
        if (a.claim() == OpenOp.CLAIM_DELEG_CUR_FH) {
            fh = ctx.requireCurrentFh();
        } else {
            FileTarget t = ctx.target(ctx.requireCurrentFh(), write);
            fh = t.handle(t.fs().lookup(t.ctx(), t.inode(), a.name()).id());
        }
        byte[] other = a.delegation().other();
        Delegation d = DelegationTable.isDelegation(other) ? m.delegations().find(other, c) : null;
        if (d == null || !d.file().equals(new FileKey(fh.shareId(), fh.id()))) {
            throw new Nfs4Exception(Nfs4Status.BAD_STATEID, "not a delegation of this file");
        }
        return fh;
    }

    /** The share reservation; a reclaim that meets another client's reclaimed one is RECLAIM_CONFLICT. */
    private static OpenState open(StateManager m, Owner owner, FileKey file, OpenOp.Args a, int minor) {
        try {
            return m.open(owner, file, a.access(), a.deny(), minor);
        } catch (StateException e) {
            if (a.claim() == OpenOp.CLAIM_PREVIOUS && e.error() == StateError.SHARE_DENIED) {
                throw new Nfs4Exception(Nfs4Status.RECLAIM_CONFLICT, "reclaim meets a reclaimed share reservation");
            }
            throw e;
        }
    }

    private static Created create(FileTarget t, OpenOp.Args a) {
        FileSystem fs = t.fs();
        SetAttr sa = a.attrs().attrs();
        Created cr = switch (a.create()) {
            // RFC 7530 section 16.16.5: an existing file ignores createattrs, except that size 0 truncates it
            case OpenOp.UNCHECKED4 -> fs.create(t.ctx(), t.inode(), a.name(), sa.size() > 0 ? new SetAttr(sa.mode(),
                    -1, -1, -1, SetAttr.TimeSet.DONT_CHANGE, SetAttr.TimeSet.DONT_CHANGE) : sa,
                    FileSystem.CreateMode.UNCHECKED, 0);
            case OpenOp.GUARDED4 -> fs.create(t.ctx(), t.inode(), a.name(), sa, FileSystem.CreateMode.GUARDED, 0);
            default -> fs.create(t.ctx(), t.inode(), a.name(), new SetAttr(sa.mode(), -1, -1, -1,
                    SetAttr.TimeSet.DONT_CHANGE, SetAttr.TimeSet.DONT_CHANGE), FileSystem.CreateMode.EXCLUSIVE,
                    a.verifier() == 0 ? 1 : a.verifier());
        };
        boolean fresh = cr.dir().before() != cr.dir().after();
        SetAttr more = a.attrs().afterCreate();
        if (fresh && more != null) {
            fs.setattr(t.ctx(), cr.child().id(), more, -1);
        }
        if (fresh && sa.size() > 0) { // the core applies a size only to UNCHECKED creates
            fs.setattr(t.ctx(), cr.child().id(), new SetAttr(-1, -1, -1, sa.size(), SetAttr.TimeSet.DONT_CHANGE,
                    SetAttr.TimeSet.DONT_CHANGE), -1);
        }
        return cr;
    }

    private static void checkType(CompoundContext ctx, Inode n) {
        if (n.type() == FileType.REGULAR) {
            return;
        }
        if (n.type() == FileType.DIRECTORY) {
            throw new FsException(FsError.IS_DIRECTORY, "OPEN of a directory");
        }
        if (n.type() == FileType.SYMLINK) {
            throw new Nfs4Exception(Nfs4Status.SYMLINK);
        }
        // RFC 7530 section 16.16.5: 4.0 answers NFS4ERR_SYMLINK for every other type; RFC 8881 has WRONG_TYPE
        throw new Nfs4Exception(ctx.minorVersion() == 0 ? Nfs4Status.SYMLINK : Nfs4Status.WRONG_TYPE);
    }
}
