package io.dittofs.protocols.smb.handler;

import io.dittofs.core.Inode;
import io.dittofs.protocols.smb.codec.SmbEncoder;

/**
 * A self-relative security descriptor (MS-DTYP 2.4.6) mapped from POSIX owner, group and mode, as
 * Samba maps unix ids: owner {@code S-1-22-1-uid}, group {@code S-1-22-2-gid}, and a DACL of three
 * allow ACEs (owner, group, Everyone) from the rwx bits. Only the parts the client asks for
 * (OWNER/GROUP/DACL_SECURITY_INFORMATION) are included. Read-only; stateless; thread-safe.
 */
final class Security {
    static final int OWNER = 0x1;
    static final int GROUP = 0x2;
    static final int DACL = 0x4;

    private Security() {
    }

    /** Writes the descriptor; returns its minimal size (20, the header). */
    static int write(SmbEncoder e, Inode n, int which) {
        int base = e.position();
        int control = 0x8000 | ((which & DACL) != 0 ? 0x0004 : 0);
        e.u8(1).u8(0).u16(control).u32(0).u32(0).u32(0).u32(0);
        if ((which & OWNER) != 0) {
            e.putU32(base + 4, e.position() - base);
            sid(e, 22, 1, n.uid());
        }
        if ((which & GROUP) != 0) {
            e.putU32(base + 8, e.position() - base);
            sid(e, 22, 2, n.gid());
        }
        if ((which & DACL) != 0) {
            e.putU32(base + 16, e.position() - base);
            int acl = e.position();
            e.u8(2).u8(0).u16(0).u16(3).u16(0);
            ace(e, mask(n.mode() >> 6, true), 22, 1, n.uid());
            ace(e, mask(n.mode() >> 3, false), 22, 2, n.gid());
            ace(e, mask(n.mode(), false), 1, 0, -1);
            e.putU16(acl + 2, e.position() - acl);
        }
        return 20;
    }

    private static int mask(int rwx, boolean owner) {
        int m = 0;
        if ((rwx & 4) != 0) {
            m |= 0x0012_0089;
        }
        if ((rwx & 2) != 0) {
            m |= 0x0012_0116 | 0x1_0000;
        }
        if ((rwx & 1) != 0) {
            m |= 0x0012_00A0;
        }
        if (owner) {
            m |= 0x000E_0080; // READ_CONTROL, WRITE_DAC, WRITE_OWNER, READ_ATTRIBUTES
        }
        return m;
    }

    private static void ace(SmbEncoder e, int mask, int authority, int sub1, int sub2) {
        int start = e.position();
        e.u8(0).u8(0).u16(0).u32(mask);
        sid(e, authority, sub1, sub2);
        e.putU16(start + 2, e.position() - start);
    }

    /** S-1-authority-sub1[-sub2] (sub2 omitted when negative). */
    private static void sid(SmbEncoder e, int authority, int sub1, long sub2) {
        int count = sub2 < 0 ? 1 : 2;
        e.u8(1).u8(count).u8(0).u8(0).u8(0).u8(0).u8(0).u8(authority).u32(sub1);
        if (sub2 >= 0) {
            e.u32(sub2);
        }
    }
}
