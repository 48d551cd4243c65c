package io.dittofs.protocols.smb.handler;

import io.dittofs.core.AuthContext;
import io.dittofs.core.FileSystem;
import io.dittofs.core.Inode;
import io.dittofs.core.Results;
import io.dittofs.protocols.smb.NtStatus;
import io.dittofs.protocols.smb.Open;
import io.dittofs.protocols.smb.SmbCommand;
import io.dittofs.protocols.smb.SmbRequest;
import io.dittofs.protocols.smb.codec.SmbDecoder;
import io.dittofs.protocols.smb.codec.SmbEncoder;
import io.dittofs.protocols.smb.header.Smb2Header;

/**
 * QUERY_DIRECTORY (MS-SMB2 2.2.33, 2.2.34, 3.3.5.18) with the information classes of MS-FSCC
 * 2.4 (Directory, FullDirectory, BothDirectory, Names, IdBothDirectory, IdFullDirectory): entries
 * matching the pattern ({@link Wildcard}), 8-byte aligned, as many as fit; the enumeration resumes
 * where the last call stopped (the open keeps the file system's readdir cookie) and restarts on
 * RESTART_SCANS or REOPEN. Stateless; thread-safe.
 */
public final class QueryDirectory implements SmbCommand {
    static final int DIRECTORY = 1;
    static final int FULL_DIRECTORY = 2;
    static final int BOTH_DIRECTORY = 3;
    static final int NAMES = 12;
    static final int ID_BOTH_DIRECTORY = 37;
    static final int ID_FULL_DIRECTORY = 38;
    static final int RESTART_SCANS = 0x1;
    static final int RETURN_SINGLE_ENTRY = 0x2;
    static final int REOPEN = 0x10;
    private static final int PAGE = 256;

    @Override
    public int execute(SmbRequest r, SmbEncoder out) {
        r.structureSize(33);
        SmbDecoder in = r.in();
        int cls = in.u8(66);
        int flags = in.u8(67);
        Open o = r.open(72);
        String pattern = in.u16(90) == 0 ? null : in.utf16(in.u16(88), in.u16(90), 1024);
        long outLen = in.u32(92);
        if (fixedSize(cls) < 0) {
            return NtStatus.INVALID_INFO_CLASS;
        }
        if (!o.directory() || o.pipe() != null) {
            return NtStatus.INVALID_PARAMETER;
        }
        boolean restart = (flags & (RESTART_SCANS | REOPEN)) != 0 || o.dirPattern() == null;
        if (restart) {
            o.dirState(0, pattern == null || pattern.isEmpty() ? "*" : pattern, false);
        } else if (o.dirDone()) {
            return NtStatus.NO_MORE_FILES;
        }
        String pat = o.dirPattern();
        boolean first = restart;
        int base = out.position();
        out.u16(9).u16(Smb2Header.SIZE + 8).u32(0);
        int start = out.position();
        int limit = (int) Math.min(outLen, out.remaining());
        int end = start + limit;
        long cookie = o.dirCookie();
        AuthContext ctx = o.tree().authorize(false);
        var fs = o.tree().share().fs();
        int lastEntry = -1;
        int written = 0;
        boolean full = false;
        boolean eof = false;
        while (!full && !eof) {
            Results.DirPage page = fs.readdir(ctx, o.inode(), cookie, PAGE, true);
            for (Results.Entry e : page.entries()) {
                if (!Wildcard.matches(pat, e.name()) || e.attr() == null) {
                    cookie = e.cookie();
                    continue;
                }
                int at = align8(out.position());
                int size = fixedSize(cls) + 2 * e.name().length();
                if (at + size > end || written > 0 && (flags & RETURN_SINGLE_ENTRY) != 0) {
                    full = true;
                    break;
                }
                out.zeros(at - out.position());
                if (lastEntry >= 0) {
                    out.putU32(lastEntry, at - lastEntry);
                }
                entry(out, cls, fs, e.name(), e.attr());
                lastEntry = at;
                written++;
                cookie = e.cookie();
            }
            eof = !full && page.eof();
        }
        o.dirState(cookie, pat, eof);
        if (written == 0) {
            out.position(base);
            if (first && !"*".equals(pat) && eof) {
                return NtStatus.NO_SUCH_FILE;
            }
            return full ? NtStatus.INFO_LENGTH_MISMATCH : NtStatus.NO_MORE_FILES;
        }
        out.putU32(base + 4, out.position() - start);
        return NtStatus.SUCCESS;
    }

    private static int align8(int p) {
        return (p + 7) & ~7;
    }

    /** The fixed part of one entry of the class (MS-FSCC 2.4), -1 for classes not served. */
    static int fixedSize(int cls) {
        return switch (cls) {
            case DIRECTORY -> 64;
            case FULL_DIRECTORY -> 68;
            case BOTH_DIRECTORY -> 94;
            case NAMES -> 12;
            case ID_BOTH_DIRECTORY -> 104;
            case ID_FULL_DIRECTORY -> 80;
            default -> -1;
        };
    }

    private static void entry(SmbEncoder out, int cls, FileSystem fs, String name, Inode n) {
        int nameLen = 2 * name.length();
        out.u32(0).u32(0);
        if (cls == NAMES) {
            out.u32(nameLen).utf16(name);
            return;
        }
        Attrs.times(out, n);
        out.u64(Attrs.endOfFile(n)).u64(Attrs.allocation(fs, n)).u32(Attrs.attributes(n)).u32(nameLen);
        switch (cls) {
            case FULL_DIRECTORY -> out.u32(0);
            case ID_FULL_DIRECTORY -> out.u32(0).u32(0).u64(n.id());
            case BOTH_DIRECTORY -> out.u32(0).u8(0).u8(0).zeros(24);
            case ID_BOTH_DIRECTORY -> out.u32(0).u8(0).u8(0).zeros(24).u16(0).u64(n.id());
            default -> {
            }
        }
        out.utf16(name);
    }
}
