package io.dittofs.protocols.nfs.v4.state;

import io.dittofs.core.lock.Conflict;
import io.dittofs.core.lock.FileKey;
import io.dittofs.core.lock.LockLimitException;
import io.dittofs.core.lock.LockManager;
import io.dittofs.core.lock.LockOwner;
import io.dittofs.core.lock.LockType;
import io.dittofs.core.lock.ShareConflict;
import io.dittofs.protocols.nfs.v4.Nfs4Services;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The NFSv4 server state in one place: clients, sessions, open and lock stateids, the grace period
 * and the core {@link LockManager} that holds share reservations and byte ranges. Opens and locks
 * that meet an expired (courtesy) client's state take it away from that client and retry.
 *
 * <p>Thread-safe: the tables it holds are; it adds no lock of its own. A reaper (one virtual thread)
 * drops expired clients every half lease.
 */
public final class StateManager implements Nfs4State, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StateManager.class);
    private static final byte OPEN_PREFIX = 'O';
    private final StateConfig config;
    private final LongSupplier clock;
    private final LockManager locks;
    private final GracePeriod grace;
    private final SessionTable sessions;
    private final StateTable states;
    private final ClientTable clients;
    private final DelegationTable delegations;
    private final Reclaims reclaims;
    private volatile Thread reaper;

    public StateManager(StateConfig config, ClientStore store, LockManager locks, LongSupplier clock, int epoch) {
        this.config = config;
        this.clock = clock;
        this.locks = locks;
        Set<OwnerKey> known = new HashSet<>();
        try {
            store.load().forEach(p -> known.add(p.owner()));
        } catch (IOException e) {
            LOG.warn("NFSv4: cannot read the client records ({}); no grace period", e.toString());
        }
        this.grace = new GracePeriod(known, config.graceTime().toNanos(), clock);
        if (!known.isEmpty()) {
            LOG.info("NFSv4: grace period of {} s for {} known clients", config.graceTime().toSeconds(), known.size());
        }
        this.reclaims = new Reclaims(store.journal(), locks);
        this.sessions = new SessionTable(config);
        this.states = new StateTable(config, epoch);
        this.clients = new ClientTable(config, clock, epoch, store, grace, this::release);
        this.delegations = new DelegationTable(locks, sessions, epoch);
    }

    /**
     * The server's state with the defaults and {@code lease} (90 s unless configured), client records
     * kept in {@code dataDir} (null: not kept, no grace after a restart), locks in {@code locks}
     * (shared with NLM), the reaper started.
     */
    public static StateManager open(Duration lease, Path dataDir, LockManager locks) {
        StateManager m = new StateManager(StateConfig.withLease(lease),
                dataDir == null ? ClientStore.none() : new FileClientStore(dataDir), locks, System::nanoTime, bootEpoch());
        m.start();
        return m;
    }

    /** {@code base} with this state, its stateid checker and its lease time: the one line that wires NFSv4 state in. */
    public Nfs4Services attach(Nfs4Services base) {
        return base.withState(this).withStateChecker(new Nfs4StateChecker(this))
                .withLeaseSeconds((int) config.leaseTime().toSeconds());
    }

    /** The epoch of this server instance: seconds since 1970 at start. */
    public static int bootEpoch() {
        return (int) (System.currentTimeMillis() / 1000);
    }

    public StateConfig config() {
        return config;
    }

    public long now() {
        return clock.getAsLong();
    }

    public ClientTable clients() {
        return clients;
    }

    public SessionTable sessions() {
        return sessions;
    }

    public StateTable states() {
        return states;
    }

    public GracePeriod grace() {
        return grace;
    }

    public LockManager locks() {
        return locks;
    }

    /** Read delegations (off until {@link DelegationTable#enable enabled}). */
    public DelegationTable delegations() {
        return delegations;
    }

    /** The reaper's work besides expiring clients: revokes delegations not returned in time, resends recalls. */
    public void tickDelegations() {
        delegations.tick(config.leaseTime().toNanos());
    }

    /**
     * RECLAIM_COMPLETE: the client reclaims no more (RFC 8881 section 18.51.3).
     *
     * @throws StateException COMPLETE_ALREADY the second time
     */
    public void reclaimComplete(ClientRecord c) {
        synchronized (clients) {
            if (c.reclaimComplete) {
                throw new StateException(StateError.COMPLETE_ALREADY);
            }
            c.reclaimComplete = true;
        }
        grace.done(c.owner());
    }

    /** Starts the reaper thread. */
    public void start() {
        long period = Math.max(1, config.leaseTime().toMillis() / 2);
        reaper = Thread.ofVirtual().name("nfs4-lease-reaper").start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    Thread.sleep(period);
                    clients.reap();
                    tickDelegations();
                    reclaims.retain(grace.pending());
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException e) {
                    LOG.warn("NFSv4 lease reaper: {}", e.toString());
                }
            }
        });
    }

    @Override
    public void close() {
        Thread t = reaper;
        if (t != null) {
            t.interrupt();
        }
        reclaims.close();
    }

    /** What the previous instance held, which reclaims are checked against. */
    public PriorState prior() {
        return reclaims.prior();
    }

    /** OPEN CLAIM_PREVIOUS. @throws StateException RECLAIM_BAD when the owner did not hold that open */
    public void checkReclaimOpen(Owner owner, FileKey file, int access, int deny) {
        reclaims.checkOpen(owner, file, access, deny);
    }

    /** LOCK reclaim. @throws StateException RECLAIM_BAD when the lock-owner did not hold that range */
    public void checkReclaimLock(LockState l, LockType type, long offset, long length) {
        reclaims.checkLock(l, type, offset, length);
    }

    /** The lock-manager owner of an open-owner's share reservations (kept apart from its lock-owners). */
    public static LockOwner opener(Owner openOwner) {
        byte[] o = openOwner.owner().bytes();
        byte[] b = new byte[o.length + 1];
        b[0] = OPEN_PREFIX;
        System.arraycopy(o, 0, b, 1, o.length);
        return new LockOwner(StateTable.PROTOCOL, StateTable.lockClientId(openOwner.client()), b);
    }

    /**
     * OPEN: reserves the share (union with the owner's earlier opens of the file) and returns the open
     * state with its seqid bumped (or 1 when new). Grace checks are the caller's.
     *
     * @throws StateException SHARE_DENIED, or RESOURCE/DELAY at a bound
     */
    public OpenState open(Owner owner, FileKey file, int access, int deny, int minor) {
        OpenState existing = states.findOpen(owner, file);
        int a = access | (existing == null ? 0 : existing.access());
        int d = deny | (existing == null ? 0 : existing.deny());
        LockOwner opener = opener(owner);
        Optional<ShareConflict> c = retryCourtesy(() -> reserve(file, opener, a, d, minor),
                sc -> sc.owner());
        if (c.isPresent()) {
            throw new StateException(StateError.SHARE_DENIED);
        }
        OpenState o;
        try {
            o = states.open(owner, file, minor);
        } catch (StateException e) {
            if (existing == null) {
                locks.release(file, opener);
            }
            throw e;
        }
        if (existing != null) {
            o.bump();
        }
        o.upgrade(access, deny);
        reclaims.opened(o);
        return o;
    }

    /** OPEN_DOWNGRADE: the reservation shrinks to the new bits. */
    public void downgrade(OpenState o, int access, int deny) {
        o.downgrade(access, deny);
        locks.reserve(o.file(), opener(o.owner()), access, deny);
        o.bump();
        reclaims.opened(o);
    }

    /** CLOSE: the share reservation and the locks of its lock states go, then the state. */
    public void close(OpenState o) {
        for (LockState l : o.locks()) {
            locks.releaseAll(l.lockOwner());
        }
        locks.release(o.file(), opener(o.owner()));
        reclaims.closed(o);
        o.bump();
        states.close(o);
    }

    /** LOCK: grants the range to the lock state's owner, or returns the conflicting lock. */
    public Optional<Conflict> lock(LockState l, LockType type, long offset, long length, int minor) {
        Optional<Conflict> c = retryCourtesy(() -> {
            try {
                return locks.lock(l.file(), l.lockOwner(), type, offset, length);
            } catch (LockLimitException e) {
                throw new StateException(StateError.resource(minor));
            }
        }, Conflict::owner);
        if (c.isEmpty()) {
            reclaims.lockChanged(l);
        }
        return c;
    }

    /** LOCKU: the range goes from the lock state's owner. */
    public void unlock(LockState l, long offset, long length) {
        locks.unlock(l.file(), l.lockOwner(), offset, length);
        reclaims.lockChanged(l);
    }

    /** LOCKT: the conflicting lock, if any (a courtesy client's lock conflicts no more). */
    public Optional<Conflict> test(FileKey file, LockOwner owner, LockType type, long offset, long length) {
        return retryCourtesy(() -> locks.test(file, owner, type, offset, length), Conflict::owner);
    }

    /**
     * READ/WRITE check: share deny modes of other opens and byte-range locks of other clients
     * (locks of the caller's own lock-owners are advisory between its processes, as on a local file).
     *
     * @param ioOwner the lock owner the I/O is done as (lock stateid), or null
     * @throws StateException OPENMODE-like failures are the caller's; this throws nothing but
     *                        returns whether the I/O may go on
     */
    public boolean ioAllowed(FileKey file, String clientId, LockOwner ioOwner, boolean write, long offset, long length) {
        Optional<Conflict> c = retryCourtesy(() -> locks.checkIo(file, ioOwner, write, offset, length), Conflict::owner);
        if (c.isEmpty()) {
            return true;
        }
        if (clientId == null || !isOwn(c.get(), clientId)) {
            return false;
        }
        long end = length == 0 || length == ~0L ? Long.MAX_VALUE : offset + length;
        for (Conflict h : locks.held(file)) {
            long hEnd = h.length() == 0 || h.length() == ~0L ? Long.MAX_VALUE : h.offset() + h.length();
            boolean overlaps = h.offset() < end && offset < hEnd;
            if (overlaps && !isOwn(h, clientId) && (write || h.type() == LockType.WRITE)) {
                return false;
            }
        }
        return true;
    }

    private static boolean isOwn(Conflict c, String clientId) {
        return c.owner().protocol().equals(StateTable.PROTOCOL) && c.owner().clientId().equals(clientId);
    }

    private Optional<ShareConflict> reserve(FileKey file, LockOwner opener, int access, int deny, int minor) {
        try {
            return locks.reserve(file, opener, access, deny);
        } catch (LockLimitException e) {
            throw new StateException(StateError.resource(minor));
        }
    }

    /** Runs {@code attempt}; while it meets an expired NFSv4 client's state, that client is dropped and it runs again. */
    private <T> Optional<T> retryCourtesy(Supplier<Optional<T>> attempt, java.util.function.Function<T, LockOwner> ownerOf) {
        for (int i = 0; ; i++) {
            Optional<T> r = attempt.get();
            if (r.isEmpty() || i >= 8) {
                return r;
            }
            LockOwner o = ownerOf.apply(r.get());
            if (!o.protocol().equals(StateTable.PROTOCOL) || !clients.expireIfCourtesy(parseId(o.clientId()))) {
                return r;
            }
        }
    }

    private static long parseId(String hex) {
        try {
            return Long.parseUnsignedLong(hex, 16);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** A client record is gone: its sessions, stateids, share reservations and locks go with it. */
    private void release(ClientRecord r) {
        sessions.dropClient(r);
        delegations.dropClient(r);
        for (StateEntry e : states.dropClient(r)) {
            e.revoke();
            if (e instanceof OpenState o) {
                locks.release(o.file(), opener(o.owner()));
            }
        }
        locks.releaseClient(StateTable.PROTOCOL, StateTable.lockClientId(r));
        reclaims.dropped(r);
        if (r.confirmed()) {
            grace.done(r.owner());
        }
    }
}
