package io.dittofs.core;

import java.util.Arrays;

/**
 * Who is calling: the POSIX identity the permission checks run against. Built by a protocol
 * from its credentials (AUTH_SYS for NFS, a mapped user for SMB).
 *
 * <p>Immutable and thread-safe.
 *
 * @param uid     effective user id
 * @param gid     primary group id
 * @param gids    supplementary group ids (AUTH_SYS carries at most 16)
 * @param machine the client's machine name, for logs
 */
public record AuthContext(int uid, int gid, int[] gids, String machine) {
    /** The identity anonymous callers (AUTH_NONE, squashed root) get by default: nobody/nogroup. */
    public static final int NOBODY = 65534;
    public static final AuthContext ROOT = new AuthContext(0, 0, new int[0], "local");
    public static final AuthContext ANONYMOUS = new AuthContext(NOBODY, NOBODY, new int[0], "anonymous");

    public AuthContext {
        gids = gids.clone();
        machine = machine == null ? "" : machine;
    }

    public boolean isRoot() {
        return uid == 0;
    }

    /** True if {@code g} is the primary or a supplementary group of the caller. */
    public boolean inGroup(int g) {
        if (gid == g) {
            return true;
        }
        for (int x : gids) {
            if (x == g) {
                return true;
            }
        }
        return false;
    }

    /** The identity with root mapped to {@code anonUid/anonGid} (root squash). */
    public AuthContext squashRoot(int anonUid, int anonGid) {
        return uid == 0 ? new AuthContext(anonUid, anonGid, new int[0], machine) : this;
    }

    @Override
    public int[] gids() {
        return gids.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AuthContext a && a.uid == uid && a.gid == gid
                && Arrays.equals(a.gids, gids) && a.machine.equals(machine);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * uid + gid) + Arrays.hashCode(gids);
    }

    @Override
    public String toString() {
        return "uid=" + uid + " gid=" + gid + " gids=" + Arrays.toString(gids) + " machine=" + machine;
    }
}
