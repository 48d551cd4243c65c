package io.dittofs.protocols.nfs.v4.state;

import io.dittofs.core.lock.Delegations;
import io.dittofs.core.lock.FileKey;
import io.dittofs.core.lock.LockManager;
import io.dittofs.protocols.nfs.v4.Nfs4Exception;
import io.dittofs.protocols.nfs.v4.Nfs4Status;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The NFSv4 read delegations (RFC 8881 section 10.4) over the core {@link Delegations} table that all
 * protocols consult before they change a file. Granted on OPEN for reading to 4.1+ clients whose
 * session has a usable back channel, when nobody has the file open for writing; recalled with
 * CB_RECALL over that back channel when another client, NFSv3 or SMB is about to change the file
 * (that change answers NFS4ERR_DELAY / NFS3ERR_JUKEBOX meanwhile); given back by DELEGRETURN; taken
 * away when not given back within a lease of the recall (the client then sees
 * SEQ4_STATUS_RECALLABLE_STATE_REVOKED until it frees the stateid). NFSv4.0 clients get none (no
 * callbacks over SETCLIENTID's address).
 *
 * <p>A recall runs on a short-lived virtual thread (one per recall in flight, never one per
 * delegation) that waits a bounded time for the client's CB_COMPOUND reply; a recall that could not
 * be delivered is sent again by {@link #tick} once the client has bound a working back channel.
 *
 * <p>Thread-safe: concurrent maps; revoking and removing a delegation hold its monitor; the core table
 * has its own monitor.
 */
public final class DelegationTable {
    private static final Logger LOG = LoggerFactory.getLogger(DelegationTable.class);
    /** Set in the key of every delegation stateid (open and lock stateids count up from 1). */
    static final long KEY_BIT = 1L << 62;
    private static final Duration CALLBACK_TIMEOUT = Duration.ofSeconds(10);

    private record ClientFile(ClientRecord client, FileKey file) {
    }

    private final LockManager locks;
    private final SessionTable sessions;
    private final int epoch;
    private final AtomicLong counter = new AtomicLong();
    private final Map<Long, Delegation> byKey = new ConcurrentHashMap<>();
    private final Map<Long, Delegation> byGrant = new ConcurrentHashMap<>();
    private final Map<ClientFile, Delegation> byClientFile = new ConcurrentHashMap<>();
    /** Per client, its revoked delegations not yet freed (so SEQUENCE's flag costs one lookup). */
    private final Map<ClientRecord, Integer> revoked = new ConcurrentHashMap<>();
    private volatile boolean enabled;

    DelegationTable(LockManager locks, SessionTable sessions, int epoch) {
        this.locks = locks;
        this.sessions = sessions;
        this.epoch = epoch;
    }

    /** Whether OPEN grants delegations ({@code adapters.nfs.delegations}); off until enabled. */
    public void enable(boolean on) {
        enabled = on;
    }

    public boolean enabled() {
        return enabled;
    }

    /** Whether a stateid's "other" names a delegation (else an open or lock state, or nothing). */
    public static boolean isDelegation(byte[] other) {
        return other.length == 12 && (ByteBuffer.wrap(other).getLong(4) & KEY_BIT) != 0;
    }

    /**
     * OPEN for reading: a read delegation for the client, or null when none is granted (disabled, no
     * usable back channel, the file open for writing by anybody, a recall on the file in flight, the
     * client holding one on it already, or a bound reached).
     */
    public Delegation offer(ClientRecord client, Session session, FileKey file, byte[] fh) {
        if (!enabled || session == null || !session.callback().usable() || locks.openForWrite(file)) {
            return null;
        }
        ClientFile cf = new ClientFile(client, file);
        if (byClientFile.containsKey(cf)) {
            return null;
        }
        Delegations.Grant g = locks.delegations().grant(file, StateTable.PROTOCOL, StateTable.lockClientId(client),
                this::recall);
        if (g == null) {
            return null;
        }
        Delegation d = new Delegation(KEY_BIT | counter.incrementAndGet(), epoch, client, session, file, fh, g);
        if (byClientFile.putIfAbsent(cf, d) != null) {
            locks.delegations().release(g);
            return null;
        }
        byKey.put(d.key(), d);
        byGrant.put(g.id(), d);
        return d;
    }

    /**
     * The delegation a stateid names.
     *
     * @param caller the calling client (4.1 session), or null
     * @throws Nfs4Exception STALE_STATEID (earlier instance), BAD_STATEID (unknown, another client's),
     *                       DELEG_REVOKED (taken away)
     */
    public Delegation find(byte[] other, ClientRecord caller) {
        ByteBuffer b = ByteBuffer.wrap(other);
        if (b.getInt() != epoch) {
            throw new Nfs4Exception(Nfs4Status.STALE_STATEID);
        }
        Delegation d = byKey.get(b.getLong());
        if (d == null || caller != null && d.client() != caller) {
            throw new Nfs4Exception(Nfs4Status.BAD_STATEID, "no such delegation");
        }
        if (d.revoked()) {
            throw new Nfs4Exception(Nfs4Status.DELEG_REVOKED);
        }
        return d;
    }

    /** A revoked delegation of the caller's, for FREE_STATEID/DELEGRETURN after revocation; else null. */
    public Delegation findRevoked(byte[] other, ClientRecord caller) {
        ByteBuffer b = ByteBuffer.wrap(other);
        Delegation d = b.getInt() == epoch ? byKey.get(b.getLong()) : null;
        return d != null && d.revoked() && (caller == null || d.client() == caller) ? d : null;
    }

    /** DELEGRETURN, FREE_STATEID of a revoked one, or the client is gone: the delegation is forgotten. */
    public void remove(Delegation d) {
        synchronized (d) { // against tick() revoking it meanwhile: the per-client count stays exact
            if (byKey.remove(d.key()) != null && d.revoked()) {
                revoked.computeIfPresent(d.client(), (k, n) -> n > 1 ? n - 1 : null);
            }
        }
        byGrant.remove(d.grant().id());
        byClientFile.remove(new ClientFile(d.client(), d.file()), d);
        locks.delegations().release(d.grant());
    }

    /** Whether the client has delegations that were taken away and not yet freed (SEQ4_STATUS_RECALLABLE_STATE_REVOKED). */
    public boolean revokedFor(ClientRecord c) {
        return revoked.containsKey(c);
    }

    /** Delegations held now (revoked ones not yet freed included). */
    public int count() {
        return byKey.size();
    }

    /** Everything the client held goes (its record is gone). */
    void dropClient(ClientRecord c) {
        for (Delegation d : List.copyOf(byKey.values())) {
            if (d.client() == c) {
                remove(d);
            }
        }
        revoked.remove(c);
    }

    /**
     * Periodic work (the lease reaper): takes away delegations not returned within {@code leaseNanos}
     * of their recall, and sends again recalls that could not be delivered.
     */
    void tick(long leaseNanos) {
        for (Delegations.Grant g : locks.delegations().overdue(leaseNanos)) {
            Delegation d = byGrant.get(g.id());
            if (d != null && revoke(d)) {
                LOG.info("NFSv4: delegation of {} revoked from client {}: not returned within the lease", d.file(),
                        StateTable.lockClientId(d.client()));
            }
        }
        List<Delegation> unsent = new ArrayList<>();
        for (Delegation d : byKey.values()) {
            if (d.recalled() && !d.recallSent && !d.revoked()) {
                unsent.add(d);
            }
        }
        unsent.forEach(this::startRecall);
    }

    /** Marks a listed delegation revoked (kept, no longer a grant, until the client frees or returns it). */
    private boolean revoke(Delegation d) {
        synchronized (d) {
            if (!byKey.containsKey(d.key()) || d.revoked()) {
                return false;
            }
            d.revoke();
            revoked.merge(d.client(), 1, Integer::sum);
            return true;
        }
    }

    /** The core table's recaller: a change of the file by somebody else waits for this delegation. */
    private void recall(Delegations.Grant g) {
        Delegation d = byGrant.get(g.id());
        if (d != null) {
            startRecall(d);
        }
    }

    private void startRecall(Delegation d) {
        CallbackPath path = pathTo(d);
        if (path == null) {
            return; // the client sees CB_PATH_DOWN, binds a connection, and tick() sends it then
        }
        Thread.ofVirtual().name("nfs4-cb-recall").start(() -> sendRecall(d, path));
    }

    /** The back channel of the session that got the delegation, else of another live session of the client. */
    private CallbackPath pathTo(Delegation d) {
        if (d.session().callback().usable()) {
            return d.session().callback();
        }
        for (Session s : sessions.of(d.client())) {
            if (s.callback().usable()) {
                return s.callback();
            }
        }
        return null;
    }

    /** Sends one CB_RECALL and waits (bounded) for the client's answer. */
    private void sendRecall(Delegation d, CallbackPath path) {
        try {
            int status = path.recall(d.client().minorVersion(), d.seqid(), d.other(), d.fh(), CALLBACK_TIMEOUT);
            if (status == Nfs4Status.OK) {
                d.recallSent = true;
            } else if (status == Nfs4Status.BAD_STATEID || status == Nfs4Status.NOENT) {
                d.recallSent = true;
                LOG.info("NFSv4: client {} does not know its delegation of {} ({}): dropped",
                        StateTable.lockClientId(d.client()), d.file(), Nfs4Status.name(status));
                remove(d);
            } else {
                LOG.debug("NFSv4: CB_RECALL of {} answered {}; sent again later", d.file(), Nfs4Status.name(status));
            }
        } catch (IOException e) {
            LOG.info("NFSv4: CB_RECALL to client {} failed: {}", StateTable.lockClientId(d.client()), e.getMessage());
        }
    }
}
