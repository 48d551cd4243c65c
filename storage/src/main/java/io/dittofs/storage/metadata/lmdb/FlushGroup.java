package io.dittofs.storage.metadata.lmdb;

import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * Group commit of LMDB flushes ({@code mdb_env_sync}) with up to {@code overlap} flushes in
 * flight. A caller asks for every commit up to a sequence number to be durable. If a finished
 * flush covered it, it returns at once; if fewer than {@code overlap} flushes run, it starts one
 * right away instead of waiting for the running one to end (a flush covers only what was
 * committed before it started, so a caller that arrives during a flush would otherwise wait for
 * the rest of that flush and then a whole second one); otherwise it waits for a flush to end and
 * looks again. Every flush covers all commits made before it starts, so N concurrent callers
 * cost at most N flushes and usually far fewer.
 *
 * <p>An fdatasync covers the data written before it is called even while another fdatasync of
 * the same file runs (the kernel waits for pages already under writeback), so overlapping
 * flushes are safe: a caller's commit is durable once any flush that started after it ends.
 *
 * <p>Thread-safe. The flush runs without the lock held; waiters block on a condition (fine on
 * virtual threads). A failed flush wakes the waiters, which retry; its error goes to its caller.
 */
final class FlushGroup {
    /** The flush itself; throws to fail its caller. */
    @FunctionalInterface
    interface Flush {
        void run();
    }

    private final int overlap;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition done = lock.newCondition();
    /** Highest commit sequence covered by a successful flush; guarded by {@link #lock}. */
    private long durable;
    /** Flushes in flight; guarded by {@link #lock}. */
    private int running;
    /** No more flushes start; guarded by {@link #lock}. */
    private boolean shut;
    private long flushes;

    /** @param overlap most flushes in flight at once (at least 1; 1 is classic group commit) */
    FlushGroup(int overlap) {
        if (overlap < 1) {
            throw new IllegalArgumentException("overlap " + overlap);
        }
        this.overlap = overlap;
    }

    /** Whether commits up to {@code target} are known durable (no waiting, no flush). */
    boolean covered(long target) {
        lock.lock();
        try {
            return durable >= target;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Returns once a successful flush that started after commit {@code target} ended. {@code
     * upTo} gives the latest commit sequence when a flush starts (what it covers).
     *
     * @throws IllegalStateException if {@link #shutdown()} came first (the caller maps it)
     */
    void await(long target, LongSupplier upTo, Flush flush) {
        lock.lock();
        try {
            while (durable < target && running >= overlap && !shut) {
                done.awaitUninterruptibly();
            }
            if (durable >= target) {
                return;
            }
            if (shut) {
                throw new IllegalStateException("closed");
            }
            running++;
        } finally {
            lock.unlock();
        }
        boolean ok = false;
        long covers = 0;
        try {
            covers = upTo.getAsLong(); // read before the flush starts: every commit so far is in it
            flush.run();
            ok = true;
        } finally {
            lock.lock();
            try {
                running--;
                if (ok) {
                    durable = Math.max(durable, covers);
                    flushes++;
                }
                done.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    /** Flushes that succeeded so far. */
    long flushes() {
        lock.lock();
        try {
            return flushes;
        } finally {
            lock.unlock();
        }
    }

    /** Refuses new flushes and waits for the running ones to end. */
    void shutdown() {
        lock.lock();
        try {
            shut = true;
            done.signalAll();
            while (running > 0) {
                done.awaitUninterruptibly();
            }
        } finally {
            lock.unlock();
        }
    }
}
