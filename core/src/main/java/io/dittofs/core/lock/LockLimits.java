package io.dittofs.core.lock;

/**
 * Per-client caps of the {@link LockManager}. A client is one {@code (protocol, clientId)} pair.
 * Immutable.
 *
 * @param maxRangesPerClient locks + share reservations + pending waiters one client may hold
 * @param maxOwnersPerClient distinct owners one client may have holding or waiting for something
 */
public record LockLimits(int maxRangesPerClient, int maxOwnersPerClient) {
    /** 10,000 ranges and 10,000 owners per client. */
    public static final LockLimits DEFAULT = new LockLimits(10_000, 10_000);

    public LockLimits {
        if (maxRangesPerClient < 1 || maxOwnersPerClient < 1) {
            throw new IllegalArgumentException("lock limits must be positive");
        }
    }
}
