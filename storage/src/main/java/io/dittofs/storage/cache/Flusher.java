package io.dittofs.storage.cache;

import io.dittofs.core.spi.BlockStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The write-back cache's background flusher. Each round applies every file's pending
 * TRUNCATE/DELETE/DEALLOCATE changes to the block store, writes its dirty extents (adjacent ones joined),
 * syncs the file there, and only then drops the extents and changes, so the WAL segments that
 * describe them become recyclable; then it recycles the oldest free segments.
 *
 * <p>It never gives up: a round that fails (ENOSPC, EIO, a remote store that is down) is
 * retried after a capped exponential backoff ({@code base * 2^(n-1)}, at most {@code cap}),
 * while writers keep filling the WAL up to its bound and then wait. One WARN line marks the
 * start of a failure episode and one INFO line its end; the state is readable through
 * {@link #failingSinceMs()} and friends for metrics and the control plane.
 *
 * <p>Thread-safe: one flusher thread; {@link #flushAll} is synchronized, so a caller (close,
 * tests) and the thread never flush at the same time.
 */
final class Flusher {
    private static final Logger LOG = LoggerFactory.getLogger(Flusher.class);
    /** Largest run of adjacent dirty extents written to the backing store in one call. */
    private static final long MAX_RUN = 8L << 20;

    private final BlockStore backing;
    private final Wal wal;
    private final Map<Long, DirtyFile> files;
    private final long intervalMs;
    private final long backoffBaseMs;
    private final long backoffCapMs;
    private final ReentrantLock wakeLock = new ReentrantLock();
    private final Condition wake = wakeLock.newCondition();
    private final Thread thread;
    private volatile boolean running = true;
    private final AtomicLong flushes = new AtomicLong();
    private final AtomicLong flushedBytes = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private volatile long failingSinceMs;
    private volatile String lastError = "";
    private volatile long retryDelayMs;
    /** Failed rounds in the current episode; only the flusher thread touches it. */
    private int failedRounds;
    /** The buffer for joining runs; only used inside {@link #flushAll}, which is not concurrent. */
    private MemorySegment runBuffer;

    Flusher(BlockStore backing, Wal wal, Map<Long, DirtyFile> files, WriteBackCache.Options options) {
        this.backing = backing;
        this.wal = wal;
        this.files = files;
        this.intervalMs = options.flushIntervalMs();
        this.backoffBaseMs = Math.max(1, options.backoffBaseMs());
        this.backoffCapMs = Math.max(backoffBaseMs, options.backoffCapMs());
        this.thread = Thread.ofPlatform().name("cache-flusher").daemon(true).unstarted(this::loop);
    }

    private final java.util.concurrent.CountDownLatch stopped = new java.util.concurrent.CountDownLatch(1);

    void start() {
        thread.start();
    }

    /** The delay before retry number {@code failedRounds} (1 = after the first failure): {@code base * 2^(n-1)}, capped. */
    static long backoffMs(int failedRounds, long baseMs, long capMs) {
        int shift = Math.min(Math.max(failedRounds - 1, 0), 30);
        return Math.min(capMs, baseMs << shift);
    }

    void wake() {
        wakeLock.lock();
        try {
            wake.signalAll();
        } finally {
            wakeLock.unlock();
        }
    }

    private void loop() {
        while (running) {
            try {
                wakeLock.lock();
                try {
                    if (running) {
                        wake.await(intervalMs, TimeUnit.MILLISECONDS);
                    }
                } finally {
                    wakeLock.unlock();
                }
                if (!running) {
                    return; // close() runs the last round itself; a simulated crash runs none
                }
                flushAll();
                recovered();
            } catch (InterruptedException e) {
                if (!running) {
                    return;
                }
            } catch (RuntimeException | Error e) {
                long delay = failed(e);
                try {
                    // not cut short by WAL pressure (a failing store is not hammered), only by stop()
                    if (stopped.await(delay, TimeUnit.MILLISECONDS)) {
                        return;
                    }
                } catch (InterruptedException ie) {
                    if (!running) {
                        return;
                    }
                }
            }
        }
    }

    private long failed(Throwable e) {
        failedRounds++;
        errors.incrementAndGet();
        lastError = String.valueOf(e.getMessage() == null ? e.toString() : e.getMessage());
        long delay = backoffMs(failedRounds, backoffBaseMs, backoffCapMs);
        retryDelayMs = delay;
        if (failingSinceMs == 0) {
            failingSinceMs = System.currentTimeMillis();
            LOG.warn("cache flush to the {} block store is failing; retrying with backoff ({} ms up to {} ms); "
                    + "writes continue into the WAL and wait when it is full, nothing is dropped", backing.kind(),
                    backoffBaseMs, backoffCapMs, e);
        } else {
            LOG.debug("cache flush retry {} failed: {}", failedRounds, lastError);
        }
        return delay;
    }

    private void recovered() {
        if (failingSinceMs != 0) {
            LOG.info("cache flush to the {} block store recovered after {} failed attempts in {} ms", backing.kind(),
                    failedRounds, System.currentTimeMillis() - failingSinceMs);
            failingSinceMs = 0;
            retryDelayMs = 0;
            failedRounds = 0;
        }
    }

    /**
     * One round over every file with dirty state, then recycling of the WAL's oldest segments.
     * A file that fails does not stop the others; the first failure is rethrown at the end.
     */
    synchronized void flushAll() {
        RuntimeException first = null;
        for (Map.Entry<Long, DirtyFile> en : files.entrySet()) {
            try {
                flushFile(en.getKey(), en.getValue());
            } catch (RuntimeException e) {
                if (first == null) {
                    first = e;
                }
            }
        }
        wal.releaseMemory(); // what was read since the last round leaves the resident set
        if (wal.segmentCount() > 1) {
            wal.recycle();
        }
        if (first != null) {
            throw first;
        }
    }

    /**
     * Applies a file's pending TRUNCATE/DELETE changes to the block store right away, in the
     * caller (after a flush of the file that runs), unless the store is failing: then the flusher
     * does it later. They stay pending, and their records in the WAL, until a flush has synced
     * them; the flusher applying them again before any later data is harmless.
     */
    void applyEagerly(long id, DirtyFile f) {
        if (failingSinceMs != 0) {
            return;
        }
        f.flushLock.lock();
        try {
            List<DirtyFile.Change> changes;
            f.rw.readLock().lock();
            try {
                changes = List.copyOf(f.changes);
            } finally {
                f.rw.readLock().unlock();
            }
            apply(id, changes);
        } catch (RuntimeException e) {
            LOG.debug("applying a truncate/delete of {} failed; the flusher retries it: {}", id, e.toString());
        } finally {
            f.flushLock.unlock();
        }
    }

    private void apply(long id, List<DirtyFile.Change> changes) {
        for (DirtyFile.Change c : changes) {
            if (c.type() == Wal.DELETE) {
                backing.delete(id);
            } else if (c.type() == Wal.DEALLOCATE) {
                backing.deallocate(id, c.size(), c.length());
            } else {
                backing.truncate(id, c.size());
            }
        }
    }

    private void flushFile(long id, DirtyFile f) {
        f.flushLock.lock();
        try {
            List<DirtyFile.Extent> snap;
            List<DirtyFile.Change> changes;
            f.rw.readLock().lock();
            try {
                snap = new ArrayList<>(f.extents.values());
                changes = List.copyOf(f.changes);
            } finally {
                f.rw.readLock().unlock();
            }
            apply(id, changes);
            if (!snap.isEmpty()) {
                writeCoalesced(id, snap);
            }
            if (!snap.isEmpty() || !changes.isEmpty()) {
                backing.sync(id); // writes, truncates and deletes alike are durable before their records may go
            }
            if (!snap.isEmpty()) {
                long n = 0;
                for (DirtyFile.Extent e : snap) {
                    n += e.len();
                }
                flushes.incrementAndGet();
                flushedBytes.addAndGet(n);
            }
            forget(id, f, snap, changes);
        } finally {
            f.flushLock.unlock();
        }
    }

    /** Drops what was flushed and synced: the snapshot's extents still current and the applied changes (the list's head). */
    private void forget(long id, DirtyFile f, List<DirtyFile.Extent> snap, List<DirtyFile.Change> changes) {
        f.rw.writeLock().lock();
        try {
            for (DirtyFile.Extent e : snap) {
                if (f.extents.get(e.off()) == e) {
                    f.extents.remove(e.off());
                    e.seg().liveBytes.addAndGet(-e.len());
                }
            }
            f.changes.subList(0, changes.size()).clear();
            for (DirtyFile.Change c : changes) {
                c.seg().pendingChanges.decrementAndGet();
            }
            if (f.isClean() && !f.removed) {
                f.removed = true;
                files.remove(id, f);
            }
        } finally {
            f.rw.writeLock().unlock();
        }
    }

    private MemorySegment runBuffer() {
        if (runBuffer == null) {
            runBuffer = Arena.ofAuto().allocate(MAX_RUN, 64);
        }
        return runBuffer;
    }

    /**
     * Writes the extents (in offset order) to the backing store, joining runs of adjacent extents
     * into one write so a block store gets whole blocks instead of many small read-modify-writes.
     */
    private void writeCoalesced(long id, List<DirtyFile.Extent> extents) {
        int i = 0;
        while (i < extents.size()) {
            DirtyFile.Extent first = extents.get(i);
            int j = i + 1;
            long end = first.end();
            while (j < extents.size() && extents.get(j).off() == end && end - first.off() + extents.get(j).len() <= MAX_RUN) {
                end = extents.get(j).end();
                j++;
            }
            if (j == i + 1) {
                backing.write(id, first.off(), first.seg().map.asSlice(first.pos(), first.len()));
            } else {
                MemorySegment run = runBuffer().asSlice(0, end - first.off());
                for (int k = i; k < j; k++) {
                    DirtyFile.Extent e = extents.get(k);
                    MemorySegment.copy(e.seg().map, e.pos(), run, e.off() - first.off(), e.len());
                }
                backing.write(id, first.off(), run);
            }
            for (int k = i; k < j; k++) { // read once: drop the pages again, a long round must not pile them up
                DirtyFile.Extent e = extents.get(k);
                if (e.seg().sealed()) { // the current segment is dropped whole when appends leave it
                    e.seg().map.asSlice(e.pos(), e.len()).unload();
                }
            }
            i = j;
        }
    }

    /**
     * Stops the thread (a backoff wait ends at once) and waits up to {@code joinMs} for it. Never
     * by an interrupt: one landing inside a flush round makes the backing store's client abort the
     * upload in flight (the AWS SDK throws {@code SdkInterruptedException}), a failure that is not
     * the store's (it made close() skip the last flush and left a fresh S3 store reading zeros).
     */
    void stop(long joinMs) {
        running = false;
        stopped.countDown();
        wake();
        try {
            thread.join(joinMs);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    boolean isAlive() {
        return thread.isAlive();
    }

    long flushes() {
        return flushes.get();
    }

    long flushedBytes() {
        return flushedBytes.get();
    }

    /** Failed flush rounds since start. */
    long errors() {
        return errors.get();
    }

    /** When the current failure episode began (epoch ms), 0 while flushing works. */
    long failingSinceMs() {
        return failingSinceMs;
    }

    /** The message of the latest failure ("" before any). */
    String lastError() {
        return lastError;
    }

    /** The wait before the next retry while failing, 0 while flushing works. */
    long retryDelayMs() {
        return retryDelayMs;
    }
}
