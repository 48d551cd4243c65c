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
    /** Bit n set: some OPEN of this state asked for exactly share_access n (1..3), resp. share_deny n (0..3). */
    private int accessModes;
    private int denyModes;
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
        accessModes |= 1 << (addAccess & 3);
        denyModes |= 1 << (addDeny & 3);
    }

    /**
     * OPEN_DOWNGRADE (RFC 7530 section 16.19.4): the new share_access and share_deny must each be what
     * one of the OPENs in effect asked for (so a downgrade never reaches a mode never opened). The modes
     * kept afterwards are those within the new bits.
     *
     * @throws StateException INVAL otherwise
     */
    public void downgrade(int newAccess, int newDeny) {
        if (newAccess == 0 || (newAccess & ~access) != 0 || (newDeny & ~deny) != 0
                || (accessModes & 1 << (newAccess & 3)) == 0 || (denyModes & 1 << (newDeny & 3)) == 0) {
            throw new StateException(StateError.INVAL);
        }
        access = newAccess;
        deny = newDeny;
        accessModes = within(accessModes, newAccess) | 1 << newAccess;
        denyModes = within(denyModes, newDeny) | 1 << newDeny;
    }

    /** The mode bits of {@code modes} whose mode is a subset of {@code bits}. */
    private static int within(int modes, int bits) {
        int out = 0;
        for (int m = 0; m < 4; m++) {
            if ((modes & 1 << m) != 0 && (m & ~bits) == 0) {
                out |= 1 << m;
            }
        }
        return out;
    }

    public List<LockState> locks() {
        return List.copyOf(locks);
    }

    public boolean closed() {
        return closed;
    }
}
