package io.dittofs.protocols.nfs.v4.state;

import io.dittofs.core.lock.FileKey;
import io.dittofs.core.lock.LockRange;
import io.dittofs.core.lock.LockType;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The opens and locks the previous server instance had granted, as read from the state journal at
 * start: what a reclaim in the grace period is checked against (RFC 7530 section 9.6.2, RFC 8881
 * section 8.4.2.1: a reclaim of state the client did not hold is NFS4ERR_RECLAIM_BAD). When the
 * journal cannot be trusted to be complete (the machine restarted after an unclean stop, so its
 * unsynced tail may be gone, or there was no journal), the state is <em>unknown</em> and every
 * reclaim of a recorded client passes, as on a server that keeps only client records.
 *
 * <p>Immutable after construction; thread-safe.
 */
public final class PriorState {
    private static final PriorState UNKNOWN = new PriorState(false, Map.of());
    private final boolean known;
    private final Map<StateKey, JournalEntry> held;

    PriorState(boolean known, Map<StateKey, JournalEntry> held) {
        this.known = known;
        this.held = Map.copyOf(held);
    }

    /** Nothing known: every reclaim passes. */
    public static PriorState unknown() {
        return UNKNOWN;
    }

    /** Whether reclaims are checked at all. */
    public boolean known() {
        return known;
    }

    /** How many opens and lock states the previous instance left. */
    public int size() {
        return held.size();
    }

    /** An OPEN CLAIM_PREVIOUS: the owner had the file open with at least these access and deny bits. */
    public boolean mayReclaimOpen(OwnerKey client, OwnerKey owner, FileKey file, int access, int deny) {
        if (!known) {
            return true;
        }
        return held.get(new StateKey(client, false, owner, file)) instanceof JournalEntry.Open o
                && (access & ~o.access()) == 0 && (deny & ~o.deny()) == 0;
    }

    /**
     * A LOCK with {@code reclaim = true}: the lock-owner held the whole range on the file, exclusively
     * when {@code type} is WRITE (a READ reclaim may be covered by either type).
     */
    public boolean mayReclaimLock(OwnerKey client, OwnerKey owner, FileKey file, LockType type, long offset,
            long length) {
        if (!known) {
            return true;
        }
        if (!(held.get(new StateKey(client, true, owner, file)) instanceof JournalEntry.Locks l)) {
            return false;
        }
        LockRange want = new LockRange(offset, length);
        List<JournalEntry.Range> usable = new ArrayList<>();
        for (JournalEntry.Range r : l.ranges()) {
            if (type == LockType.READ || r.write()) {
                usable.add(r);
            }
        }
        usable.sort(Comparator.comparingLong(JournalEntry.Range::start));
        long covered = want.start();
        for (JournalEntry.Range r : usable) {
            if (r.start() > covered) {
                break;
            }
            covered = Math.max(covered, r.end());
            if (covered >= want.end()) {
                return true;
            }
        }
        return covered >= want.end();
    }
}
