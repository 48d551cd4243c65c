package io.dittofs.protocols.nfs.v4.state;

import java.util.HashSet;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * The grace period after a restart (RFC 7530 section 9.6.2, RFC 8881 section 8.4.2): for one grace
 * time the clients recorded before the restart may reclaim their opens and locks, and everybody
 * else's new OPEN/LOCK gets NFS4ERR_GRACE; afterwards reclaims get NFS4ERR_NO_GRACE. There is no
 * grace when no client was recorded, and it ends early once every recorded client has sent
 * RECLAIM_COMPLETE. New byte-range locks (LOCK, LOCKT) are also held back while another protocol's
 * clients reclaim theirs ({@link #holdLocksBackWhile}: NLM hosts after the same restart), as Linux
 * shares one lock grace between lockd and nfsd; new OPENs are not.
 *
 * <p>Thread-safe: the pending set is guarded by this object's monitor.
 */
public final class GracePeriod {
    private final LongSupplier clock;
    private final long endNanos;
    private final Set<OwnerKey> pending;
    private volatile BooleanSupplier othersReclaiming = () -> false;

    public GracePeriod(Set<OwnerKey> reclaimable, long graceNanos, LongSupplier clock) {
        this.clock = clock;
        this.endNanos = clock.getAsLong() + graceNanos;
        this.pending = new HashSet<>(reclaimable);
    }

    /** True while recorded clients may still reclaim. */
    public synchronized boolean inGrace() {
        return !pending.isEmpty() && clock.getAsLong() - endNanos < 0;
    }

    /** True when {@code owner} was recorded before the restart and has not finished reclaiming. */
    public synchronized boolean mayReclaim(OwnerKey owner) {
        return pending.contains(owner);
    }

    /** RECLAIM_COMPLETE (or the client's state being dropped): it reclaims no more. */
    public synchronized void done(OwnerKey owner) {
        pending.remove(owner);
    }

    /** Owners that may still reclaim (kept in the persisted records while the grace lasts). */
    public synchronized Set<OwnerKey> pending() {
        return inGrace() ? Set.copyOf(pending) : Set.of();
    }

    /**
     * While {@code reclaiming} holds, new locks get NFS4ERR_GRACE even when no NFSv4 client reclaims
     * (it must not test this period's own {@link #inGrace}).
     */
    public void holdLocksBackWhile(BooleanSupplier reclaiming) {
        othersReclaiming = reclaiming;
    }

    /** A new (non-reclaim) OPEN. @throws StateException GRACE during the grace period */
    public void checkNonReclaim() {
        if (inGrace()) {
            throw new StateException(StateError.GRACE);
        }
    }

    /**
     * A new (non-reclaim) LOCK or a LOCKT.
     *
     * @throws StateException GRACE during the grace period or while another protocol's clients reclaim
     */
    public void checkNonReclaimLock() {
        if (inGrace() || othersReclaiming.getAsBoolean()) {
            throw new StateException(StateError.GRACE);
        }
    }

    /** A reclaim by {@code client}. @throws StateException NO_GRACE when it may not reclaim (any more) */
    public void checkReclaim(ClientRecord client) {
        if (!inGrace() || !client.mayReclaim || client.reclaimComplete) {
            throw new StateException(StateError.NO_GRACE);
        }
    }
}
