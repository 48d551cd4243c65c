package io.dittofs.core.lock;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * The lock-reclaim grace period that follows a server start (NLM v4: XNFS "NLM v4" chapter 10,
 * NLM4_DENIED_GRACE_PERIOD; NFSv4: RFC 7530 section 9.6.2, NFS4ERR_GRACE): while it lasts only
 * reclaims of locks held before the restart are granted, so no new client can take a range a
 * returning client still believes it holds. One instance is shared by every protocol that reclaims.
 *
 * <p>It may also follow another protocol's grace ({@link #alsoWhile}): NLM stays in grace while
 * NFSv4 clients reclaim, whatever its own length.
 *
 * <p>Thread-safe: the end time is fixed at construction and may only be brought forward by
 * {@link #end()} (a volatile write).
 */
public final class GracePeriod {
    private final long startNanos = System.nanoTime();
    private final long lengthNanos;
    private volatile boolean ended;
    private volatile BooleanSupplier also = () -> false;

    /** A grace period of {@code length} starting now; {@link Duration#ZERO} for none. */
    public GracePeriod(Duration length) {
        if (length.isNegative()) {
            throw new IllegalArgumentException("negative grace period " + length);
        }
        this.lengthNanos = length.toNanos();
    }

    /** No grace period (tests, or a server that never held locks). */
    public static GracePeriod none() {
        return new GracePeriod(Duration.ZERO);
    }

    /** Whether the grace period is still running: its own time, or another one it follows. */
    public boolean inGrace() {
        return ownInGrace() || also.getAsBoolean();
    }

    /** Whether its own time is still running (not counting what it follows). */
    public boolean ownInGrace() {
        return !ended && System.nanoTime() - startNanos < lengthNanos;
    }

    /** Stays in grace, beyond its own end, while {@code other} holds (another protocol's grace). */
    public void alsoWhile(BooleanSupplier other) {
        also = other;
    }

    /** What is left of its own time (zero once over). */
    public Duration remaining() {
        if (ended) {
            return Duration.ZERO;
        }
        long left = lengthNanos - (System.nanoTime() - startNanos);
        return left <= 0 ? Duration.ZERO : Duration.ofNanos(left);
    }

    /** Ends it early (e.g. every known client has reclaimed). */
    public void end() {
        ended = true;
    }

    /** The configured length. */
    public Duration length() {
        return Duration.ofNanos(lengthNanos);
    }
}
