package io.dittofs.protocols.nfs.v4.state;

import io.dittofs.core.lock.Conflict;
import io.dittofs.core.lock.FileKey;
import io.dittofs.core.lock.LockManager;
import io.dittofs.core.lock.LockRange;
import io.dittofs.core.lock.LockType;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The glue between the state operations and the {@link StateJournal}: notes each grant and release
 * of an open or lock under the client's owner string, and checks reclaims in the grace period against
 * what the previous instance held ({@link PriorState}; NFS4ERR_RECLAIM_BAD otherwise).
 *
 * <p>Thread-safe: the journal is; the lock manager is.
 */
final class Reclaims {
    private final StateJournal journal;
    private final PriorState prior;
    private final LockManager locks;

    Reclaims(StateJournal journal, LockManager locks) {
        this.journal = journal;
        this.prior = journal.prior();
        this.locks = locks;
    }

    PriorState prior() {
        return prior;
    }

    void opened(OpenState o) {
        journal.open(o.client().owner(), o.owner().owner(), o.file(), o.access(), o.deny());
    }

    /** A CLOSE: the open and its lock-owners' ranges on the file. */
    void closed(OpenState o) {
        for (LockState l : o.locks()) {
            journal.locks(o.client().owner(), l.owner().owner(), l.file(), List.of());
        }
        journal.close(o.client().owner(), o.owner().owner(), o.file());
    }

    /** After a LOCK or LOCKU: what the lock-owner now holds on the file. */
    void lockChanged(LockState l) {
        List<JournalEntry.Range> held = new ArrayList<>();
        for (Conflict c : locks.held(l.file())) {
            if (c.owner().equals(l.lockOwner())) {
                LockRange r = new LockRange(c.offset(), c.length());
                held.add(new JournalEntry.Range(c.type() == LockType.WRITE, r.start(), r.end()));
            }
        }
        journal.locks(l.client().owner(), l.owner().owner(), l.file(), held);
    }

    void dropped(ClientRecord r) {
        if (r.confirmed()) {
            journal.dropClient(r.owner());
        }
    }

    void retain(Set<OwnerKey> reclaiming) {
        journal.retainReclaimable(reclaiming);
    }

    void close() {
        journal.close();
    }

    /** @throws StateException RECLAIM_BAD when the owner did not have the file open with these bits */
    void checkOpen(Owner owner, FileKey file, int access, int deny) {
        if (!prior.mayReclaimOpen(owner.client().owner(), owner.owner(), file, access, deny)) {
            throw new StateException(StateError.RECLAIM_BAD);
        }
    }

    /** @throws StateException RECLAIM_BAD when the lock-owner did not hold the range */
    void checkLock(LockState l, LockType type, long offset, long length) {
        if (!prior.mayReclaimLock(l.client().owner(), l.owner().owner(), l.file(), type, offset, length)) {
            throw new StateException(StateError.RECLAIM_BAD);
        }
    }
}
