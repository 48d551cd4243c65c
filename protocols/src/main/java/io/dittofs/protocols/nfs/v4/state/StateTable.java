package io.dittofs.protocols.nfs.v4.state;

import io.dittofs.core.lock.FileKey;
import io.dittofs.core.lock.LockOwner;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Open-owners, lock-owners and the open and lock stateids of every client (RFC 7530 section 9.1,
 * RFC 8881 section 8.2), with the stateid checks (BAD/OLD/STALE_STATEID, ADMIN_REVOKED) and per-client
 * bounds on owners, opens and locks.
 *
 * <p>Thread-safety: lookups go through concurrent maps; creation and removal hold the client's
 * {@link ClientStates} monitor (one lock per client, never a global one).
 */
public final class StateTable {
    /** The protocol name of NFSv4 owners in the core lock manager. */
    public static final String PROTOCOL = "nfs4";

    private record OwnerRef(long clientId, boolean lock, OwnerKey owner) {
    }

    private record FileRef(Owner owner, FileKey file) {
    }

    /** What one client holds, guarded by its own monitor. */
    static final class ClientStates {
        final Set<Owner> owners = new LinkedHashSet<>();
        final Set<StateEntry> entries = new LinkedHashSet<>();
        int opens;
        int locks;
    }

    private final StateConfig config;
    private final int epoch;
    private final AtomicLong counter = new AtomicLong();
    private final Map<Long, StateEntry> byKey = new ConcurrentHashMap<>();
    private final Map<OwnerRef, Owner> owners = new ConcurrentHashMap<>();
    private final Map<FileRef, StateEntry> byOwnerFile = new ConcurrentHashMap<>();
    private final Map<ClientRecord, ClientStates> clients = new ConcurrentHashMap<>();

    public StateTable(StateConfig config, int epoch) {
        this.config = config;
        this.epoch = epoch;
    }

    /** The clientid as the lock manager's client id. */
    public static String lockClientId(ClientRecord c) {
        return HexFormat.of().toHexDigits(c.clientId());
    }

    /** Finds or creates an open-owner (lock-owner when {@code lock}). @throws StateException RESOURCE/DELAY at the bound */
    public Owner owner(ClientRecord c, byte[] owner, boolean lock, int minor) {
        OwnerRef ref = new OwnerRef(c.clientId(), lock, new OwnerKey(owner));
        Owner o = owners.get(ref);
        if (o != null) {
            return o;
        }
        ClientStates cs = states(c);
        synchronized (cs) {
            o = owners.get(ref);
            if (o == null) {
                if (cs.owners.size() >= config.maxOwnersPerClient()) {
                    throw new StateException(StateError.resource(minor));
                }
                o = new Owner(c, ref.owner(), lock);
                cs.owners.add(o);
                owners.put(ref, o);
            }
            return o;
        }
    }

    /** The lock-owner if the client has one by that name, else null. */
    public Owner findLockOwner(ClientRecord c, byte[] owner) {
        return owners.get(new OwnerRef(c.clientId(), true, new OwnerKey(owner)));
    }

    /**
     * Whether any owner still has {@code file} open. Scans every open: meant for the rare path of a handle
     * whose object is gone (PUTFH of a file removed while open, so its CLOSE still works).
     */
    public boolean isOpen(FileKey file) {
        for (Map.Entry<FileRef, StateEntry> e : byOwnerFile.entrySet()) {
            if (e.getKey().file().equals(file) && e.getValue() instanceof OpenState o && !o.closed()) {
                return true;
            }
        }
        return false;
    }

    /** The open of {@code file} by {@code owner}, if any. */
    public OpenState findOpen(Owner owner, FileKey file) {
        return byOwnerFile.get(new FileRef(owner, file)) instanceof OpenState o ? o : null;
    }

    /** The open of {@code file} by {@code owner}, created when absent. @throws StateException at the bound */
    public OpenState open(Owner owner, FileKey file, int minor) {
        ClientStates cs = states(owner.client());
        synchronized (cs) {
            OpenState o = findOpen(owner, file);
            if (o != null) {
                return o;
            }
            if (cs.opens >= config.maxOpensPerClient()) {
                throw new StateException(StateError.resource(minor));
            }
            o = new OpenState(counter.incrementAndGet(), epoch, owner, file);
            cs.opens++;
            add(cs, o, new FileRef(owner, file));
            return o;
        }
    }

    /** The lock state of {@code lockOwner} on the open's file, created when absent. @throws StateException at the bound */
    public LockState lockState(Owner lockOwner, OpenState open, int minor) {
        ClientStates cs = states(lockOwner.client());
        synchronized (cs) {
            FileRef ref = new FileRef(lockOwner, open.file());
            if (byOwnerFile.get(ref) instanceof LockState l) {
                return l;
            }
            if (cs.locks >= config.maxLocksPerClient()) {
                throw new StateException(StateError.resource(minor));
            }
            LockOwner lo = new LockOwner(PROTOCOL, lockClientId(lockOwner.client()), lockOwner.owner().bytes());
            LockState l = new LockState(counter.incrementAndGet(), epoch, lockOwner, open, lo);
            cs.locks++;
            open.locks.add(l);
            add(cs, l, ref);
            return l;
        }
    }

