package io.dittofs.protocols.nfs.v4.state;

import io.dittofs.core.lock.FileKey;
import io.dittofs.core.lock.LockManager;
import io.dittofs.protocols.nfs.v4.CompoundContext;
import io.dittofs.protocols.nfs.v4.Nfs4Exception;
import io.dittofs.protocols.nfs.v4.Nfs4Handle;
import io.dittofs.protocols.nfs.v4.Nfs4Status;
import io.dittofs.protocols.nfs.v4.StateChecker;
import io.dittofs.protocols.nfs.v4.Stateid4;

/**
 * The stateid check of READ, WRITE and SETATTR(size) (RFC 7530 section 9.1.4, RFC 8881 section
 * 8.2): an open or lock stateid must be this client's, current (OLD_STATEID), for this file, opened
 * for the access (OPENMODE), and the range must not meet another client's byte-range lock
 * (NFS4ERR_LOCKED). The anonymous stateid is checked against every share deny and lock; the READ
 * bypass stateid skips them for reads.
 *
 * <p>Thread-safe: stateless over the thread-safe {@link StateManager}.
 */
public final class Nfs4StateChecker implements StateChecker {
    private final StateManager state;

    public Nfs4StateChecker(StateManager state) {
        this.state = state;
    }

    @Override
    public void checkIo(CompoundContext ctx, Stateid4 sid, Nfs4Handle fh, boolean write, long offset, long length) {
        try {
            check(ctx, ctx.resolveStateid(sid), fh, write, offset, length);
        } catch (StateException e) {
            throw new Nfs4Exception(e.error().code(), e.getMessage());
        }
    }

    /** I/O with a read delegation's stateid: reads of its file only (RFC 8881 section 9.1.4.3). */
    private void checkDelegated(Delegation d, FileKey file, boolean write, long offset, long length) {
        if (!d.file().equals(file)) {
            throw new Nfs4Exception(Nfs4Status.BAD_STATEID, "delegation of another file");
        }
        if (write) {
            throw new Nfs4Exception(Nfs4Status.OPENMODE, "read delegation");
        }
        if (!state.ioAllowed(file, StateTable.lockClientId(d.client()), null, false, offset, length)) {
            throw new Nfs4Exception(Nfs4Status.LOCKED);
        }
    }

    private void check(CompoundContext ctx, Stateid4 sid, Nfs4Handle fh, boolean write, long offset, long length) {
        FileKey file = new FileKey(fh.shareId(), fh.id());
        if (sid.isBypass() && !write) {
            return;
        }
        if (sid.isAnonymous() || sid.isBypass()) {
            if (write) {
                ClientRecord c = ctx.slot() instanceof SessionSlot s ? s.session().client() : null;
                state.locks().delegations().breakFor(file, StateTable.PROTOCOL, c == null ? null
                        : StateTable.lockClientId(c));
            }
            if (state.locks().checkShare(file, null, write ? LockManager.ACCESS_WRITE : LockManager.ACCESS_READ)
                    .isPresent()) {
                throw new Nfs4Exception(Nfs4Status.LOCKED, "share denied to anonymous I/O");
            }
            if (!state.ioAllowed(file, null, null, write, offset, length)) {
                throw new Nfs4Exception(Nfs4Status.LOCKED);
            }
            return;
        }
        ClientRecord caller = ctx.slot() instanceof SessionSlot s ? s.session().client() : null;
        if (write) { // other clients' delegations are recalled first: NFS4ERR_DELAY meanwhile
            state.locks().delegations().breakFor(file, StateTable.PROTOCOL,
                    caller == null ? null : StateTable.lockClientId(caller));
        }
        if (DelegationTable.isDelegation(sid.other())) {
            checkDelegated(state.delegations().find(sid.other(), caller), file, write, offset, length);
            return;
        }
        StateEntry e = state.states().find(sid.seqid(), sid.other(), caller, ctx.minorVersion());
        if (!e.file().equals(file)) {
            throw new Nfs4Exception(Nfs4Status.BAD_STATEID, "stateid of another file");
        }
        if (ctx.minorVersion() == 0) {
            e.client().renew(state.now());
        }
        OpenState open = e instanceof LockState l ? l.open() : (OpenState) e;
        if (open.closed()) {
            throw new Nfs4Exception(Nfs4Status.BAD_STATEID, "closed");
        }
        if (write && (open.access() & LockManager.ACCESS_WRITE) == 0) {
            throw new Nfs4Exception(Nfs4Status.OPENMODE);
        }
        var ioOwner = e instanceof LockState l ? l.lockOwner() : null;
        if (!state.ioAllowed(file, StateTable.lockClientId(e.client()), ioOwner, write, offset, length)) {
            throw new Nfs4Exception(Nfs4Status.LOCKED);
        }
    }
}
