package io.dittofs.protocols.nfs.v4.state;

import io.dittofs.core.lock.FileKey;
import java.util.List;
import java.util.Set;

/**
 * Where the server notes the opens and locks it grants, so that after a restart a reclaim can be
 * checked against what the client really held ({@link PriorState}). Each call replaces what was
 * noted for its {@link StateKey}. Implementations must be cheap on the OPEN/LOCK path.
 *
 * <p>Implementations are thread-safe.
 */
public interface StateJournal extends AutoCloseable {

    /** An open-owner's open of a file now has these (union) access and deny bits. */
    void open(OwnerKey client, OwnerKey owner, FileKey file, int access, int deny);

    /** The open is gone (CLOSE). */
    void close(OwnerKey client, OwnerKey owner, FileKey file);

    /** A lock-owner now holds exactly {@code ranges} on the file (empty: nothing). */
    void locks(OwnerKey client, OwnerKey owner, FileKey file, List<JournalEntry.Range> ranges);

    /** Everything of a client goes (its record was dropped: lease expired, destroyed, rebooted). */
    void dropClient(OwnerKey client);

    /**
     * Forgets what the previous instance left for clients that may no longer reclaim it: every client
     * not in {@code reclaiming} (the grace period is over for it). State granted since the start stays.
     */
    void retainReclaimable(Set<OwnerKey> reclaiming);

    /** What the previous server instance held, read at start. */
    PriorState prior();

    @Override
    void close();

    /** A journal that keeps nothing: reclaims are not checked. */
    StateJournal NONE = new StateJournal() {
        @Override
        public void open(OwnerKey client, OwnerKey owner, FileKey file, int access, int deny) {
        }

        @Override
        public void close(OwnerKey client, OwnerKey owner, FileKey file) {
        }

        @Override
        public void locks(OwnerKey client, OwnerKey owner, FileKey file, List<JournalEntry.Range> ranges) {
        }

        @Override
        public void dropClient(OwnerKey client) {
        }

        @Override
        public void retainReclaimable(Set<OwnerKey> reclaiming) {
        }

        @Override
        public PriorState prior() {
            return PriorState.unknown();
        }

        @Override
        public void close() {
        }
    };
}
