package io.dittofs.protocols.smb;

import java.net.InetAddress;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Rate-limits failed SMB logons per client address: after {@code maxFailures} failures within
 * {@code windowMillis}, further SESSION_SETUP attempts from that address fail with
 * STATUS_LOGON_FAILURE without the password being checked, until the window slides past them.
 * Counts every failure (for metrics). Thread-safe.
 */
public final class LogonLimiter {
    private final int maxFailures;
    private final long windowNanos;
    private final Map<InetAddress, ArrayDeque<Long>> failures = new ConcurrentHashMap<>();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();

    public LogonLimiter(int maxFailures, long windowMillis) {
        this.maxFailures = maxFailures;
        this.windowNanos = windowMillis * 1_000_000L;
    }

    /** True when a logon from {@code addr} may be attempted now. */
    public boolean allowed(InetAddress addr) {
        ArrayDeque<Long> q = failures.get(addr);
        if (q == null) {
            return true;
        }
        synchronized (q) {
            prune(q, System.nanoTime());
            boolean ok = q.size() < maxFailures;
            if (!ok) {
                refused.incrementAndGet();
            }
            return ok;
        }
    }

    public void failed(InetAddress addr) {
        failed.incrementAndGet();
        if (failures.size() > 100_000) {
            failures.clear(); // bounded memory under an address-spraying attack
        }
        ArrayDeque<Long> q = failures.computeIfAbsent(addr, a -> new ArrayDeque<>());
        synchronized (q) {
            long now = System.nanoTime();
            prune(q, now);
            q.addLast(now);
        }
    }

    private void prune(ArrayDeque<Long> q, long now) {
        while (!q.isEmpty() && now - q.peekFirst() > windowNanos) {
            q.removeFirst();
        }
        while (q.size() > maxFailures) {
            q.removeFirst();
        }
    }

    /** Failed logons since start. */
    public long failedCount() {
        return failed.get();
    }

    /** Logons refused by the limit since start. */
    public long refusedCount() {
        return refused.get();
    }
}
