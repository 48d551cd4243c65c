package io.dittofs.protocols.smb.handler;

import io.dittofs.protocols.smb.codec.SmbDecoder;
import io.dittofs.protocols.smb.codec.SmbFormatException;

/**
 * A self-relative security descriptor (MS-DTYP 2.4.6) read back into POSIX owner, group and mode
 * bits, the inverse of {@link Security}'s mapping: owner {@code S-1-22-1-uid}, group
 * {@code S-1-22-2-gid}; the DACL's ACCESS_ALLOWED / ACCESS_DENIED ACEs (MS-DTYP 2.4.4.2, 2.4.4.4)
 * for the owner SID ({@code S-1-22-1-uid} of the file's owner, or CREATOR OWNER
 * {@code S-1-3-0}), the group SID (or CREATOR GROUP {@code S-1-3-1}) and Everyone
 * ({@code S-1-1-0}; it also grants to owner and group) give the rwx bits: read from
 * FILE_READ_DATA, write from FILE_WRITE_DATA/FILE_APPEND_DATA, execute from FILE_EXECUTE, generic
 * rights included; a deny ACE removes bits. Best effort: ACEs for other SIDs, inherit-only ACEs,
 * other ACE types and owner/group SIDs that are not unix ids are ignored (a mode cannot express
 * them). A NULL DACL (DACL_PRESENT, offset 0) is rwx for everyone; an empty DACL is no access.
 *
 * <p>Every offset, count and length is bounds-checked against the buffer (at most 64 KiB, capped
 * by SET_INFO) before it is followed; anything malformed throws {@link SmbFormatException}.
 * Immutable; thread-safe.
 *
 * @param uid  the owner's uid, -1 when absent or not a unix user
 * @param gid  the group's gid, -1 when absent or not a unix group
 * @param dacl whether a DACL is present
 * @param allow rwx allowed to owner, group, other (9 bits), meaningful when {@code dacl}
 * @param deny  rwx denied to owner, group, other (9 bits), meaningful when {@code dacl}
 */
