package io.dittofs.storage.block.file;

import java.nio.channels.FileChannel;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * One content file held open by {@link FileBlockStore}'s channel cache, with its per-file state.
 *
 * <p>Life cycle: users {@link #acquire()} it (fails once retired) and {@link #release()} it; the
 * cache closes it only after {@link #retireIfIdle()} succeeded, i.e. when nobody uses it, so a
 * positional read or write never sees its channel closed by an eviction.
 *
 * <p>Thread-safe: writes take {@link #rw}'s read lock (disjoint positional writes run in
 * parallel), truncate and delete its write lock; durability state is in {@link GroupSync}s.
 */
final class OpenFile {
    final long id;
    final FileChannel channel;
    /** Read: writers. Write: truncate and delete (they change the file's length or existence). */
    final ReentrantReadWriteLock rw = new ReentrantReadWriteLock();
    /** Group commit of the file's {@code fdatasync}; a change is a completed write or truncate. */
    final GroupSync data;
    /** The file's length as this store made it. */
    final AtomicLong size;
    /** Bytes of disk this file is counted for in the store's {@code usedBytes} (its last measured {@code st_blocks * 512}). */
    final AtomicLong allocated;
    /** Written or cut since {@link #allocated} was measured (it is in the cache's set of files to measure). */
    volatile boolean stale;
    /**
     * Generation of the fan-out directory's {@link GroupSync} that made this file's directory
     * entry (its creation); 0 once a directory force covered it.
     */
    final AtomicLong direntGen;
    /** Set under {@link #rw}'s write lock once the file is unlinked; users then start over. */
    volatile boolean deleted;
    /** CLOCK bit: used since the evictor last passed. */
    volatile boolean referenced = true;
    /** Users; -1 once retired. */
    private final AtomicInteger refs = new AtomicInteger();

    OpenFile(long id, FileChannel channel, long size, long allocated, boolean dataDirty, long direntGen) {
        this.id = id;
        this.channel = channel;
        this.size = new AtomicLong(size);
        this.allocated = new AtomicLong(allocated);
        this.data = new GroupSync(dataDirty);
        this.direntGen = new AtomicLong(direntGen);
    }

    /** Takes a use; false once retired (the caller looks the file up again). */
    boolean acquire() {
        while (true) {
            int r = refs.get();
            if (r < 0) {
                return false;
            }
            if (refs.compareAndSet(r, r + 1)) {
                referenced = true;
                return true;
            }
        }
    }

    void release() {
        refs.decrementAndGet();
    }

    /** Retires the file if nobody uses it; true means the caller now owns it and must close it. */
    boolean retireIfIdle() {
        return refs.compareAndSet(0, -1);
    }

    boolean retired() {
        return refs.get() < 0;
    }
}
