package io.dittofs.protocols.nfs.v4.state;

import java.io.IOException;
import java.util.List;

/**
 * Where the server keeps the clients it knows across restarts, so that after a restart it knows who
 * may reclaim (RFC 8881 section 8.4.2.1 calls this "stable storage"). Implementations must make
 * {@link #save} atomic and durable.
 */
public interface ClientStore {
    /** One persisted client: its owner string and the minor version it used. */
    record Persisted(OwnerKey owner, int minorVersion) {
    }

    List<Persisted> load() throws IOException;

    void save(List<Persisted> clients) throws IOException;

    /**
     * The journal of the opens and locks granted, kept beside the client records, read once at start
     * (reclaims are checked against what it held before); {@link StateJournal#NONE} by default.
     */
    default StateJournal journal() {
        return StateJournal.NONE;
    }

    /** A store that keeps nothing (tests, or no data directory): no grace after a restart. */
    static ClientStore none() {
        return new ClientStore() {
            @Override
            public List<Persisted> load() {
                return List.of();
            }

            @Override
            public void save(List<Persisted> clients) {
            }
        };
    }
}
