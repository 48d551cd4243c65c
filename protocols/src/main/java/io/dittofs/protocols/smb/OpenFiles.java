package io.dittofs.protocols.smb;

import io.dittofs.core.lock.FileKey;

import java.util.concurrent.ConcurrentHashMap;

/**
 * The server-wide view of which files SMB has open, across all connections (MS-SMB2 3.3.1.10
 * GlobalOpenTable, reduced to what the object store keeps per file in MS-FSA 2.1.1.4 Stream:
 * the open count and DeletePending). A file whose delete is pending refuses new opens with
 * STATUS_DELETE_PENDING and is removed when its last open closes. Share modes are not kept here:
 * they are share reservations in the core {@link io.dittofs.core.lock.LockManager}, shared with
 * NFSv4 OPEN.
 *
 * <p>Thread-safe: each file's entry changes only inside {@link ConcurrentHashMap#compute}.
 */
public final class OpenFiles {
    private record Entry(int opens, boolean deletePending) {
    }

    private final ConcurrentHashMap<FileKey, Entry> files = new ConcurrentHashMap<>();

    /**
     * Counts a new open of the file, unless its delete is pending.
     *
     * @return false (nothing counted) when the file's delete is pending
     */
    public boolean open(FileKey f) {
        boolean[] ok = {true};
        files.compute(f, (k, e) -> {
            if (e == null) {
                return new Entry(1, false);
            }
            if (e.deletePending()) {
                ok[0] = false;
                return e;
            }
            return new Entry(e.opens() + 1, false);
        });
        return ok[0];
    }

    /** Sets or clears DeletePending of an open file (FileDispositionInformation, delete-on-close). */
    public void deletePending(FileKey f, boolean pending) {
        files.computeIfPresent(f, (k, e) -> new Entry(e.opens(), pending));
    }

    /** Whether SMB has the file open. */
    public boolean isOpen(FileKey f) {
        return files.containsKey(f);
    }

    /** Whether the file's delete is pending. */
    public boolean deletePending(FileKey f) {
        Entry e = files.get(f);
        return e != null && e.deletePending();
    }

    /**
     * Uncounts one open of the file.
     *
     * @return true when this was the last open and the file's delete is pending: the caller deletes it
     */
    public boolean close(FileKey f) {
        boolean[] delete = {false};
        files.computeIfPresent(f, (k, e) -> {
            if (e.opens() > 1) {
                return new Entry(e.opens() - 1, e.deletePending());
            }
            delete[0] = e.deletePending();
            return null;
        });
        return delete[0];
    }
}
