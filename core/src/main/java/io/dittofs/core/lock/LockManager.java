package io.dittofs.core.lock;

import io.dittofs.core.lock.FileLocks.Held;
import io.dittofs.core.lock.FileLocks.Reservation;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The one byte-range lock and share-reservation manager of the server, protocol-neutral: NLM
 * (NFSv3), NFSv4 and SMB all lock through it, so a lock taken over one protocol conflicts with
 * the same range locked over another.
 *
 * <p>Byte ranges follow POSIX advisory record locks (IEEE 1003.1 {@code fcntl}), which is what
 * NLM v4 (XNFS "NLM v4"), NFSv4 (RFC 7530 section 9.1.4 / RFC 8881 section 9) and SMB2 LOCK
 * (MS-SMB2 3.3.5.14) need: an owner's own locks never conflict with each other; a new lock
 * replaces the overlapped parts of the owner's locks of the other type (upgrade/downgrade) and
 * merges with touching locks of the same type; an unlock may split a lock; READ locks of different
 * owners are compatible, anything with a WRITE is not. Share reservations are NFSv4 OPEN
 * {@code share_access}/{@code share_deny} (RFC 7530 section 9.9) with bits {@link #ACCESS_READ}
 * and {@link #ACCESS_WRITE}, and SMB CREATE's DesiredAccess/ShareAccess with {@link #ACCESS_DELETE} too.
 *
 * <p>Blocking requests ({@link #lockWhenFree}) queue a {@link Waiter} per file; whenever a
 * file's locks change, queued waiters are granted in FIFO order (a later waiter never overtakes an
 * earlier one it conflicts with) and each granted callback runs on its own virtual thread.
 *
 * <p>Bounds: every client ({@code protocol}, {@code clientId}) is capped by {@link LockLimits}
 * (owners; ranges = locks + reservations + queued waiters); exceeding a cap throws
 * {@link LockLimitException} and changes nothing. A waiter's grant may put its client one or two
 * ranges over the cap (it was admitted when it queued).
 *
 * <p>Thread-safety: thread-safe. Each file's state is guarded by one of {@value #STRIPES}
 * {@link ReentrantLock} stripes chosen by the {@link FileKey}'s hash, never by a global lock;
 * per-client counters change atomically in a {@link ConcurrentHashMap}. Callbacks run outside
 * any lock.
 */
public final class LockManager {
    /** Share access/deny bit: read (NFSv4 OPEN4_SHARE_ACCESS_READ, SMB FILE_SHARE_READ sense). */
    public static final int ACCESS_READ = 1;
    /** Share access/deny bit: write (NFSv4 OPEN4_SHARE_ACCESS_WRITE). */
    public static final int ACCESS_WRITE = 2;
    /**
     * Share access/deny bit: delete or rename (SMB DELETE access / FILE_SHARE_DELETE, MS-FSA
     * 2.1.5.1.2). NFSv4 never sets it, so it only ever conflicts between SMB opens.
     */
    public static final int ACCESS_DELETE = 4;

    private static final int STRIPES = 256;

    private final ReentrantLock[] stripes = new ReentrantLock[STRIPES];
    private final ConcurrentHashMap<FileKey, FileLocks> files = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<LockOwner, Set<FileKey>> ownerFiles = new ConcurrentHashMap<>();
    private final ClientUsage usage;
    private final Delegations delegations;

    public LockManager() {
        this(LockLimits.DEFAULT);
    }

    public LockManager(LockLimits limits) {
        this(limits, Delegations.defaults());
    }

    /** A lock manager whose files' read caching grants (NFSv4 delegations, SMB leases) are {@code delegations}. */
    public LockManager(LockLimits limits, Delegations delegations) {
        this.delegations = delegations;
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new ReentrantLock();
        }
        this.usage = new ClientUsage(limits);
    }

    /**
     * The read caching grants on files (NFSv4 delegations; SMB leases later) that every protocol
     * consults through {@link Delegations#breakFor} before it changes a file.
     */
    public Delegations delegations() {
        return delegations;
    }

    /**
     * Non-blocking lock: grants (merging/splitting the owner's own ranges, upgrade/downgrade) or
     * returns the first conflicting lock of another owner.
     *
     * @throws io.dittofs.core.FsException INVALID when offset + length overflows 64 bits
     * @throws LockLimitException when the client is at its cap
     */
    public Optional<Conflict> lock(FileKey file, LockOwner owner, LockType type, long offset, long length) {
        LockRange r = new LockRange(offset, length);
        List<Waiter> granted;
        ReentrantLock l = stripe(file);
        l.lock();
        try {
            FileLocks fl = files.computeIfAbsent(file, k -> new FileLocks());
            Held c = fl.conflict(owner, type, r.start(), r.end());
            if (c != null) {
                dropIfEmpty(file, fl);
                return Optional.of(c.asConflict());
            }
            List<Held> plan = fl.plan(owner, type, r.start(), r.end());
            admit(owner, file, fl, plan.size() - fl.held.size());
            fl.commit(plan);
            granted = grantWaiters(fl);
        } finally {
            l.unlock();
        }
        Waiter.runCallbacks(granted);
        return Optional.empty();
    }

    /** NLM TEST / NFSv4 LOCKT: the conflict {@link #lock} would meet, without taking anything. */
    public Optional<Conflict> test(FileKey file, LockOwner owner, LockType type, long offset, long length) {
        LockRange r = new LockRange(offset, length);
        return withFile(file, fl -> {
            Held c = fl.conflict(owner, type, r.start(), r.end());
            return c == null ? Optional.<Conflict>empty() : Optional.of(c.asConflict());
        }, Optional.empty());
    }

    /**
     * Unlocks {@code [offset, offset+length)} of the owner's locks (POSIX: parts outside stay,
     * a lock around the range splits in two). Unlocking what is not locked is not an error.
     *
     * @throws LockLimitException when a split would put the client over its range cap
     */
    public void unlock(FileKey file, LockOwner owner, long offset, long length) {
        LockRange r = new LockRange(offset, length);
        List<Waiter> granted = List.of();
        ReentrantLock l = stripe(file);
        l.lock();
        try {
            FileLocks fl = files.get(file);
            if (fl != null) {
                List<Held> plan = fl.planUnlock(owner, r.start(), r.end());
                int delta = plan.size() - fl.held.size();
                usage.charge(owner, delta, true);
                fl.commit(plan);
                forgetIfIdle(owner, file, fl);
                granted = grantWaiters(fl);
                dropIfEmpty(file, fl);
            }
        } finally {
            l.unlock();
        }
        Waiter.runCallbacks(granted);
    }

    /**
     * Blocking lock: queues a waiter that is granted once nothing of another owner stands in the
     * way (at once if the range is free). When granted the lock is recorded for the owner and then
     * {@code granted} runs on a new virtual thread.
     *
     * @throws LockLimitException when the client is at its cap (nothing is queued)
     */
    public Waiter lockWhenFree(FileKey file, LockOwner owner, LockType type, long offset, long length,
                               Runnable granted) {
        Waiter w = new Waiter(this, file, owner, type, new LockRange(offset, length), granted);
        List<Waiter> done;
        ReentrantLock l = stripe(file);
        l.lock();
        try {
            FileLocks fl = files.computeIfAbsent(file, k -> new FileLocks());
            admit(owner, file, fl, 1);
            fl.waiters.add(w);
            done = grantWaiters(fl);
            if (done.contains(w)) {
                w.markGranted(true);
            }
        } finally {
            l.unlock();
        }
        Waiter.runCallbacks(done);
        return w;
    }

    boolean cancel(Waiter w) {
        List<Waiter> granted;
        ReentrantLock l = stripe(w.file());
        l.lock();
        try {
            FileLocks fl = files.get(w.file());
            if (w.state() != Waiter.State.WAITING || fl == null || !fl.waiters.remove(w)) {
                return false;
            }
            w.markCancelled();
            usage.charge(w.owner(), -1, false);
            forgetIfIdle(w.owner(), w.file(), fl);
            granted = grantWaiters(fl);
            dropIfEmpty(w.file(), fl);
        } finally {
            l.unlock();
        }
        Waiter.runCallbacks(granted);
        return true;
    }

    /** Drops every lock, share reservation and queued waiter of the owner (waiters are cancelled). */
    public void releaseAll(LockOwner owner) {
        Set<FileKey> held = ownerFiles.get(owner);
        if (held == null) {
            return;
        }
        for (FileKey file : List.copyOf(held)) {
            List<Waiter> granted = List.of();
            ReentrantLock l = stripe(file);
            l.lock();
            try {
                FileLocks fl = files.get(file);
                if (fl != null) {
                    int n = fl.removeOwner(owner);
                    List<Waiter> gone = fl.removeWaiters(owner);
                    gone.forEach(Waiter::markCancelled);
                    usage.charge(owner, -(n + gone.size()), false);
                    forgetIfIdle(owner, file, fl);
                    granted = grantWaiters(fl);
                    dropIfEmpty(file, fl);
                }
            } finally {
                l.unlock();
            }
            Waiter.runCallbacks(granted);
        }
    }

    /** {@link #releaseAll} for every owner of one client (NLM FREE_ALL, SM_NOTIFY, lease expiry). */
    public void releaseClient(String protocol, String clientId) {
        for (LockOwner o : List.copyOf(ownerFiles.keySet())) {
            if (o.protocol().equals(protocol) && o.clientId().equals(clientId)) {
                releaseAll(o);
            }
        }
    }

    /** Whether the owner holds at least one byte-range lock (NFSv4 RELEASE_LOCKOWNER's LOCKS_HELD). */
    public boolean hasLocks(LockOwner owner) {
        Set<FileKey> fs = ownerFiles.get(owner);
        if (fs == null) {
            return false;
        }
        for (FileKey file : List.copyOf(fs)) {
            if (withFile(file, fl -> fl.held.stream().anyMatch(h -> h.owner().equals(owner)), false)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Sets the opener's share reservation on the file to exactly {@code access}/{@code deny}
     * (replacing one it had: OPEN upgrade passes the union, OPEN_DOWNGRADE the reduced bits), or
     * returns the reservation of another opener that refuses it: its access meets our deny, or
     * its deny meets our access.
     *
     * @throws LockLimitException when the client is at its cap
     */
    public Optional<ShareConflict> reserve(FileKey file, LockOwner opener, int access, int deny) {
        ReentrantLock l = stripe(file);
        l.lock();
        try {
            FileLocks fl = files.computeIfAbsent(file, k -> new FileLocks());
            Reservation c = fl.shareConflict(opener, access, deny);
            if (c != null) {
                dropIfEmpty(file, fl);
                return Optional.of(new ShareConflict(c.owner(), c.access(), c.deny()));
            }
            boolean had = fl.reservations.removeIf(r -> r.owner().equals(opener));
            if (!had) {
                admit(opener, file, fl, 1);
            }
            fl.reservations.add(new Reservation(opener, access, deny));
            return Optional.empty();
        } finally {
            l.unlock();
        }
    }

    /** Drops the opener's share reservation on the file (NFSv4 CLOSE, NLM UNSHARE, SMB CLOSE). */
    public void release(FileKey file, LockOwner opener) {
        ReentrantLock l = stripe(file);
        l.lock();
        try {
            FileLocks fl = files.get(file);
            if (fl != null && fl.reservations.removeIf(r -> r.owner().equals(opener))) {
                usage.charge(opener, -1, false);
                forgetIfIdle(opener, file, fl);
                dropIfEmpty(file, fl);
            }
        } finally {
            l.unlock();
        }
    }

    /**
     * Mandatory-style check for NFSv4 and SMB I/O: the first lock of another owner that a read
     * (any WRITE lock) or a write (any lock) of {@code [offset, offset+length)} would violate.
     *
     * @param owner the I/O's lock owner, or null for I/O without one (every lock then counts)
     */
    public Optional<Conflict> checkIo(FileKey file, LockOwner owner, boolean write, long offset, long length) {
        LockRange r = new LockRange(offset, length);
        LockType t = write ? LockType.WRITE : LockType.READ;
        return withFile(file, fl -> {
            Held c = fl.conflict(owner, t, r.start(), r.end());
            return c == null ? Optional.<Conflict>empty() : Optional.of(c.asConflict());
        }, Optional.empty());
    }

    /**
     * The reservation of another opener whose deny bits refuse I/O of kind {@code access} (NFSv4
     * READ/WRITE with the anonymous stateid, RFC 7530 section 9.1.4.4).
     *
     * @param opener the caller's opener, or null
     */
    public Optional<ShareConflict> checkShare(FileKey file, LockOwner opener, int access) {
        return withFile(file, fl -> {
            Reservation c = fl.shareConflict(opener, access, 0);
            return c == null ? Optional.<ShareConflict>empty()
                : Optional.of(new ShareConflict(c.owner(), c.access(), c.deny()));
        }, Optional.empty());
    }

    /** Whether any opener holds a share reservation for writing on the file (a read delegation must not be granted). */
    public boolean openForWrite(FileKey file) {
        return withFile(file, fl -> fl.reservations.stream().anyMatch(r -> (r.access() & ACCESS_WRITE) != 0), false);
    }

    /** A snapshot of the locks held on a file, in no particular order (diagnostics, tests). */
    public List<Conflict> held(FileKey file) {
        return withFile(file, fl -> fl.held.stream().map(Held::asConflict).toList(), List.of());
    }

    /** How many files have any lock, reservation or waiter (state is dropped once a file has none). */
    public int activeFiles() {
        return files.size();
    }

    /** Locks + reservations + waiters the client has now. */
    public int rangesOf(String protocol, String clientId) {
        return usage.ranges(protocol, clientId);
    }

    // ---- internals; all called with the file's stripe held ----

    private void admit(LockOwner owner, FileKey file, FileLocks fl, int delta) {
        usage.charge(owner, delta, true);
        try {
            ownerFiles.compute(owner, (k, set) -> {
                Set<FileKey> s = set;
                if (s == null) {
                    usage.addOwner(owner);
                    s = ConcurrentHashMap.newKeySet();
                }
                s.add(file);
                return s;
            });
        } catch (LockLimitException e) {
            usage.charge(owner, -delta, false);
            dropIfEmpty(file, fl);
            throw e;
        }
    }

    private void forgetIfIdle(LockOwner owner, FileKey file, FileLocks fl) {
        if (fl.hasAny(owner)) {
            return;
        }
        ownerFiles.computeIfPresent(owner, (k, set) -> {
            set.remove(file);
            if (set.isEmpty()) {
                usage.removeOwner(owner);
                return null;
            }
            return set;
        });
    }

    private List<Waiter> grantWaiters(FileLocks fl) {
        List<Waiter> out = new ArrayList<>();
        for (int i = 0; i < fl.waiters.size();) {
            Waiter w = fl.waiters.get(i);
            if (fl.blocked(w, i)) {
                i++;
                continue;
            }
            fl.waiters.remove(i);
            int delta = fl.commit(fl.plan(w.owner(), w.type(), w.range().start(), w.range().end()));
            usage.charge(w.owner(), delta - 1, false);
            w.markGranted(false);
            out.add(w);
        }
        return out;
    }

    private void dropIfEmpty(FileKey file, FileLocks fl) {
        if (fl.isEmpty()) {
            files.remove(file, fl);
        }
    }

    private <T> T withFile(FileKey file, java.util.function.Function<FileLocks, T> f, T absent) {
        ReentrantLock l = stripe(file);
        l.lock();
        try {
            FileLocks fl = files.get(file);
            return fl == null ? absent : f.apply(fl);
        } finally {
            l.unlock();
        }
    }

    private ReentrantLock stripe(FileKey file) {
        int h = file.hashCode();
        return stripes[(h ^ (h >>> 16)) & (STRIPES - 1)];
    }
}
