package io.dittofs.storage.block.memory;

import io.dittofs.core.FsError;
import io.dittofs.core.FsException;
import io.dittofs.core.spi.BlockStore;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A volatile {@link BlockStore} that keeps content off-heap, in fixed-size chunks per file.
 *
 * <p>Chunks are allocated zero-filled from {@link Arena#ofAuto()} on first write, so the store is
 * sparse: a chunk never written reads as zeros and costs nothing. A dropped chunk is freed by the
 * garbage collector once unreachable. {@link #usedBytes()} counts allocated chunk bytes; with a
 * capacity, a write that needs more chunks than fit fails with {@link FsError#NO_SPACE} before any
 * of its bytes are copied.
 *
 * <p>Thread-safe. Reads and writes of one file run concurrently under the shared side of a
 * per-file lock (disjoint writes all land; overlapping concurrent writes leave one of them per
 * byte); truncate and delete take the exclusive side. Caller segments are only copied from or
 * into, never retained.
 */
public final class MemoryBlockStore implements BlockStore {
    /** Default chunk size: 256 KiB. */
    public static final int DEFAULT_CHUNK_SIZE = 256 * 1024;

    private final int chunkSize;
    private final long capacity;
    private final ConcurrentHashMap<Long, Content> files = new ConcurrentHashMap<>();
    private final AtomicLong used = new AtomicLong();
    private volatile boolean closed;

    /** The chunks of one file, indexed by {@code offset / chunkSize}. */
    private static final class Content {
        final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
        final ConcurrentHashMap<Long, MemorySegment> chunks = new ConcurrentHashMap<>();
        /** Set under the exclusive lock when the content is removed from the store. */
        boolean deleted;
    }

    /** An unbounded store with 256 KiB chunks. */
    public MemoryBlockStore() {
        this(-1);
    }

    /** A store holding at most {@code capacityBytes} of chunks ({@code -1}: unbounded). */
    public MemoryBlockStore(long capacityBytes) {
        this(capacityBytes, DEFAULT_CHUNK_SIZE);
    }

    public MemoryBlockStore(long capacityBytes, int chunkSize) {
        if (chunkSize <= 0) {
            throw new IllegalArgumentException("chunk size " + chunkSize);
        }
        this.capacity = capacityBytes < 0 ? -1 : capacityBytes;
        this.chunkSize = chunkSize;
    }

    @Override
    public void read(long contentId, long offset, MemorySegment dst) {
        checkOpen();
        if (offset < 0) {
            throw new FsException(FsError.INVALID, "negative offset " + offset);
        }
        Content c = files.get(contentId);
        if (c == null) {
            dst.fill((byte) 0);
            return;
        }
        // nothing lies at or past 2^63 - 1: that part of dst reads zeros
        long len = Math.min(dst.byteSize(), Long.MAX_VALUE - offset);
        dst.asSlice(len).fill((byte) 0);
        c.lock.readLock().lock();
        try {
            long done = 0;
            while (done < len) {
                long pos = offset + done;
                int inChunk = (int) (pos % chunkSize);
                int n = (int) Math.min(len - done, chunkSize - inChunk);
                MemorySegment chunk = c.deleted ? null : c.chunks.get(pos / chunkSize);
                if (chunk == null) {
                    dst.asSlice(done, n).fill((byte) 0);
                } else {
                    MemorySegment.copy(chunk, inChunk, dst, done, n);
                }
                done += n;
            }
        } finally {
            c.lock.readLock().unlock();
        }
    }

    @Override
    public void write(long contentId, long offset, MemorySegment src) {
        checkOpen();
        long len = src.byteSize();
        checkOffset(offset, len);
        if (len == 0) {
            return;
        }
        while (true) {
            Content c = files.computeIfAbsent(contentId, k -> new Content());
            c.lock.readLock().lock();
            try {
                if (c.deleted) {
                    continue; // raced with delete: retry on a fresh content
                }
                allocate(c, offset / chunkSize, (offset + len - 1) / chunkSize);
                long done = 0;
                while (done < len) {
                    long pos = offset + done;
                    int inChunk = (int) (pos % chunkSize);
                    int n = (int) Math.min(len - done, chunkSize - inChunk);
                    MemorySegment.copy(src, done, c.chunks.get(pos / chunkSize), inChunk, n);
                    done += n;
                }
                return;
            } finally {
                c.lock.readLock().unlock();
            }
        }
    }

    /** Makes sure chunks {@code first..last} exist, so that copying cannot fail half-way. */
    private void allocate(Content c, long first, long last) {
        for (long i = first; i <= last; i++) {
            if (c.chunks.containsKey(i)) {
                continue;
            }
            reserve();
            MemorySegment fresh;
            try {
                fresh = Arena.ofAuto().allocate(chunkSize, 64);
            } catch (OutOfMemoryError e) {
                used.addAndGet(-chunkSize);
                throw new FsException(FsError.NO_SPACE, "out of memory for content", e);
            }
            if (c.chunks.putIfAbsent(i, fresh) != null) {
                used.addAndGet(-chunkSize); // another writer allocated it first
            }
        }
    }

    private void reserve() {
        long cur;
        do {
            cur = used.get();
            if (capacity >= 0 && cur + chunkSize > capacity) {
                throw new FsException(FsError.NO_SPACE, "memory block store full (" + capacity + " bytes)");
            }
        } while (!used.compareAndSet(cur, cur + chunkSize));
    }

    @Override
    public void truncate(long contentId, long size) {
        checkOpen();
        if (size < 0) {
            throw new FsException(FsError.INVALID, "negative size");
        }
        Content c = files.get(contentId);
        if (c == null) {
            return;
        }
        c.lock.writeLock().lock();
        try {
            long boundary = size / chunkSize;
            int keep = (int) (size % chunkSize);
            if (keep != 0) {
                MemorySegment partial = c.chunks.get(boundary);
                if (partial != null) {
                    partial.asSlice(keep).fill((byte) 0);
                }
            }
            long firstDropped = keep == 0 ? boundary : boundary + 1;
            c.chunks.keySet().removeIf(i -> {
                if (i >= firstDropped) {
                    used.addAndGet(-chunkSize);
                    return true;
                }
                return false;
            });
        } finally {
            c.lock.writeLock().unlock();
        }
    }

    /** Drops the chunks the range covers whole (their memory is freed) and zeros the parts of the ones at its edges. */
    @Override
    public void deallocate(long contentId, long offset, long length) {
        checkOpen();
        if (offset < 0 || length < 0 || length > Long.MAX_VALUE - offset) {
            throw new FsException(FsError.INVALID, "range " + offset + "+" + length);
        }
        Content c = files.get(contentId);
        if (c == null || length == 0) {
            return;
        }
        long end = offset + length;
        c.lock.writeLock().lock();
        try {
            long first = offset / chunkSize;
            long last = (end - 1) / chunkSize;
            c.chunks.keySet().removeIf(i -> {
                boolean whole = i >= first && i <= last && (long) i * chunkSize >= offset
                        && end - (long) i * chunkSize >= chunkSize;
                if (whole) {
                    used.addAndGet(-chunkSize);
                }
                return whole;
            });
            zeroPart(c, first, offset, end);
            if (last != first) {
                zeroPart(c, last, offset, end);
            }
        } finally {
            c.lock.writeLock().unlock();
        }
    }

    /** Zeros the part of chunk {@code i} (if it is still there) that lies in {@code [from, to)}. */
    private void zeroPart(Content c, long i, long from, long to) {
        MemorySegment chunk = c.chunks.get(i);
        if (chunk != null) {
            long base = i * chunkSize;
            long lo = Math.max(from, base) - base;
            long hi = Math.min(to, base + chunkSize) - base;
            chunk.asSlice(lo, hi - lo).fill((byte) 0);
        }
    }

    /** The start of the first chunk held at or after {@code offset} (a chunk is data even where it holds zeros). */
    @Override
    public long nextData(long contentId, long offset) {
        checkOpen();
        Content c = files.get(contentId);
        if (c == null) {
            return Long.MAX_VALUE;
        }
        long at = offset / chunkSize;
        long best = Long.MAX_VALUE;
        c.lock.readLock().lock();
        try {
            for (long i : c.chunks.keySet()) {
                if (i >= at && i < best) {
                    best = i;
                }
            }
        } finally {
            c.lock.readLock().unlock();
        }
        return best == Long.MAX_VALUE ? best : Math.max(offset, best * chunkSize);
    }

    /** The start of the first chunk not held at or after {@code offset}. */
    @Override
    public long nextHole(long contentId, long offset) {
        checkOpen();
        Content c = files.get(contentId);
        if (c == null) {
            return offset;
        }
        c.lock.readLock().lock();
        try {
            long i = offset / chunkSize;
            while (c.chunks.containsKey(i)) {
                i++;
            }
            return Math.max(offset, i * chunkSize);
        } finally {
            c.lock.readLock().unlock();
        }
    }

    @Override
    public void delete(long contentId) {
        checkOpen();
        Content c = files.get(contentId);
        if (c == null) {
            return;
        }
        c.lock.writeLock().lock();
        try {
            if (!c.deleted) {
                c.deleted = true;
                used.addAndGet(-(long) c.chunks.size() * chunkSize);
                c.chunks.clear();
                files.remove(contentId, c);
            }
        } finally {
            c.lock.writeLock().unlock();
        }
    }

    @Override
    public void sync(long contentId) {
        checkOpen();
    }

    /** The chunks held for the file (a hole of whole chunks, or a sparse write, holds none). */
    @Override
    public long spaceUsed(long contentId, long size) {
        Content c = files.get(contentId);
        return c == null ? 0 : (long) c.chunks.size() * chunkSize;
    }

    @Override
    public long usedBytes() {
        return used.get();
    }

    @Override
    public long capacityBytes() {
        return capacity;
    }

    /**
     * {@value Long#MAX_VALUE}: chunks are indexed by {@code offset / chunkSize}, a {@code long},
     * and allocated only where written, so any size is representable (capacity limits what is
     * written, not how large a sparse file may be).
     */
    @Override
    public long maxFileSize() {
        return Long.MAX_VALUE;
    }

    @Override
    public String kind() {
        return "memory";
    }

    @Override
    public void close() {
        closed = true;
        files.clear();
        used.set(0);
    }

    private void checkOpen() {
        if (closed) {
            throw new FsException(FsError.IO, "block store closed");
        }
    }

    private void checkOffset(long offset, long len) {
        if (offset < 0) {
            throw new FsException(FsError.INVALID, "negative offset " + offset);
        }
        if (len > maxFileSize() || offset > maxFileSize() - len) {
            throw new FsException(FsError.FILE_TOO_LARGE, "range " + offset + "+" + len + " past " + maxFileSize());
        }
    }
}
