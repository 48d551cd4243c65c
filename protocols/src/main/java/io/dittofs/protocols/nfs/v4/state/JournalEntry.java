package io.dittofs.protocols.nfs.v4.state;

import java.util.List;

/**
 * What the state journal keeps for one {@link StateKey}: an open's share bits, or a lock-owner's
 * byte ranges on one file. Immutable; thread-safe.
 */
public sealed interface JournalEntry {
    /** An open: the union of the access and deny bits (OPEN4_SHARE_ACCESS_*, OPEN4_SHARE_DENY_*). */
    record Open(int access, int deny) implements JournalEntry {
    }

    /** A lock-owner's ranges on a file, normalised to {@code [start, end)} ({@code end} Long.MAX_VALUE: to EOF). */
    record Locks(List<Range> ranges) implements JournalEntry {
        public Locks {
            ranges = List.copyOf(ranges);
        }
    }

    /** One held range: exclusive (write) or shared, {@code [start, end)}. */
    record Range(boolean write, long start, long end) {
    }
}
