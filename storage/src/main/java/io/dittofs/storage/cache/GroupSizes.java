package io.dittofs.storage.cache;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * How many force requests each WAL group commit served: a caller that asks for a force is counted
 * on arrival ({@link #arrived}); a force that starts ({@link #forcing}) serves everyone who arrived
 * since the previous one (their records were claimed before they asked, so the force covers them;
 * one that found its records already durable counts towards the next group). Kept as a histogram
 * over {@link #BOUNDS}. Thread-safe; {@link #forcing} is called by one forcer at a time.
 */
final class GroupSizes {
    /** Upper bounds of the histogram buckets (the last bucket, past 128, is unbounded). */
    static final long[] BOUNDS = {1, 2, 4, 8, 16, 32, 64, 128};

    private final AtomicLong arrivals = new AtomicLong();
    private final AtomicLongArray counts = new AtomicLongArray(BOUNDS.length + 1);
    private final AtomicLong sum = new AtomicLong();
    private long served;

    void arrived() {
        arrivals.incrementAndGet();
    }

    /** A force starts: records the size of the group it serves. Called under the force lock. */
    void forcing() {
        long now = arrivals.get();
        long size = Math.max(1, now - served);
        served = now;
        int i = 0;
        while (i < BOUNDS.length && size > BOUNDS[i]) {
            i++;
        }
        counts.incrementAndGet(i);
        sum.addAndGet(size);
    }

    /** Groups per bucket (not cumulative), the last one past the largest bound. */
    long[] counts() {
        long[] r = new long[counts.length()];
        for (int i = 0; i < r.length; i++) {
            r[i] = counts.get(i);
        }
        return r;
    }

    /** Requests served by all groups so far. */
    long sum() {
        return sum.get();
    }
}
