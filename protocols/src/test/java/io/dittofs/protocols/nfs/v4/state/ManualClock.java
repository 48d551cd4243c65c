package io.dittofs.protocols.nfs.v4.state;

import java.time.Duration;
import java.util.function.LongSupplier;

/** A clock tests move by hand. Not thread-safe beyond volatile reads. */
final class ManualClock implements LongSupplier {
    private volatile long now = 1_000_000_000L;

    @Override
    public long getAsLong() {
        return now;
    }

    void advance(Duration d) {
        now += d.toNanos();
    }
}
