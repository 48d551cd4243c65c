package io.dittofs.protocols.nfs.v4.state;

import java.io.IOException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client records: SETCLIENTID/SETCLIENTID_CONFIRM (RFC 7530 sections 16.33 and 16.34) and
 * EXCHANGE_ID/CREATE_SESSION confirmation (RFC 8881 section 18.35.5's cases), leases, courtesy
 * expiry and the bound on the number of clients. A clientid is {@code epoch << 32 | counter}, so
 * an id of an earlier server instance is recognised as stale.
 *
 * <p>Thread-safety: mutations hold this table's monitor (client creation is rare); lookups by id are
 * lock-free (concurrent maps), and renewing a lease is a volatile write.
 */
public final class ClientTable {
    private static final Logger LOG = LoggerFactory.getLogger(ClientTable.class);
    /** What SETCLIENTID hands out. */
    public record SetClientIdResult(long clientId, long confirmVerifier) {
    }

    /** What EXCHANGE_ID hands out: the record and whether it is already confirmed. */
    public record ExchangeIdResult(ClientRecord client, boolean confirmed) {
    }

    private final StateConfig config;
    private final LongSupplier clock;
    private final int epoch;
    private final ClientStore store;
    private final GracePeriod grace;
    private final Consumer<ClientRecord> onDrop;
    private final SecureRandom random = new SecureRandom();
    private final Map<Long, ClientRecord> confirmedById = new ConcurrentHashMap<>();
    private final Map<Long, ClientRecord> unconfirmedById = new ConcurrentHashMap<>();
    private final Map<OwnerKey, ClientRecord> confirmedByOwner = new HashMap<>();
    private final Map<OwnerKey, ClientRecord> unconfirmedByOwner = new HashMap<>();
    private int counter;

    /**
     * @param onDrop called (under this table's monitor) when a record is dropped, to release its sessions
     *               and state
     */
    public ClientTable(StateConfig config, LongSupplier clock, int epoch, ClientStore store, GracePeriod grace,
            Consumer<ClientRecord> onDrop) {
        this.config = config;
        this.clock = clock;
        this.epoch = epoch;
        this.store = store;
        this.grace = grace;
        this.onDrop = onDrop;
    }

    public int epoch() {
        return epoch;
    }

    /** SETCLIENTID (4.0, RFC 7530 section 16.33.5). */
    public synchronized SetClientIdResult setClientId(byte[] ownerBytes, long verifier, String principal,
            ClientRecord.Callback callback) {
        OwnerKey owner = new OwnerKey(ownerBytes);
        long now = clock.getAsLong();
        ClientRecord c = confirmedByOwner.get(owner);
        if (c != null && !c.principal().equals(principal) && !c.expired(now, leaseNanos())) {
            throw new StateException(StateError.CLID_INUSE);
        }
        dropUnconfirmed(owner);
        long id = c != null && c.verifier() == verifier && c.principal().equals(principal) ? c.clientId() : nextId(0);
        ClientRecord u = new ClientRecord(id, owner, verifier, principal, 0, now);
        u.confirmVerifier = random.nextLong();
        u.callback = callback;
        unconfirmedById.put(id, u);
        unconfirmedByOwner.put(owner, u);
        return new SetClientIdResult(id, u.confirmVerifier);
    }

    /** SETCLIENTID_CONFIRM (4.0, RFC 7530 section 16.34.5). */
    public synchronized ClientRecord confirmSetClientId(long clientId, long confirmVerifier, String principal) {
        long now = clock.getAsLong();
        ClientRecord u = unconfirmedById.get(clientId);
        ClientRecord c = confirmedById.get(clientId);
        if (u != null && u.confirmVerifier == confirmVerifier) {
            if (!u.principal().equals(principal)) {
                throw new StateException(StateError.CLID_INUSE);
            }
            unconfirmedById.remove(clientId);
            unconfirmedByOwner.remove(u.owner());
            if (c != null) { // callback update of a confirmed client: same id, same state
                c.callback = u.callback;
                c.confirmVerifier = confirmVerifier;
                c.renew(now);
                return c;
            }
            makeConfirmed(u);
            u.renew(now);
            return u;
        }
        if (c != null && c.confirmVerifier == confirmVerifier) {
            c.renew(now);
            return c; // a retransmission
        }
        if (c != null && !c.principal().equals(principal)) {
            throw new StateException(StateError.CLID_INUSE);
        }
        throw new StateException(StateError.STALE_CLIENTID);
    }

    /** EXCHANGE_ID (4.1+, RFC 8881 section 18.35.5), counting every confirmed record as holding state. */
    public ExchangeIdResult exchangeId(byte[] ownerBytes, long verifier, String principal, boolean update,
            int minorVersion) {
        return exchangeId(ownerBytes, verifier, principal, update, minorVersion, c -> true);
    }

    /**
     * EXCHANGE_ID (4.1+, RFC 8881 section 18.35.5). In case 3 (a confirmed record of another principal)
     * the answer is NFS4ERR_CLID_INUSE only while that record's lease runs and {@code hasState} says it
     * holds sessions, opens or locks; otherwise the old record goes at once and the caller
     * gets a new one.
     */
    public synchronized ExchangeIdResult exchangeId(byte[] ownerBytes, long verifier, String principal, boolean update,
            int minorVersion, Predicate<ClientRecord> hasState) {
        OwnerKey owner = new OwnerKey(ownerBytes);
        long now = clock.getAsLong();
        ClientRecord c = confirmedByOwner.get(owner);
        if (update) {
            if (c == null) {
                throw new StateException(StateError.NOENT);
            }
            if (!c.principal().equals(principal)) {
                throw new StateException(StateError.PERM);
            }
            if (c.verifier() != verifier) {
                throw new StateException(StateError.NOT_SAME);
            }
            return new ExchangeIdResult(c, true);
        }
        if (c != null && c.verifier() == verifier && c.principal().equals(principal)) {
            return new ExchangeIdResult(c, true); // case 2: the same client again
        }
        if (c != null && !c.principal().equals(principal)) { // case 3
            if (!c.expired(now, leaseNanos()) && hasState.test(c)) {
                throw new StateException(StateError.CLID_INUSE);
            }
            destroy(c);
        }
        dropUnconfirmed(owner); // case 5; cases 1 and 4 then make a new unconfirmed record
        ClientRecord u = new ClientRecord(nextId(minorVersion), owner, verifier, principal, minorVersion, now);
        unconfirmedById.put(u.clientId(), u);
        unconfirmedByOwner.put(owner, u);
        return new ExchangeIdResult(u, false);
    }

    /**
     * CREATE_SESSION on an unconfirmed record confirms it (RFC 8881 section 18.36.4); the confirmed
     * record it replaces (a client that restarted) is dropped with its state.
     */
    public synchronized void confirmBySession(ClientRecord r, String principal) {
        if (!r.principal().equals(principal)) {
            throw new StateException(StateError.CLID_INUSE);
        }
        if (r.confirmed()) {
            return;
        }
        if (unconfirmedById.remove(r.clientId()) == null) {
            throw new StateException(StateError.STALE_CLIENTID);
        }
        unconfirmedByOwner.remove(r.owner());
        makeConfirmed(r);
    }

    /**
     * The record with this id (confirmed, else unconfirmed).
     *
     * @throws StateException STALE_CLIENTID when there is none
     */
    public ClientRecord get(long clientId) {
        ClientRecord r = confirmedById.get(clientId);
        if (r == null) {
            r = unconfirmedById.get(clientId);
        }
        if (r == null) {
            throw new StateException(StateError.STALE_CLIENTID);
        }
        return r;
    }

    /**
     * The confirmed record with this id, its lease renewed (RENEW, and any 4.0 op naming a clientid).
     * A courtesy client (lease expired, state kept) is revived.
     *
     * @throws StateException STALE_CLIENTID when there is none
     */
    public ClientRecord renew(long clientId) {
        ClientRecord r = confirmedById.get(clientId);
        if (r == null) {
            throw new StateException(StateError.STALE_CLIENTID);
        }
        r.renew(clock.getAsLong());
        return r;
    }

    /** DESTROY_CLIENTID, or an administrative removal: the record and all its state go. */
    public synchronized void destroy(ClientRecord r) {
        if (r.confirmed()) {
            if (confirmedById.remove(r.clientId(), r)) {
                confirmedByOwner.remove(r.owner(), r);
                drop(r);
                persist();
            }
        } else if (unconfirmedById.remove(r.clientId(), r)) {
            unconfirmedByOwner.remove(r.owner(), r);
            drop(r);
        }
    }

    /**
     * Drops unconfirmed records older than a lease and courtesy clients expired for longer than the
     * courtesy time (RFC 8881 section 8.3: a server may keep an expired client's state while no one
     * conflicts with it). Called periodically and when the table is full.
     *
     * @return how many records were dropped
     */
    public synchronized int reap() {
        long now = clock.getAsLong();
        int dropped = 0;
        for (ClientRecord u : List.copyOf(unconfirmedById.values())) {
            if (u.expired(now, leaseNanos())) {
                destroy(u);
                dropped++;
            }
        }
        long courtesy = config.courtesyTime().toNanos();
        for (ClientRecord c : List.copyOf(confirmedById.values())) {
            if (c.expired(now, leaseNanos() + courtesy)) {
                LOG.info("NFSv4 {}: lease expired, state released", c);
                destroy(c);
                dropped++;
            }
        }
        return dropped;
    }

    /**
     * A conflict with an expired (courtesy) client's state: that client loses its state now.
     *
     * @return true when {@code clientId} named an expired client that was dropped, so the caller may retry
     */
    public synchronized boolean expireIfCourtesy(long clientId) {
        ClientRecord c = confirmedById.get(clientId);
        if (c == null || !c.expired(clock.getAsLong(), leaseNanos())) {
            return false;
        }
        LOG.info("NFSv4 {}: expired courtesy client conflicts with another client, state released", c);
        destroy(c);
        return true;
    }

    /** Number of records, confirmed and unconfirmed. */
    public synchronized int size() {
        return confirmedById.size() + unconfirmedById.size();
    }

    long leaseNanos() {
        return config.leaseTime().toNanos();
    }

    private void makeConfirmed(ClientRecord r) {
        ClientRecord old = confirmedByOwner.remove(r.owner());
        if (old != null) {
            confirmedById.remove(old.clientId());
            drop(old);
        }
        r.mayReclaim = grace.mayReclaim(r.owner());
        r.confirm();
        confirmedById.put(r.clientId(), r);
        confirmedByOwner.put(r.owner(), r);
        persist();
    }

    private void dropUnconfirmed(OwnerKey owner) {
        ClientRecord u = unconfirmedByOwner.remove(owner);
        if (u != null) {
            unconfirmedById.remove(u.clientId());
            drop(u);
        }
    }

    private void drop(ClientRecord r) {
        r.markGone();
        onDrop.accept(r);
    }

    private long nextId(int minorVersion) {
        if (size() >= config.maxClients()) {
            reap();
            if (size() >= config.maxClients()) {
                LOG.warn("NFSv4: {} client records, the limit; new client refused", size());
                throw new StateException(StateError.resource(minorVersion));
            }
        }
        long id;
        do {
            id = (long) epoch << 32 | (++counter & 0xFFFFFFFFL);
        } while (confirmedById.containsKey(id) || unconfirmedById.containsKey(id) || (int) id == 0);
        return id;
    }

    private void persist() {
        Set<OwnerKey> seen = new LinkedHashSet<>();
        List<ClientStore.Persisted> out = new ArrayList<>();
        for (ClientRecord c : confirmedById.values()) {
            if (seen.add(c.owner())) {
                out.add(new ClientStore.Persisted(c.owner(), c.minorVersion()));
            }
        }
        for (OwnerKey k : grace.pending()) {
            if (seen.add(k)) {
                out.add(new ClientStore.Persisted(k, 1));
            }
        }
        try {
            store.save(out);
        } catch (IOException e) {
            LOG.warn("NFSv4: cannot save the client records ({}); after a restart they cannot reclaim", e.toString());
        }
    }
}
