package io.dittofs.protocols.nfs.v4.state;

import io.dittofs.core.lock.FileKey;
import io.dittofs.core.lock.LockOwner;

/**
 * The byte-range locks of one lock-owner on one file, under the open they came from (RFC 7530
 * section 9.1.5). The ranges themselves live in the core lock manager under {@link #lockOwner()}.
 *
 * <p>Thread-safe: immutable apart from the inherited volatile seqid.
 */
public final class LockState extends StateEntry {
    private final OpenState open;
    private final LockOwner lockOwner;

    LockState(long key, int epoch, Owner owner, OpenState open, LockOwner lockOwner) {
        super(key, epoch, owner, open.file());
        this.open = open;
        this.lockOwner = lockOwner;
    }

    public OpenState open() {
        return open;
    }

    /** The lock manager's owner: protocol "nfs4", the clientid in hex, the lock_owner4 bytes. */
    public LockOwner lockOwner() {
        return lockOwner;
    }
}
