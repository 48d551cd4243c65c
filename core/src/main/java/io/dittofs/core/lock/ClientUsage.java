package io.dittofs.core.lock;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-client counters of the {@link LockManager}: owners and ranges (locks + reservations +
 * waiters) of each {@code (protocol, clientId)}, checked against {@link LockLimits}.
 *
 * <p>Thread-safe: each client's counters change inside {@link ConcurrentHashMap#compute} on that
 * client's key only; an entry disappears when both counters reach zero, so clients that come and
 * go leave nothing behind.
 */
final class ClientUsage {
    private record Key(String protocol, String clientId) {
    }

    private record Counts(int owners, int ranges) {
    }

    private final ConcurrentHashMap<Key, Counts> clients = new ConcurrentHashMap<>();
    private final LockLimits limits;

    ClientUsage(LockLimits limits) {
        this.limits = limits;
    }

    /** Adds {@code delta} ranges; with {@code enforce}, a rise past the cap throws and changes nothing. */
    void charge(LockOwner owner, int delta, boolean enforce) {
        if (delta == 0) {
            return;
        }
        clients.compute(key(owner), (k, c) -> {
            Counts cur = c == null ? new Counts(0, 0) : c;
            int next = cur.ranges() + delta;
            if (enforce && delta > 0 && next > limits.maxRangesPerClient()) {
                throw new LockLimitException("client " + k.clientId() + " (" + k.protocol()
                    + ") holds " + cur.ranges() + " locks/reservations, the limit is " + limits.maxRangesPerClient());
            }
            return orNull(new Counts(cur.owners(), Math.max(0, next)));
        });
    }

    void addOwner(LockOwner owner) {
        clients.compute(key(owner), (k, c) -> {
            Counts cur = c == null ? new Counts(0, 0) : c;
            if (cur.owners() >= limits.maxOwnersPerClient()) {
                throw new LockLimitException("client " + k.clientId() + " (" + k.protocol()
                    + ") has " + cur.owners() + " lock owners, the limit is " + limits.maxOwnersPerClient());
            }
            return new Counts(cur.owners() + 1, cur.ranges());
        });
    }

    void removeOwner(LockOwner owner) {
        clients.computeIfPresent(key(owner), (k, c) -> orNull(new Counts(Math.max(0, c.owners() - 1), c.ranges())));
    }

    int ranges(String protocol, String clientId) {
        Counts c = clients.get(new Key(protocol, clientId));
        return c == null ? 0 : c.ranges();
    }

    private static Counts orNull(Counts c) {
        return c.owners() == 0 && c.ranges() == 0 ? null : c;
    }

    private static Key key(LockOwner o) {
        return new Key(o.protocol(), o.clientId());
    }
}
