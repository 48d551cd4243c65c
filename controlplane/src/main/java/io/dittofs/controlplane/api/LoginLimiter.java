package io.dittofs.controlplane.api;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Limits failed logins per client address: at most {@code maxFailures} in a sliding window;
 * beyond that every attempt is refused until the oldest failure leaves the window. Thread-safe.
 */
public final class LoginLimiter {
    private final int maxFailures;
    private final long windowNanos;
    private final boolean enabled;
    private final Map<String, Deque<Long>> failures = new ConcurrentHashMap<>();

    public LoginLimiter(boolean enabled, int maxFailures, long windowNanos) {
        this.enabled = enabled;
        this.maxFailures = maxFailures;
        this.windowNanos = windowNanos;
    }

    /** Seconds until {@code client} may try again, or 0 if it may now. */
    public long retryAfter(String client) {
        if (!enabled) {
            return 0;
        }
        Deque<Long> d = failures.get(client);
        if (d == null) {
            return 0;
        }
        synchronized (d) {
            long now = System.nanoTime();
            while (!d.isEmpty() && now - d.peekFirst() > windowNanos) {
                d.pollFirst();
            }
            if (d.size() < maxFailures) {
                return 0;
            }
            return Math.max(1, (windowNanos - (now - d.peekFirst())) / 1_000_000_000L);
        }
    }

    public void failed(String client) {
        if (!enabled) {
            return;
        }
        if (failures.size() > 100_000) {
            failures.clear(); // bound memory under a flood of addresses
        }
        Deque<Long> d = failures.computeIfAbsent(client, k -> new ArrayDeque<>());
        synchronized (d) {
            d.addLast(System.nanoTime());
            while (d.size() > maxFailures) {
                d.pollFirst();
            }
        }
    }

    public void succeeded(String client) {
        failures.remove(client);
    }
}
