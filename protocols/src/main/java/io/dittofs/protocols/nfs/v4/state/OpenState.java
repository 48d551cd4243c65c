package io.dittofs.protocols.nfs.v4.state;

import io.dittofs.core.lock.FileKey;
import java.util.ArrayList;
import java.util.List;

/**
 * The open of one file by one open-owner (RFC 7530 section 9.1.4): the union of the share_access and
 * share_deny bits its OPENs asked for, and the lock stateids derived from it.
 *
 * <p>Thread-safety: mutable fields are guarded by the open-owner's monitor.
 */
public final class OpenState extends StateEntry {
    private int access;
    private int deny;
    final List<LockState> locks = new ArrayList<>();
    boolean closed;

    OpenState(long key, int epoch, Owner owner, FileKey file) {
        super(key, epoch, owner, file);
    }

    /** OPEN4_SHARE_ACCESS_* bits (1 READ, 2 WRITE). */
    public int access() {
        return access;
    }

    /** OPEN4_SHARE_DENY_* bits. */
    public int deny() {
        return deny;
    }

    /** Another OPEN of the same file by the same owner adds its bits. */
    public void upgrade(int addAccess, int addDeny) {
        access |= addAccess;
        deny |= addDeny;
    }

    /**
     * OPEN_DOWNGRADE (RFC 7530 section 16.19.4): the new bits must be a subset of the current ones.
     *
     * @throws StateException INVAL otherwise
     */
    public void downgrade(int newAccess, int newDeny) {
        if (newAccess == 0 || (newAccess & ~access) != 0 || (newDeny & ~deny) != 0) {
            throw new StateException(StateError.INVAL);
        }
        access = newAccess;
        deny = newDeny;
    }

    public List<LockState> locks() {
        return List.copyOf(locks);
    }

    public boolean closed() {
        return closed;
    }
}
