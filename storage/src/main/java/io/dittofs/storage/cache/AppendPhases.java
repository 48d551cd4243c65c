package io.dittofs.storage.cache;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Tells a forcing or recycling thread when every WAL append that had claimed a range before it
 * asked has finished its record, without a lock on the append path. An appender {@link #enter}s
 * the current phase (one of two counters) for the span of its claim and copy and {@link #exit}s
 * it afterwards; {@link #quiesce} flips the phase and waits for the old one to drain. Appenders
 * that enter after the flip count in the new phase, so a steady stream of them never holds a
 * quiesce up. An appender re-checks the phase after counting itself in, so one that read the
 * phase just before a flip never slips into a phase that is already being drained unseen.
 *
 * <p>Thread-safe; {@link #quiesce} callers must be serialised (the WAL's force lock).
 */
final class AppendPhases {
    private volatile int phase;
    private final AtomicLong[] active = {new AtomicLong(), new AtomicLong()};

    /** Counts the caller into the current phase; pass the result to {@link #exit}. */
    int enter() {
        while (true) {
            int p = phase;
            active[p].incrementAndGet();
            if (phase == p) {
                return p;
            }
            active[p].decrementAndGet();
        }
    }

    void exit(int p) {
        active[p].decrementAndGet();
    }

    /** Waits until every appender that entered before this call has exited. Never concurrent with itself. */
    void quiesce() {
        int p = phase;
        phase = 1 - p;
        for (int spins = 0; active[p].get() != 0; spins++) {
            if (spins < 100) {
                Thread.onSpinWait();
            } else if (spins < 200) {
                Thread.yield();
            } else {
                LockSupport.parkNanos(20_000);
            }
        }
    }
}
