package io.dittofs.core.spi;

import io.dittofs.core.FsError;
import io.dittofs.core.FsException;
import io.dittofs.core.Inode;

/**
 * Where a share's namespace and attributes live. A store exposes primitive key operations
 * inside transactions; {@link io.dittofs.core.FileSystem} builds POSIX semantics on top, so a
 * backend (memory, LMDB, PostgreSQL) only has to make its primitives transactional.
 *
 * <p>Every {@link #write} is atomic: all of its changes become visible together or none do
 * (a rename touches two directory entries and up to three inodes in one transaction).
 * Implementations are thread-safe; transactions from many threads may run at once.
 */
public interface MetadataStore extends AutoCloseable {

    /** The inode number of the root directory; the store creates nothing by itself. */
    long ROOT_ID = 1;

    /** Work done inside a transaction. */
    @FunctionalInterface
    interface TxnWork<T> {
        T run(MetadataTxn txn);
    }

    /**
     * Runs {@code work} in a read-only transaction (a consistent snapshot). The work may run more
     * than once (a backend may first try it against a cache of committed state), so it must have
     * no effects outside the transaction.
     */
    <T> T read(TxnWork<T> work);

    /**
     * Runs {@code work} in a read-write transaction and commits it if it returns normally.
     * An exception thrown by {@code work} aborts the transaction and propagates.
     * Running out of space is reported as {@link FsError#NO_SPACE}.
     */
    <T> T write(TxnWork<T> work);

    /**
     * {@link #write} then {@link #sync()}: the work's changes (and every commit before them) are
     * durable when this returns; if the work throws, nothing is flushed. A backend may commit
     * concurrent callers' works together and share one flush among them (group commit).
     * {@link io.dittofs.core.FileSystem} uses it for every namespace and attribute change.
     */
    default <T> T writeAndSync(TxnWork<T> work) {
        T result = write(work);
        sync();
        return result;
    }

    /**
     * Records that a WRITE stored data of file {@code id} up to {@code end}: the size becomes at
     * least {@code end} and mtime and ctime become {@code timeNs}; nothing happens if the inode is
     * gone. Every later transaction sees the change at once; it is durable after the next
     * {@link #sync()} (or {@link #close()}) at the latest. Backends may keep these updates in memory
     * and persist many in one transaction, because an UNSTABLE WRITE need not be durable before a
     * COMMIT (RFC 1813 section 3.3.7). The default runs one write transaction per call.
     */
    default void noteWrite(long id, long end, long timeNs) {
        write(t -> {
            Inode n = t.get(id);
            if (n != null) {
                t.put(n.withSize(Math.max(n.size(), end), timeNs, timeNs));
            }
            return null;
        });
    }

    /**
     * Makes every transaction committed so far durable (it survives a crash of the machine),
     * sharing one flush among concurrent callers where the backend can. Volatile stores do
     * nothing. {@link io.dittofs.core.FileSystem} calls it before acknowledging namespace changes
     * and stable writes, as NFSv3 requires (RFC 1813 section 3.3.7 and 4.8).
     */
    default void sync() {
    }

    /** Space accounting for FSSTAT. */
    StoreStats stats();

    /** A short name for logs and metrics ("memory", "lmdb"...). */
    String kind();

    @Override
    void close();

    /**
     * Totals the store can report; -1 where unknown.
     *
     * @param files     objects in use
     * @param freeFiles objects that can still be created
     */
    record StoreStats(long files, long freeFiles) {
    }

    /** Helper for backends: the error for a store that is already closed. */
    static FsException closed() {
        return new FsException(FsError.IO, "metadata store closed");
    }
}
