package io.dittofs.core.spi;

import io.dittofs.core.FsError;
import io.dittofs.core.FsException;

import java.lang.foreign.Arena;
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

    /** Largest piece of zeros the default {@link #deallocate} writes at once. */
    long ZERO_CHUNK = 1L << 20;

    /**
     * Makes {@code [offset, offset + length)} read as zeros and, where the store can, frees the
     * space it took (a hole: NFSv4.2 DEALLOCATE, RFC 7862 section 15.4; {@code fallocate -p}).
     * The range is within what the caller's file size covers; nothing past it changes, and the
     * content's extent (what {@link #truncate} would cut) does not shrink. The change is as
     * durable as a shrinking {@link #truncate} when this returns, so a power loss cannot bring
     * the old bytes back. The default writes zeros in pieces of at most {@link #ZERO_CHUNK}
     * bytes (correct for any store, frees nothing).
     */
    default void deallocate(long contentId, long offset, long length) {
        if (offset < 0 || length < 0 || length > Long.MAX_VALUE - offset) {
            throw new FsException(FsError.INVALID, "range " + offset + "+" + length);
        }
        if (length == 0) {
            return;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment zeros = arena.allocate(Math.min(ZERO_CHUNK, length), 64); // zero-filled
            for (long done = 0; done < length; ) {
                long n = Math.min(zeros.byteSize(), length - done);
                write(contentId, offset + done, zeros.asSlice(0, n));
                done += n;
            }
        }
        sync(contentId);
    }

    /**
     * Reserves space for {@code [offset, offset + length)} so later writes there do not fail for
     * lack of space, where the store can (NFSv4.2 ALLOCATE, RFC 7862 section 15.1); the range
     * reads as before (zeros where nothing was written). The default reserves nothing: stores
     * that allocate on write (memory, object stores) cannot promise space ahead.
     */
    default void allocate(long contentId, long offset, long length) {
    }

    /**
     * The first offset at or after {@code offset} where data may lie (SEEK_DATA), or
     * {@link Long#MAX_VALUE} when all content from there on is a hole. Conservative: a store that
     * cannot tell holes apart answers {@code offset} (everything is data); a store must never
     * skip bytes that were written and not deallocated or truncated. The caller bounds the
     * answer by the file size.
     */
    default long nextData(long contentId, long offset) {
        return offset;
    }

    /**
     * The first offset at or after {@code offset} that lies in a hole (SEEK_HOLE): bytes that
     * read as zeros because nothing is stored there. Never inside written data; everything past
     * the stored content is a hole. The default ({@link Long#MAX_VALUE}: no hole before the end,
     * which the caller bounds by the file size) is correct for any store.
     */
    default long nextHole(long contentId, long offset) {
        return Long.MAX_VALUE;
    }

    /**
     * Bytes of storage the content of {@code contentId} takes, for a file of {@code size} bytes:
     * what GETATTR reports as NFSv3 {@code used}, NFSv4 {@code space_used} (RFC 8881 section
     * 5.8.2.37) and SMB {@code AllocationSize}, so {@code du} sees holes (DEALLOCATE, sparse
     * writes). Asked on every GETATTR: a store answers from memory where it can and never fails
     * the call for it (it falls back to an estimate). The default, for stores that keep no holes,
     * is {@code size} rounded up to {@link #SPACE_UNIT}.
     */
    default long spaceUsed(long contentId, long size) {
        return roundUpToSpaceUnit(size);
    }

    /** The allocation unit of the default {@link #spaceUsed}: 4 KiB, a file system block. */
    long SPACE_UNIT = 4096;

    /** {@code size} rounded up to {@link #SPACE_UNIT}, without overflow. */
    static long roundUpToSpaceUnit(long size) {
        long up = (size + SPACE_UNIT - 1) & -SPACE_UNIT;
        return up < size ? size & -SPACE_UNIT : up;
    }

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