record SecurityDescriptor(long uid, long gid, boolean dacl, int allow, int deny, boolean ownerSidGiven,
                          boolean groupSidGiven) {
    private static final int DACL_PRESENT = 0x0004;
    private static final int SELF_RELATIVE = 0x8000;
    private static final int MAX_SUB_AUTHORITIES = 15;
    private static final int MAX_ACES = 4096;
    private static final int INHERIT_ONLY = 0x08;

    /** A SID as (authority, sub-authorities). */
    private record Sid(long authority, long[] sub) {
        boolean is(long auth, long... subs) {
            return authority == auth && java.util.Arrays.equals(sub, subs);
        }

        /** The unix id of S-1-22-{kind}-id, else -1. */
        long unixId(int kind) {
            return authority == 22 && sub.length == 2 && sub[0] == kind ? sub[1] : -1;
        }

        int length() {
            return 8 + 4 * sub.length;
        }
    }

    /**
     * Parses a descriptor.
     *
     * @param fileUid the file's owner after this change, to recognise the owner's ACE
     * @param fileGid the file's group after this change
     */
    static SecurityDescriptor parse(SmbDecoder d, long fileUid, long fileGid) {
        if (d.size() < 20 || d.u8(0) != 1) {
            throw new SmbFormatException("not a revision-1 security descriptor");
        }
        int control = d.u16(2);
        if ((control & SELF_RELATIVE) == 0) {
            throw new SmbFormatException("security descriptor is not self-relative");
        }
        long ownerOff = d.u32(4);
        long groupOff = d.u32(8);
        long daclOff = d.u32(16);
        Sid owner = ownerOff == 0 ? null : sid(d, ownerOff);
        Sid group = groupOff == 0 ? null : sid(d, groupOff);
        long uid = owner == null ? -1 : owner.unixId(1);
        long gid = group == null ? -1 : group.unixId(2);
        long ou = uid >= 0 ? uid : fileUid;
        long og = gid >= 0 ? gid : fileGid;
        boolean present = (control & DACL_PRESENT) != 0;
        if (!present) {
            return new SecurityDescriptor(uid, gid, false, 0, 0, owner != null, group != null);
        }
        if (daclOff == 0) {
            return new SecurityDescriptor(uid, gid, true, 0777, 0, owner != null, group != null); // NULL DACL
        }
        int[] bits = dacl(d, daclOff, ou, og);
        return new SecurityDescriptor(uid, gid, true, bits[0], bits[1], owner != null, group != null);
    }

    /** The rwx mode bits (0777 part) the DACL gives. */
    int mode() {
        return allow & ~deny & 0777;
    }

    private static Sid sid(SmbDecoder d, long off) {
        if (d.u8(off) != 1) {
            throw new SmbFormatException("bad SID revision");
        }
        int n = d.u8(off + 1);
        if (n > MAX_SUB_AUTHORITIES) {
            throw new SmbFormatException("SID with " + n + " sub-authorities");
        }
        long auth = 0;
        for (int i = 0; i < 6; i++) {
            auth = auth << 8 | d.u8(off + 2 + i);
        }
        long[] sub = new long[n];
        for (int i = 0; i < n; i++) {
            sub[i] = d.u32(off + 8 + 4L * i);
        }
        return new Sid(auth, sub);
    }

    /** {allow, deny} as 9 rwx bits each. */
    private static int[] dacl(SmbDecoder d, long off, long uid, long gid) {
        int rev = d.u8(off);
        if (rev != 2 && rev != 4) {
            throw new SmbFormatException("bad ACL revision " + rev);
        }
        int size = d.u16(off + 2);
        int count = d.u16(off + 4);
        if (size < 8 || off + size > d.size() || count > MAX_ACES) {
            throw new SmbFormatException("ACL size " + size + " with " + count + " ACEs");
        }
        int allow = 0;
        int deny = 0;
        long ace = off + 8;
        for (int i = 0; i < count; i++) {
            int type = d.u8(ace);
            int flags = d.u8(ace + 1);
            int aceSize = d.u16(ace + 2);
            if (aceSize < 8 || ace + aceSize > off + size) {
                throw new SmbFormatException("ACE overruns its ACL");
            }
            if ((type == 0 || type == 1) && (flags & INHERIT_ONLY) == 0) {
                Sid s = sid(d, ace + 8);
                if (s.length() + 8 > aceSize) {
                    throw new SmbFormatException("SID overruns its ACE");
                }
                int bits = who(s, uid, gid, rwx(d.i32(ace + 4)));
                if (type == 0) {
                    allow |= bits;
                } else {
                    deny |= bits;
                }
            }
            ace += aceSize;
        }
        return new int[] {allow, deny};
    }

    /** Places rwx at the owner, group or other position (Everyone: all three); 0 for other SIDs. */
    private static int who(Sid s, long uid, long gid, int rwx) {
        if (s.is(1, 0)) {
            return rwx << 6 | rwx << 3 | rwx;
        }
        if (s.unixId(1) == uid || s.is(3, 0)) {
            return rwx << 6;
        }
        if (s.unixId(2) == gid || s.is(3, 1)) {
            return rwx << 3;
        }
        return 0;
    }

    private static int rwx(int mask) {
        int r = (mask & (Access.READ_DATA | Access.GENERIC_READ | Access.GENERIC_ALL)) != 0 ? 4 : 0;
        int w = (mask & (Access.WRITE_DATA_BITS | Access.GENERIC_WRITE | Access.GENERIC_ALL)) != 0 ? 2 : 0;
        int x = (mask & (Access.EXECUTE | Access.GENERIC_EXECUTE | Access.GENERIC_ALL)) != 0 ? 1 : 0;
        return r | w | x;
    }
}
