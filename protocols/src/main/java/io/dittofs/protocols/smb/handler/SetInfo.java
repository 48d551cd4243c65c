package io.dittofs.protocols.smb.handler;

import io.dittofs.core.AuthContext;
import io.dittofs.core.FileSystem;
import io.dittofs.core.Inode;
import io.dittofs.core.SetAttr;
import io.dittofs.protocols.smb.NtStatus;
import io.dittofs.protocols.smb.Open;
import io.dittofs.protocols.smb.SmbCommand;
import io.dittofs.protocols.smb.SmbRequest;
import io.dittofs.protocols.smb.codec.SmbDecoder;
import io.dittofs.protocols.smb.codec.SmbEncoder;

/**
 * SET_INFO (MS-SMB2 2.2.39, 3.3.5.21) for file information classes (MS-FSCC 2.4): basic (times;
 * 0 and -1 leave a time alone), rename (share-relative target, ReplaceIfExists), disposition and
 * disposition-ex (delete on close; a non-empty directory is refused at once), full EA
 * ({@link ExtendedAttributes}), position, end-of-file, allocation (shrinks only), mode; and
 * security descriptors ({@link Security#set}). Stateless; thread-safe.
 */
public final class SetInfo implements SmbCommand {
    private static final int MAX_BUFFER = 64 * 1024;

    @Override
    public int execute(SmbRequest r, SmbEncoder out) {
        r.structureSize(33);
        SmbDecoder in = r.in();
        int type = in.u8(66);
        int cls = in.u8(67);
        long len = in.u32(68);
        int off = in.u16(72);
        Open o = r.open(80);
        if (len > MAX_BUFFER) {
            return NtStatus.INVALID_PARAMETER;
        }
        SmbDecoder b = new SmbDecoder(in.slice(off, len));
        if (o.pipe() != null) {
            return NtStatus.NOT_SUPPORTED;
        }
        FileSystem fs = o.tree().share().fs();
        if (type == QueryInfo.INFO_SECURITY) {
            int status = Security.set(o, fs, b, in.i32(76));
            if (status == NtStatus.SUCCESS) {
                out.u16(2);
            }
            return status;
        }
        if (type != QueryInfo.INFO_FILE) {
            return NtStatus.INVALID_INFO_CLASS;
        }
        int status = switch (cls) {
            case FileInfo.BASIC -> basic(o, fs, b);
            case FileInfo.RENAME -> Rename.apply(o, fs, b, r.conn().services());
            case FileInfo.FULL_EA -> ExtendedAttributes.set(o, b);
            case FileInfo.DISPOSITION -> disposition(r, o, fs, b.u8(0) != 0);
            case FileInfo.DISPOSITION_EX -> disposition(r, o, fs, (b.i32(0) & 0x1) != 0);
            case FileInfo.POSITION -> {
                o.position(b.i64(0));
                yield NtStatus.SUCCESS;
            }
            case FileInfo.END_OF_FILE -> size(o, fs, b.i64(0), false);
            case FileInfo.ALLOCATION -> size(o, fs, b.i64(0), true);
            case FileInfo.MODE -> {
                b.i32(0);
                yield NtStatus.SUCCESS;
            }
            default -> NtStatus.INVALID_INFO_CLASS;
        };
        if (status == NtStatus.SUCCESS) {
            out.u16(2);
        }
        return status;
    }

    private static final int TEMPORARY = 0x100;

    private static int basic(Open o, FileSystem fs, SmbDecoder b) {
        long atime = b.i64(8);
        long mtime = b.i64(16);
        int attrs = b.i32(32);
        if (o.directory() && (attrs & TEMPORARY) != 0) {
            return NtStatus.INVALID_PARAMETER; // FILE_ATTRIBUTE_TEMPORARY is for files only (MS-FSCC 2.6)
        }
        SetAttr sa = new SetAttr(readOnlyMode(o, fs, attrs), -1, -1, -1, time(atime), time(mtime));
        if (sa.isEmpty()) {
            return NtStatus.SUCCESS;
        }
        if ((o.access() & 0x100) == 0) {
            return NtStatus.ACCESS_DENIED;
        }
        fs.setattr(o.tree().authorize(true), o.inode(), sa, -1);
        return NtStatus.SUCCESS;
    }

    /**
     * FILE_ATTRIBUTE_READONLY of a file maps to its owner's write bit (as {@link Attrs} reports
     * it): set clears the write bits, cleared restores the owner's; 0 (no change) and
     * directories leave the mode alone; -1 when nothing changes.
     */
    private static int readOnlyMode(Open o, FileSystem fs, int attrs) {
        if (attrs == 0 || o.directory()) {
            return -1;
        }
        int mode = fs.getattr(o.inode()).mode() & 07777;
        boolean readOnly = (mode & 0200) == 0;
        boolean wanted = (attrs & Attrs.READONLY) != 0;
        if (readOnly == wanted) {
            return -1;
        }
        return wanted ? mode & ~0222 : mode | 0200;
    }

    private static SetAttr.TimeSet time(long filetime) {
        return filetime == 0 || filetime == -1 || filetime == -2 ? SetAttr.TimeSet.DONT_CHANGE
                : SetAttr.TimeSet.client(Times.unixNanos(filetime));
    }

    /**
     * FileDispositionInformation (MS-FSA 2.1.5.15.3): sets or clears the file's DeletePending, seen by
     * every open of it; the file goes when its last open closes.
     */
    private static int disposition(SmbRequest r, Open o, FileSystem fs, boolean delete) {
        if ((o.access() & Access.DELETE) == 0) {
            return NtStatus.ACCESS_DENIED;
        }
        if (delete) {
            if (o.path().isEmpty()) {
                return NtStatus.ACCESS_DENIED;
            }
            AuthContext ctx = o.tree().authorize(true);
            if (o.directory() && !Create.emptyDirectory(fs, ctx, o.inode())) {
                return NtStatus.DIRECTORY_NOT_EMPTY;
            }
            Inode n = fs.getattr(o.inode());
            if (!n.isDirectory() && (n.mode() & 0200) == 0) {
                return NtStatus.CANNOT_DELETE;
            }
        }
        r.conn().services().openFiles().deletePending(ShareModes.key(o), delete);
        return NtStatus.SUCCESS;
    }

    private static int size(Open o, FileSystem fs, long size, boolean allocation) {
        if (o.directory() || size < 0) {
            return NtStatus.INVALID_PARAMETER;
        }
        if ((o.access() & Access.WRITE_DATA) == 0) {
            return NtStatus.ACCESS_DENIED;
        }
        if (allocation && size >= fs.getattr(o.inode()).size()) {
            return NtStatus.SUCCESS;
        }
        fs.setattr(o.tree().authorize(true), o.inode(), new SetAttr(-1, -1, -1, size, SetAttr.TimeSet.DONT_CHANGE,
                SetAttr.TimeSet.DONT_CHANGE), -1);
        return NtStatus.SUCCESS;
    }
}
