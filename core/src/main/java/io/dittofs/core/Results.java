package io.dittofs.core;

import java.util.List;

/** The result records of {@link FileSystem} operations. */
public final class Results {
    private Results() {
    }

    /**
     * Weak cache consistency data: an object before and after a change (RFC 1813 section 2.6
     * {@code wcc_data}). {@code before} is null where the server could not capture it atomically.
     */
    public record Wcc(Inode before, Inode after) {
    }

    /** A new (or, for UNCHECKED/EXCLUSIVE create, existing) object and its directory's change. */
    public record Created(Inode child, Wcc dir) {
    }

    public record Renamed(Wcc from, Wcc to) {
    }

    public record Linked(Inode file, Wcc dir) {
    }

    public record Read(int count, boolean eof, Inode attr) {
    }

    /**
     * A read whose data is a region of the block store, to be sent without a user-space copy
     * ({@link FileSystem#readRegion}); the receiver owns {@code region} and closes it.
     */
    public record RegionRead(int count, boolean eof, Inode attr, io.dittofs.core.spi.ContentRegion region) {
    }

    public record Written(int count, Stability committed, Wcc file) {
    }

    /**
     * Where a SEEK landed ({@link FileSystem#seek}): {@code offset} of the data or hole found,
     * {@code eof} when that is the end of file; {@link #NONE} when there is none (NFS4ERR_NXIO).
     */
    public record Seek(boolean eof, long offset) {
        public static final Seek NONE = new Seek(true, -1);

        public boolean found() {
            return offset >= 0;
        }
    }

    /** A COPY's result ({@link FileSystem#copy}): bytes copied and the destination afterwards (durable). */
    public record Copied(long count, Inode file) {
    }

    /** One directory entry with, when asked for, its attributes. */
    public record Entry(String name, long id, long cookie, Inode attr) {
    }

    public record DirPage(List<Entry> entries, boolean eof, Inode dir) {
    }

    /**
     * Space figures for FSSTAT.
     *
     * @param totalBytes total size
     * @param freeBytes  free bytes
     * @param totalFiles total inodes
     * @param freeFiles  free inodes
     */
    public record FsStat(long totalBytes, long freeBytes, long totalFiles, long freeFiles) {
    }
}
