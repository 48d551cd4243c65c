package io.dittofs.controlplane.api;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Limits login attempts per client address and per target username: each attempt takes a slot
 * in both sliding windows <em>before</em> the password is checked, so parallel guesses are
 * counted as they arrive, not after they fail. A failed attempt keeps its slots until they leave
 * the window; a successful one gives back only its own slots (it never wipes the failures of
 * other attempts, so a valid account does not buy an attacker fresh guesses). At most
 * {@code maxPerClient} attempts per address and {@code maxPerUser} per username are in a window;
 * beyond that every attempt is refused until the oldest leaves. Thread-safe: reservations are
 * made under one lock (they are cheap; the password check happens outside it).
 */
public final class LoginLimiter {
    /** Bound on remembered keys; beyond it expired windows are dropped, and if that is not enough, all. */
    private static final int MAX_KEYS = 100_000;

    private final boolean enabled;
    private final int maxPerClient;
    private final int maxPerUser;
    private final long windowNanos;
    private final Map<String, Deque<Long>> byClient = new HashMap<>();
    private final Map<String, Deque<Long>> byUser = new HashMap<>();

    public LoginLimiter(boolean enabled, int maxPerClient, int maxPerUser, long windowNanos) {
        this.enabled = enabled;
        this.maxPerClient = maxPerClient;
        this.maxPerUser = maxPerUser;
        this.windowNanos = windowNanos;
    }

    /** One reserved attempt: {@link #succeeded()} gives its slots back, otherwise they stay as a failure. */
    public final class Attempt {
        private final String client;
        private final String user;
        private final long stamp;

        private Attempt(String client, String user, long stamp) {
            this.client = client;
            this.user = user;
            this.stamp = stamp;
        }

        /** The password was right: this attempt no longer counts (other attempts' failures still do). */
        public void succeeded() {
            if (!enabled) {
                return;
            }
            synchronized (LoginLimiter.this) {
                release(byClient, client, stamp);
                release(byUser, user, stamp);
            }
        }
    }

    /** Thrown by {@link #reserve} when a window is full. */
    public static final class Limited extends Exception {
        private final long retryAfterSeconds;

        Limited(long retryAfterSeconds) {
            super("retry after " + retryAfterSeconds + " s", null, false, false);
            this.retryAfterSeconds = retryAfterSeconds;
        }

        public long retryAfterSeconds() {
            return retryAfterSeconds;
        }
    }

    /**
     * Takes a slot for one login attempt of {@code user} from {@code client}, before the password
     * is checked.
     *
     * @throws Limited when the address or the username has used up its attempts for now
     */
    public Attempt reserve(String client, String user) throws Limited {
        long now = System.nanoTime();
        if (!enabled) {
            return new Attempt(client, user, now);
        }
        synchronized (this) {
            bound(byClient, now);
            bound(byUser, now);
            Deque<Long> c = byClient.computeIfAbsent(client, k -> new ArrayDeque<>());
            Deque<Long> u = byUser.computeIfAbsent(user, k -> new ArrayDeque<>());
            long wait = Math.max(waitNanos(c, maxPerClient, now), waitNanos(u, maxPerUser, now));
            if (wait > 0) {
                throw new Limited(Math.max(1, (wait + 999_999_999L) / 1_000_000_000L));
            }
            c.addLast(now);
            u.addLast(now);
            return new Attempt(client, user, now);
        }
    }

    /** Nanoseconds until the window has a free slot, 0 if it has one now; drops expired stamps. */
    private long waitNanos(Deque<Long> d, int max, long now) {
        expire(d, now);
        return d.size() < max ? 0 : windowNanos - (now - d.peekFirst());
    }

    private void expire(Deque<Long> d, long now) {
        while (!d.isEmpty() && now - d.peekFirst() > windowNanos) {
            d.pollFirst();
        }
    }

    private static void release(Map<String, Deque<Long>> m, String key, long stamp) {
        Deque<Long> d = m.get(key);
        if (d != null) {
            d.removeFirstOccurrence(stamp);
            if (d.isEmpty()) {
                m.remove(key);
            }
        }
    }

    /** Keeps memory bounded under a flood of distinct addresses or names. */
    private void bound(Map<String, Deque<Long>> m, long now) {
        if (m.size() < MAX_KEYS) {
            return;
        }
        for (Iterator<Deque<Long>> it = m.values().iterator(); it.hasNext(); ) {
            Deque<Long> d = it.next();
            expire(d, now);
            if (d.isEmpty()) {
                it.remove();
            }
        }
        if (m.size() >= MAX_KEYS) {
            m.clear();
        }
    }
}