    /**
     * Resolves a stateid a client sent.
     *
     * @param caller the client the request is known to come from (4.1 session), or null (4.0)
     * @throws StateException STALE_STATEID (earlier server instance), BAD_STATEID (unknown, another
     *                        client's, a seqid from the future), OLD_STATEID, ADMIN_REVOKED
     */
    /** The state a stateid's {@code other} names, whatever its seqid; null when there is none. */
    public StateEntry peek(byte[] other) {
        if (other.length != 12) {
            return null;
        }
        ByteBuffer b = ByteBuffer.wrap(other);
        return b.getInt() == epoch ? byKey.get(b.getLong()) : null;
    }

    public StateEntry find(int seqid, byte[] other, ClientRecord caller, int minor) {
        if (other.length != 12) {
            throw new StateException(StateError.BAD_STATEID);
        }
        ByteBuffer b = ByteBuffer.wrap(other);
        if (b.getInt() != epoch) {
            throw new StateException(StateError.STALE_STATEID);
        }
        StateEntry e = byKey.get(b.getLong());
        if (e == null || caller != null && e.client() != caller) {
            throw new StateException(StateError.BAD_STATEID);
        }
        if (e.revoked()) {
            throw new StateException(StateError.ADMIN_REVOKED);
        }
        if (e.client().gone()) {
            throw new StateException(StateError.EXPIRED);
        }
        if (seqid == 0 && minor >= 1) {
            return e;
        }
        int d = seqid - e.seqid();
        if (d > 0) {
            throw new StateException(StateError.BAD_STATEID);
        }
        if (d < 0) {
            throw new StateException(StateError.OLD_STATEID);
        }
        return e;
    }

    /** CLOSE: the open and its lock states go (the caller releases their locks and share first). */
    public void close(OpenState open) {
        ClientStates cs = states(open.client());
        synchronized (cs) {
            for (LockState l : List.copyOf(open.locks)) {
                remove(cs, l);
            }
            open.locks.clear();
            open.closed = true;
            remove(cs, open);
        }
    }

    /** FREE_STATEID / RELEASE_LOCKOWNER: one lock state goes. */
    public void free(LockState l) {
        ClientStates cs = states(l.client());
        synchronized (cs) {
            l.open().locks.remove(l);
            remove(cs, l);
        }
    }

    /** RELEASE_LOCKOWNER: the owner goes once it holds no state. */
    public void removeOwner(Owner o) {
        ClientStates cs = states(o.client());
        synchronized (cs) {
            cs.owners.remove(o);
            owners.remove(new OwnerRef(o.client().clientId(), o.isLockOwner(), o.owner()));
        }
    }

    /** The lock states of a lock-owner. */
    public List<LockState> lockStates(Owner lockOwner) {
        ClientStates cs = states(lockOwner.client());
        synchronized (cs) {
            List<LockState> out = new ArrayList<>();
            for (StateEntry e : cs.entries) {
                if (e instanceof LockState l && l.owner() == lockOwner) {
                    out.add(l);
                }
            }
            return out;
        }
    }

    /** Everything a client holds goes (its record is gone); returns the entries so locks can be released. */
    public List<StateEntry> dropClient(ClientRecord c) {
        ClientStates cs = clients.remove(c);
        if (cs == null) {
            return List.of();
        }
        synchronized (cs) {
            List<StateEntry> all = List.copyOf(cs.entries);
            for (StateEntry e : all) {
                remove(cs, e);
            }
            for (Owner o : cs.owners) {
                owners.remove(new OwnerRef(c.clientId(), o.isLockOwner(), o.owner()));
            }
            cs.owners.clear();
            return all;
        }
    }

    /** Open and lock stateids a client holds (DESTROY_CLIENTID refuses while there are any). */
    public int count(ClientRecord c) {
        ClientStates cs = clients.get(c);
        if (cs == null) {
            return 0;
        }
        synchronized (cs) {
            return cs.entries.size();
        }
    }

    private ClientStates states(ClientRecord c) {
        return clients.computeIfAbsent(c, k -> new ClientStates());
    }

    private void add(ClientStates cs, StateEntry e, FileRef ref) {
        cs.entries.add(e);
        byKey.put(e.key(), e);
        byOwnerFile.put(ref, e);
        e.owner().states++;
    }

    private void remove(ClientStates cs, StateEntry e) {
        if (!cs.entries.remove(e)) {
            return;
        }
        byKey.remove(e.key());
        byOwnerFile.remove(new FileRef(e.owner(), e.file()), e);
        e.owner().states--;
        if (e instanceof OpenState) {
            cs.opens--;
        } else {
            cs.locks--;
        }
    }
}
