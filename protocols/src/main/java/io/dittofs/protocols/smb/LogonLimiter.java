package io.dittofs.protocols.smb;

import java.net.InetAddress;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Rate-limits failed SMB logons per client address and per account name: after
 * {@code maxFailures} failures within {@code windowMillis} from one address, further
 * SESSION_SETUP attempts from it fail with STATUS_LOGON_FAILURE before any password is checked;
 * after as many failures for one account name (from anywhere), logons to that account fail even
 * with the right password, until the window slides past them. Counts every failure by reason
 * (from the fixed set {@link #REASONS}) for metrics. Memory is bounded: each table is cleared when
 * it passes 100,000 keys (an address- or name-spraying attack then only resets the windows).
 *
 * <p>Thread-safe.
 */
public final class LogonLimiter {
    /** The failure reasons counted; {@code rate_limited} is a logon refused by this limiter. */
    public static final Set<String> REASONS = Set.of("bad_password", "unknown_user", "disabled", "refused",
            "malformed", "rate_limited");
    private static final int MAX_KEYS = 100_000;

    private final int maxFailures;
    private final long windowNanos;
    private final Map<InetAddress, ArrayDeque<Long>> byAddress = new ConcurrentHashMap<>();
    private final Map<String, ArrayDeque<Long>> byUser = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> counts = new ConcurrentHashMap<>();

    /**
     * @param maxFailures  failures allowed per address and per account within the window (at least 1)
     * @param windowMillis the sliding window
     */
    public LogonLimiter(int maxFailures, long windowMillis) {
        if (maxFailures < 1 || windowMillis < 1) {
            throw new IllegalArgumentException("logon limit " + maxFailures + " per " + windowMillis + " ms");
        }
        this.maxFailures = maxFailures;
        this.windowNanos = windowMillis * 1_000_000L;
        for (String r : REASONS) {
            counts.put(r, new AtomicLong());
        }
    }

    /** True when a logon from {@code addr} may be attempted now. */
    public boolean allowed(InetAddress addr) {
        return under(byAddress.get(addr));
    }

    /** True when a logon to account {@code user} may succeed now (case-insensitive, as SMB names). */
    public boolean allowedUser(String user) {
        return user == null || under(byUser.get(key(user)));
    }

    private boolean under(ArrayDeque<Long> q) {
        if (q == null) {
            return true;
        }
        synchronized (q) {
            prune(q, System.nanoTime());
            return q.size() < maxFailures;
        }
    }

    /** Records a failed logon from {@code addr} for {@code user} (null: no name decoded) with a reason of {@link #REASONS}. */
    public void failed(InetAddress addr, String user, String reason) {
        counts.getOrDefault(reason, counts.get("malformed")).incrementAndGet();
        record(byAddress, addr);
        if (user != null && !user.isEmpty()) {
            record(byUser, key(user));
        }
    }

    private <K> void record(Map<K, ArrayDeque<Long>> table, K key) {
        if (table.size() > MAX_KEYS) {
            table.clear();
        }
        ArrayDeque<Long> q = table.computeIfAbsent(key, a -> new ArrayDeque<>());
        synchronized (q) {
            long now = System.nanoTime();
            prune(q, now);
            q.addLast(now);
        }
    }

    private static String key(String user) {
        return user.toLowerCase(Locale.ROOT);
    }

    private void prune(ArrayDeque<Long> q, long now) {
        while (!q.isEmpty() && now - q.peekFirst() > windowNanos) {
            q.removeFirst();
        }
        while (q.size() > maxFailures) {
            q.removeFirst();
        }
    }

    /** Failed logons since start, by reason (every reason of {@link #REASONS}, sorted). */
    public Map<String, Long> failures() {
        Map<String, Long> out = new LinkedHashMap<>();
        REASONS.stream().sorted().forEach(r -> out.put(r, counts.get(r).get()));
        return out;
    }

    /** Failed logons since start, all reasons. */
    public long failedCount() {
        return counts.values().stream().mapToLong(AtomicLong::get).sum();
    }

    /** Logons refused by the limit since start. */
    public long refusedCount() {
        return counts.get("rate_limited").get();
    }
}
