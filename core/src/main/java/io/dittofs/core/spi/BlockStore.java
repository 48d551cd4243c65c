package io.dittofs.core.spi;

import java.lang.foreign.MemorySegment;

/**
 * Where file content lives, addressed by the inode number of the file ({@code contentId}).
 * The metadata store owns the file size; a block store holds bytes and reads zeros for holes
 * and for anything past what was written.
 *
 * <p>Segments passed in are borrowed for the duration of the call: an implementation copies
 * what it keeps and never retains or aliases the caller's memory. Implementations are
 * thread-safe; concurrent writes to disjoint ranges of one file must both land.
 */
public interface BlockStore extends AutoCloseable {

    /**
     * Fills {@code dst} with the content at {@code offset}; bytes never written read as zeros.
     */
    void read(long contentId, long offset, MemorySegment dst);

    /**
     * The content of {@code [offset, offset + length)} as a region to be sent to a socket without
     * a user-space copy (READ replies), or null when this store cannot offer one for it (content
     * held in memory, dirty data in a cache, nothing stored for the file): the caller then uses
     * {@link #read}. The caller owns a returned region and closes it. The default offers none.
     */
    default ContentRegion region(long contentId, long offset, long length) {
        return null;
    }

    /** Stores {@code src} at {@code offset}, extending the content if needed. */
    void write(long contentId, long offset, MemorySegment src);

    /** Drops everything at or past {@code size} (a later extension reads zeros there). */
    void truncate(long contentId, long size);

    /** Removes all content of the file; deleting unknown content is not an error. */
    void delete(long contentId);

    /** Makes previous writes of this content durable (no-op for volatile stores). */
    void sync(long contentId);

    /** Bytes of content currently held, for FSSTAT. */
    long usedBytes();

    /** Total capacity in bytes, or -1 if unbounded/unknown. */
    long capacityBytes();

    /**
     * The largest file size the store can hold: every byte at an offset below it can be written
     * and read back. {@link io.dittofs.core.FileSystem} refuses sizes, and write offsets plus
     * lengths, beyond it with {@link io.dittofs.core.FsError#FILE_TOO_LARGE}; a store given a
     * range past it throws the same.
     */
    default long maxFileSize() {
        return Long.MAX_VALUE;
    }

    /** A short name for logs and metrics ("memory", "fs"...). */
    String kind();

    @Override
    void close();
}
