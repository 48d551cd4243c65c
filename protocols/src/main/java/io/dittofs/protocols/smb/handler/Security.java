package io.dittofs.protocols.smb.handler;

import io.dittofs.core.AuthContext;
import io.dittofs.core.FileSystem;
import io.dittofs.core.Inode;
import io.dittofs.core.SetAttr;
import io.dittofs.protocols.smb.NtStatus;
import io.dittofs.protocols.smb.Open;
import io.dittofs.protocols.smb.codec.SmbDecoder;
import io.dittofs.protocols.smb.codec.SmbEncoder;
import io.dittofs.protocols.smb.codec.SmbFormatException;

/**
 * A self-relative security descriptor (MS-DTYP 2.4.6) mapped from POSIX owner, group and mode, as
 * Samba maps unix ids: owner {@code S-1-22-1-uid}, group {@code S-1-22-2-gid}, and a DACL of three
 * allow ACEs (owner, group, Everyone) from the rwx bits. Only the parts the client asks for
 * (OWNER/GROUP/DACL_SECURITY_INFORMATION) are included. SET_INFO and the CREATE {@code SecD}
 * context map a descriptor back ({@link SecurityDescriptor}): owner and group change the file's
 * uid/gid (WRITE_OWNER access, and the POSIX chown rules), the DACL its rwx bits (WRITE_DAC).
 * Stateless; thread-safe.
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

    static final int WRITE_DAC = 0x4_0000;
    static final int WRITE_OWNER = 0x8_0000;

    /**
     * Applies the {@code which} parts of a descriptor to an open file (SET_INFO, MS-SMB2 3.3.5.21.3).
     *
     * @return SUCCESS, ACCESS_DENIED without WRITE_OWNER / WRITE_DAC, INVALID_PARAMETER for a malformed descriptor
     */
    static int set(Open o, FileSystem fs, SmbDecoder sd, int which) {
        int need = ((which & (OWNER | GROUP)) != 0 ? WRITE_OWNER : 0) | ((which & DACL) != 0 ? WRITE_DAC : 0);
        if ((o.access() & need) != need) {
            return NtStatus.ACCESS_DENIED;
        }
        return apply(o.tree().authorize(true), fs, o.inode(), sd, which);
    }

    /** Maps the descriptor's {@code which} parts to a SETATTR of the inode; INVALID_PARAMETER when malformed. */
    static int apply(AuthContext ctx, FileSystem fs, long inode, SmbDecoder sd, int which) {
        Inode n = fs.getattr(inode);
        SecurityDescriptor d;
        try {
            d = SecurityDescriptor.parse(sd, n.uid(), n.gid());
        } catch (SmbFormatException e) {
            return NtStatus.INVALID_PARAMETER;
        }
        long uid = (which & OWNER) != 0 && d.uid() >= 0 && d.uid() != n.uid() ? d.uid() : -1;
        long gid = (which & GROUP) != 0 && d.gid() >= 0 && d.gid() != n.gid() ? d.gid() : -1;
        int mode = -1;
        if ((which & DACL) != 0 && d.dacl()) {
            int m = n.mode() & 07000 | d.mode();
            mode = m == (n.mode() & 07777) ? -1 : m;
        }
        SetAttr sa = new SetAttr(mode, uid, gid, -1, SetAttr.TimeSet.DONT_CHANGE, SetAttr.TimeSet.DONT_CHANGE);
        if (!sa.isEmpty()) {
            fs.setattr(ctx, inode, sa, -1);
        }
        return NtStatus.SUCCESS;
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
