package io.dittofs.storage.block.file;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Group commit of one force action (an {@code fdatasync} of a file, an {@code fsync} of a
 * directory). Changes are counted: {@link #changed()} after each completed change returns its
 * generation; {@link #await(long, Force)} returns once a force that <em>started after</em> that
 * change completed has succeeded. A caller arriving while a force runs waits for it and, if it
 * was not covered by it, runs (or joins) the next one: N concurrent callers cost at most two
 * forces, and a caller with nothing new to force costs none.
 *
 * <p>Thread-safe. The force runs without the lock held; waiters block on a condition (fine on
 * virtual threads). A failed force wakes the waiters, one of which retries it.
 */
final class GroupSync {
    /** The action a group commit runs. */
    @FunctionalInterface
    interface Force {
        void run() throws IOException;
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition done = lock.newCondition();
    private final AtomicLong changes = new AtomicLong();
    /** Generation covered by the last successful force; guarded by {@link #lock}. */
    private long durable;
    /** A force is running; guarded by {@link #lock}. */
    private boolean running;

    /** Starts counting at {@code dirty ? 1 : 0} changes (1: something unforced is inherited). */
    GroupSync(boolean dirty) {
        changes.set(dirty ? 1 : 0);
    }

    /** Records a completed change; returns its generation (to pass to {@link #await}). */
    long changed() {
        return changes.incrementAndGet();
    }

    /** The generation of the latest completed change. */
    long current() {
        return changes.get();
    }

    /** Whether changes exist that no successful force has covered yet. */
    boolean dirty() {
        lock.lock();
        try {
            return durable < changes.get();
        } finally {
            lock.unlock();
        }
    }

    /** Returns once every change up to generation {@code target} is covered by a successful force. */
    void await(long target, Force force) throws IOException {
        lock.lock();
        try {
            while (durable < target && running) {
                done.awaitUninterruptibly();
            }
            if (durable >= target) {
                return;
            }
            running = true;
        } finally {
            lock.unlock();
        }
        long covers = changes.get(); // read before the force starts: everything counted so far is in it
        boolean ok = false;
        try {
            force.run();
            ok = true;
        } finally {
            lock.lock();
            try {
                running = false;
                if (ok) {
                    durable = Math.max(durable, covers);
                }
                done.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }
}
