package io.dittofs.core.spi;

import io.dittofs.core.DirEntry;
import io.dittofs.core.Inode;

import java.util.List;

/**
 * The primitive operations of one metadata transaction. Not thread-safe: a transaction is used
 * by the thread that runs it and must not escape the {@link MetadataStore.TxnWork}.
 * Read-only transactions throw {@link UnsupportedOperationException} from mutators.
 */
public interface MetadataTxn {

    /** The inode, or null if none has this id. */
    Inode get(long id);

    /** Inserts or replaces an inode. */
    void put(Inode inode);

    /** Removes an inode (its directory entries must already be gone) and its extended attributes. */
    void delete(long id);

    /** A fresh inode number, never handed out before by this store (also across restarts). */
    long allocateId();

    /** The entry {@code name} in directory {@code dir}, or null. */
    DirEntry lookup(long dir, String name);

    /**
     * Adds entry {@code name -> child} to {@code dir}, giving it a cookie larger than every
     * cookie the directory has given out before. The name must not exist yet.
     */
    DirEntry addEntry(long dir, String name, long child);

    /** Removes entry {@code name} from {@code dir}; returns false if it was not there. */
    boolean removeEntry(long dir, String name);

    /** Up to {@code max} entries of {@code dir} with cookie greater than {@code afterCookie}, in cookie order. */
    List<DirEntry> list(long dir, long afterCookie, int max);

    /** True if {@code dir} has no entries. */
    boolean isEmpty(long dir);

    // ---------------------------------------------------------------- extended attributes

    /**
     * The value of extended attribute {@code name} of inode {@code id} (RFC 8276, SMB EAs), or
     * null if it has none of that name. The array is the caller's own (never aliases the store).
     * Names are compared exactly (case-sensitive); {@link io.dittofs.core.XattrOps} checks names
     * and sizes before they reach a store.
     */
    byte[] getXattr(long id, String name);

    /** The names of inode {@code id}'s extended attributes in ascending code-point (UTF-8 byte) order. */
    List<String> listXattrs(long id);

    /** Creates or replaces extended attribute {@code name} of inode {@code id}. */
    void setXattr(long id, String name, byte[] value);

    /** Removes extended attribute {@code name} of inode {@code id}; false if it had none. */
    boolean removeXattr(long id, String name);
}
