package io.dittofs.protocols.smb.handler;

import io.dittofs.core.Inode;
import io.dittofs.core.Results;
import io.dittofs.protocols.smb.NtStatus;
import io.dittofs.protocols.smb.Open;
import io.dittofs.protocols.smb.SmbCommand;
import io.dittofs.protocols.smb.SmbRequest;
import io.dittofs.protocols.smb.codec.SmbDecoder;
import io.dittofs.protocols.smb.codec.SmbEncoder;
import io.dittofs.protocols.smb.header.Smb2Header;

import java.lang.foreign.MemorySegment;

/**
 * QUERY_INFO (MS-SMB2 2.2.37, 2.2.38, 3.3.5.20): file information classes (MS-FSCC 2.4: basic,
 * standard, internal, EA, full EA ({@link ExtendedAttributes}), access, name, position, mode, alignment, all, stream, network-open,
 * attribute-tag), file-system classes (2.5: volume, size, device, attribute, full-size,
 * sector-size) and a security descriptor built from owner, group and mode ({@link Security}).
 * A reply longer than the client's buffer is cut with STATUS_BUFFER_OVERFLOW for the
 * variable-length classes and refused with STATUS_INFO_LENGTH_MISMATCH for the fixed ones.
 * Stateless; thread-safe.
 */
public final class QueryInfo implements SmbCommand {
    static final int INFO_FILE = 1;
    static final int INFO_FILESYSTEM = 2;
    static final int INFO_SECURITY = 3;
    private static final int SCRATCH = 8192;

    @Override
    public int execute(SmbRequest r, SmbEncoder out) {
        r.structureSize(41);
        SmbDecoder in = r.in();
        int type = in.u8(66);
        int cls = in.u8(67);
        long outLen = in.u32(68);
        int additional = in.i32(80);
        Open o = r.open(88);
        if (type == INFO_FILE && cls == FileInfo.FULL_EA && o.pipe() == null) {
            return ExtendedAttributes.query(in, o, outLen, out);
        }
        SmbEncoder tmp = new SmbEncoder(MemorySegment.ofArray(new byte[SCRATCH]));
        int fixed;
        if (o.pipe() != null) {
            if (type != INFO_FILE || cls != FileInfo.STANDARD) {
                return NtStatus.NOT_SUPPORTED;
            }
            tmp.u64(4096).u64(0).u32(1).u8(0).u8(0).u16(0);
            fixed = 24;
        } else {
            Inode n = o.tree().share().fs().getattr(o.inode());
            fixed = switch (type) {
                case INFO_FILE -> FileInfo.write(tmp, cls, o, n,
                        r.conn().services().openFiles().deletePending(ShareModes.key(o)));
                case INFO_FILESYSTEM -> fsInfo(tmp, cls, o);
                case INFO_SECURITY -> Security.write(tmp, n, additional);
                default -> -1;
            };
        }
        if (fixed < 0) {
            return NtStatus.INVALID_INFO_CLASS;
        }
        int len = tmp.position();
        int room = (int) Math.min(outLen, out.remaining() - 8);
        int status = NtStatus.SUCCESS;
        if (len > room) {
            if (type == INFO_SECURITY) {
                out.u16(9).u16(Smb2Header.SIZE + 8).u32(4).u32(len);
                return NtStatus.BUFFER_TOO_SMALL;
            }
            if (room < fixed || fixed == len) {
                return NtStatus.INFO_LENGTH_MISMATCH;
            }
            len = room;
            status = NtStatus.BUFFER_OVERFLOW;
        }
        out.u16(9).u16(Smb2Header.SIZE + 8).u32(len);
        out.buffer().put(tmp.buffer().array(), 0, len);
        return status;
    }

    static final int FS_VOLUME = 1;
    static final int FS_SIZE = 3;
    static final int FS_DEVICE = 4;
    static final int FS_ATTRIBUTE = 5;
    static final int FS_CONTROL = 6;
    static final int FS_OBJECT_ID = 8;
    static final int FS_FULL_SIZE = 7;
    static final int FS_SECTOR_SIZE = 11;

    /** A file-system class (MS-FSCC 2.5); returns its fixed size, -1 if not served. */
    private static int fsInfo(SmbEncoder e, int cls, Open o) {
        var fs = o.tree().share().fs();
        switch (cls) {
            case FS_VOLUME -> {
                String label = SmbShares.smbName(o.tree().share());
                e.u64(Times.filetime(0)).u32(o.tree().share().id()).u32(2L * label.length()).u8(0).u8(0);
                e.utf16(label);
                return 24; // minimum buffers as Windows (smbtorture getinfo.qfs_buffercheck)
            }
            case FS_SIZE -> {
                Results.FsStat st = fs.fsstat();
                e.u64(st.totalBytes() / Attrs.CLUSTER).u64(st.freeBytes() / Attrs.CLUSTER).u32(8).u32(512);
                return 24;
            }
            case FS_FULL_SIZE -> {
                Results.FsStat st = fs.fsstat();
                e.u64(st.totalBytes() / Attrs.CLUSTER).u64(st.freeBytes() / Attrs.CLUSTER)
                        .u64(st.freeBytes() / Attrs.CLUSTER).u32(8).u32(512);
                return 32;
            }
            case FS_DEVICE -> {
                e.u32(0x7).u32(0);
                return 8;
            }
            case FS_ATTRIBUTE -> {
                // CASE_SENSITIVE_SEARCH | CASE_PRESERVED_NAMES | UNICODE_ON_DISK | PERSISTENT_ACLS
                int attrs = 0x1 | 0x2 | 0x4 | 0x8 | (fs.readOnly() ? 0x0008_0000 : 0);
                e.u32(attrs).u32(255).u32(2L * "NTFS".length());
                e.utf16("NTFS");
                return 16;
            }
            case FS_CONTROL -> {
                // FileFsControlInformation (MS-FSCC 2.5.2): no quotas, no content indexing
                e.u64(0).u64(0).u64(0).u64(-1).u64(-1).u32(0).u32(0);
                return 48;
            }
            case FS_OBJECT_ID -> {
                // FileFsObjectIdInformation (MS-FSCC 2.5.6): the share's id as the volume's object id
                e.u32(o.tree().share().id()).zeros(12).zeros(48);
                return 64;
            }
            case FS_SECTOR_SIZE -> {
                e.u32(512).u32(512).u32(512).u32(512).u32(0x3).u32(0).u32(0);
                return 28;
            }
            default -> {
                return -1;
            }
        }
    }
}
