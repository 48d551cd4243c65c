package io.dittofs.protocols.smb.handler;

import io.dittofs.core.FileSystem;
import io.dittofs.core.Inode;
import io.dittofs.protocols.smb.codec.SmbEncoder;

/**
 * How an {@link Inode} looks to SMB (MS-FSCC 2.6 file attributes, 2.4 information classes):
 * directories are FILE_ATTRIBUTE_DIRECTORY, other files ARCHIVE, READONLY when the owner cannot
 * write; there is no birth time, so CreationTime is the oldest of the three POSIX times.
 * Stateless; thread-safe.
 */
final class Attrs {
    static final int READONLY = 0x1;
    static final int HIDDEN = 0x2;
    static final int DIRECTORY = 0x10;
    static final int ARCHIVE = 0x20;
    static final int NORMAL = 0x80;
    static final long CLUSTER = 4096;

    private Attrs() {
    }

    static int attributes(Inode n) {
        int a = n.isDirectory() ? DIRECTORY : ARCHIVE;
        if (!n.isDirectory() && (n.mode() & 0200) == 0) {
            a |= READONLY;
        }
        return a;
    }

    /** AllocationSize: what the share's block store holds for the file ({@link FileSystem#spaceUsed}; holes do not count). */
    static long allocation(FileSystem fs, Inode n) {
        return n.isDirectory() ? 0 : fs.spaceUsed(n);
    }

    static long endOfFile(Inode n) {
        return n.isDirectory() ? 0 : n.size();
    }

    static long creation(Inode n) {
        return Times.filetime(Math.min(n.atimeNs(), Math.min(n.mtimeNs(), n.ctimeNs())));
    }

    /** CreationTime, LastAccessTime, LastWriteTime, ChangeTime (32 bytes). */
    static void times(SmbEncoder e, Inode n) {
        e.u64(creation(n)).u64(Times.filetime(n.atimeNs())).u64(Times.filetime(n.mtimeNs()))
                .u64(Times.filetime(n.ctimeNs()));
    }

    /** FILE_NETWORK_OPEN_INFORMATION layout without the trailing reserved field (52 bytes). */
    static void networkOpen(SmbEncoder e, FileSystem fs, Inode n) {
        times(e, n);
        e.u64(allocation(fs, n)).u64(endOfFile(n)).u32(attributes(n));
    }
}
