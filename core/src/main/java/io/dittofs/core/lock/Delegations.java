package io.dittofs.core.lock;

import io.dittofs.core.FsError;
import io.dittofs.core.FsException;

import java.util.ArrayList;
import java.time.Duration;
import java.util.HashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Protocol-neutral read caching grants on files: NFSv4 read delegations (RFC 8881 section 10.4),
 * and later SMB leases/oplocks (MS-SMB2 3.3.4.7, "lease break"). A holder may cache a file's data
 * and attributes and open it locally as long as nobody else changes it; before anybody else does,
 * the change must be announced by {@link #breakFor}, which asks every other holder to give its grant
 * back ({@link Recaller#recall}) and throws {@link FsError#JUKEBOX} (NFS4ERR_DELAY, NFS3ERR_JUKEBOX,
 * STATUS_SHARING_VIOLATION-like retry for SMB) while any such grant is still held: the caller retries
 * later. A holder that does not give its grant back within the protocol's limit loses it
 * ({@link #overdue}).
 *
 * <p>Who consults it: every protocol before it writes a file's data, changes its size, removes or
 * renames it, or opens it for writing, passing its own identity ({@code protocol}, {@code clientId})
 * so a holder's own changes never recall its own grant; NFSv3 passes no client (it conflicts with
 * every grant).
 *
 * <p>Bounds: at most {@code maxTotal} grants and {@code maxPerClient} per client; {@link #grant}
 * refuses beyond them (the protocol then simply grants no delegation).
 *
 * <p>Thread-safety: thread-safe; one monitor guards changes of the tables (grants are rare next to
 * I/O); a file without grants costs {@link #breakFor} one lock-free hash lookup. Recalls run outside it.
 */
public final class Delegations {
    /** Starts giving a grant back. Called outside any lock; must not block (send the recall, return). */
    @FunctionalInterface
    public interface Recaller {
        void recall(Grant g);
    }

    /**
     * One grant: a read delegation of one client on one file.
     *
     * <p>Thread-safety: identity is final; the recall time is guarded by the table's monitor and
     * read through a volatile.
     */
    public static final class Grant {
        private final long id;
        private final FileKey file;
        private final String protocol;
        private final String clientId;
        private final Recaller recaller;
        private volatile long recalledAt;

        private Grant(long id, FileKey file, String protocol, String clientId, Recaller recaller) {
            this.id = id;
            this.file = file;
            this.protocol = protocol;
            this.clientId = clientId;
            this.recaller = recaller;
        }

        public long id() {
            return id;
        }

        public FileKey file() {
            return file;
        }

        public String protocol() {
            return protocol;
        }

        public String clientId() {
            return clientId;
        }

        /** Whether a recall was started. */
        public boolean recalled() {
            return recalledAt != 0;
        }

        boolean heldBy(String p, String c) {
            return p != null && c != null && protocol.equals(p) && clientId.equals(c);
        }
    }

    private static final long BREAK_POLL_MILLIS = 20;
    private final LongSupplier clock;
    private final int maxTotal;
    private final int maxPerClient;
    private final AtomicLong ids = new AtomicLong();
    /** Changed under the monitor; read without it by the fast path of {@link #breakFor}. */
    private final Map<FileKey, List<Grant>> byFile = new ConcurrentHashMap<>();
    private final Map<String, Integer> perClient = new HashMap<>();
    private volatile int total;

    /**
     * @param clock        nanosecond clock of recall times
     * @param maxTotal     grants at most, over all clients
     * @param maxPerClient grants at most per client
     */
    public Delegations(LongSupplier clock, int maxTotal, int maxPerClient) {
        if (maxTotal < 0 || maxPerClient < 0) {
            throw new IllegalArgumentException("negative bound");
        }
        this.clock = Objects.requireNonNull(clock);
        this.maxTotal = maxTotal;
        this.maxPerClient = maxPerClient;
    }

    /** 4,096 grants in total, 1,024 per client, on {@link System#nanoTime}. */
    public static Delegations defaults() {
        return new Delegations(System::nanoTime, 4096, 1024);
    }

    /**
     * Grants a read delegation unless a grant on the file is being recalled (a change waits for it)
     * or a bound is reached. The caller checks the file has no conflicting opens (share reservations
     * for writing) under its own rules first.
     *
     * @return the grant, or null when refused
     */
    public synchronized Grant grant(FileKey file, String protocol, String clientId, Recaller recaller) {
        List<Grant> l = byFile.get(file);
        if (l != null) {
            for (Grant g : l) {
                if (g.recalled()) {
                    return null;
                }
            }
        }
        String ck = clientKey(protocol, clientId);
        int mine = perClient.getOrDefault(ck, 0);
        if (total >= maxTotal || mine >= maxPerClient) {
            return null;
        }
        Grant g = new Grant(ids.incrementAndGet(), file, protocol, clientId, recaller);
        byFile.computeIfAbsent(file, k -> new ArrayList<>(2)).add(g);
        perClient.put(ck, mine + 1);
        total++;
        return g;
    }

    /**
     * Announces a change of {@code file} by ({@code protocol}, {@code clientId}) (null: an anonymous
     * caller that conflicts with every grant): recalls every other holder's grant not yet recalled.
     *
     * @throws FsException JUKEBOX while any other holder still has a grant on the file
     */
    public void breakFor(FileKey file, String protocol, String clientId) {
        if (total == 0 || !byFile.containsKey(file)) {
            return; // the common case costs no lock: no grant on the file
        }
        List<Grant> toRecall;
        synchronized (this) {
            List<Grant> l = byFile.get(file);
            if (l == null) {
                return;
            }
            toRecall = new ArrayList<>(l.size());
            boolean conflict = false;
            for (Grant g : l) {
                if (g.heldBy(protocol, clientId)) {
                    continue;
                }
                conflict = true;
                if (!g.recalled()) {
                    g.recalledAt = clock.getAsLong() | 1;
                    toRecall.add(g);
                }
            }
            if (!conflict) {
                return;
            }
        }
        for (Grant g : toRecall) {
            g.recaller.recall(g);
        }
        throw new FsException(FsError.JUKEBOX, "delegation of " + file + " being recalled");
    }

    /**
     * {@link #breakFor}, then waits up to {@code max} for the recalled holders to give their grants
     * back (polling; for protocols whose clients expect the server to hold the request during a break,
     * as SMB does for oplock/lease breaks, MS-SMB2 3.3.4.7).
     *
     * @throws FsException JUKEBOX when grants are still held after {@code max}
     */
    public void breakAndWait(FileKey file, String protocol, String clientId, Duration max) {
        long deadline = System.nanoTime() + max.toNanos();
        while (true) {
            try {
                breakFor(file, protocol, clientId);
                return;
            } catch (FsException e) {
                if (System.nanoTime() - deadline > 0) {
                    throw e;
                }
            }
            try {
                Thread.sleep(BREAK_POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new FsException(FsError.JUKEBOX, "interrupted waiting for a delegation recall");
            }
        }
    }

    /** Whether any grant is held on the file (by anybody). */
    public synchronized boolean held(FileKey file) {
        return byFile.containsKey(file);
    }

    /** The grant was given back (or is dropped with its client); false if it was no longer held. */
    public synchronized boolean release(Grant g) {
        List<Grant> l = byFile.get(g.file);
        if (l == null || !l.remove(g)) {
            return false;
        }
        if (l.isEmpty()) {
            byFile.remove(g.file);
        }
        String ck = clientKey(g.protocol, g.clientId);
        int left = perClient.getOrDefault(ck, 1) - 1;
        if (left <= 0) {
            perClient.remove(ck);
        } else {
            perClient.put(ck, left);
        }
        total--;
        return true;
    }

    /**
     * Takes away every grant whose recall started more than {@code limitNanos} ago (the holder did not
     * give it back in time) and returns them, so the protocol can tell their holders they lost them.
     */
    public List<Grant> overdue(long limitNanos) {
        long now = clock.getAsLong();
        List<Grant> late = new ArrayList<>();
        synchronized (this) {
            for (List<Grant> l : byFile.values()) {
                for (Grant g : l) {
                    long at = g.recalledAt;
                    if (at != 0 && now - at > limitNanos) {
                        late.add(g);
                    }
                }
            }
            for (Grant g : late) {
                release(g);
            }
        }
        return late;
    }

    /** Whether any grant is held at all (lock-free; callers skip work such as a lookup when not). */
    public boolean any() {
        return total != 0;
    }

    /** Grants held in total. */
    public synchronized int count() {
        return total;
    }

    /** Grants held by one client. */
    public synchronized int count(String protocol, String clientId) {
        return perClient.getOrDefault(clientKey(protocol, clientId), 0);
    }

    private static String clientKey(String protocol, String clientId) {
        return protocol + '\0' + clientId;
    }
}
