package io.dittofs.core;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * What keeps a file's size and its content in step: a lock table keyed by inode id, and the set
 * of inodes known to hold nothing past their end of file in the block store.
 *
 * <p><b>Locks.</b> A WRITE holds its inode's {@link #shared} lock from "the inode exists" through
 * the block write to the size/mtime update, so writes to one file still run in parallel. A size
 * change (SETATTR) and the freeing of a removed file's content hold the {@link #exclusive} lock
 * around "metadata change, then content change", so no write lands between the two, and a
 * write that starts after a removal finds the inode gone (STALE) and writes nothing. The table
 * is a fixed set of striped {@link ReentrantReadWriteLock}s (two inodes may share a stripe; a
 * thread never holds two stripes at once, so that cannot deadlock). No {@code synchronized}:
 * virtual threads park on these locks.
 *
 * <p><b>Clean past EOF.</b> Data reaches the block store before the size that covers it is
 * committed, and a committed truncate cuts the content only afterwards, so after a crash a block
 * store may hold bytes past a file's size (data of a write that was never acknowledged, or
 * content that was truncated). Extending the file would expose them. An inode is <em>clean</em>
 * once its content past the current size was cut durably in this process, or when it was
 * created in this process (ids are never reused, so nothing can be stored under it); a WRITE
 * whose content or size update failed makes it unclean again. Before a file grows, an unclean
 * inode is cut at its size ({@link FsBackend#ensureCleanPastEof}). The set is bounded: when it
 * holds {@link #MAX_CLEAN} ids it is emptied, which only costs each active file one more cut.
 *
 * <p>Thread-safe.
 */
final class ContentGuard {
    /** Lock stripes; a power of two. */
    private static final int STRIPES = 1024;
    /** Most inode ids remembered as clean (a few MiB of heap at most). */
    static final int MAX_CLEAN = 1 << 17;

    private final ReentrantReadWriteLock[] locks = new ReentrantReadWriteLock[STRIPES];
    private final Set<Long> clean = ConcurrentHashMap.newKeySet();

    ContentGuard() {
        for (int i = 0; i < STRIPES; i++) {
            locks[i] = new ReentrantReadWriteLock();
        }
    }

    private ReentrantReadWriteLock stripe(long id) {
        long h = id * 0x9E3779B97F4A7C15L;
        return locks[(int) (h >>> 54) & (STRIPES - 1)];
    }

    /** The lock a WRITE holds on {@code id}: many at once, none while the size or existence changes. */
    Lock shared(long id) {
        return stripe(id).readLock();
    }

    /** The lock a size change or a content deletion holds on {@code id}. */
    Lock exclusive(long id) {
        return stripe(id).writeLock();
    }

    /** Whether the block store is known to hold nothing of {@code id} past its size, durably. */
    boolean isClean(long id) {
        return clean.contains(id);
    }

    void markClean(long id) {
        if (clean.size() >= MAX_CLEAN) {
            clean.clear();
        }
        clean.add(id);
    }

    /** A content change of {@code id} failed or was cut short, or the inode is gone. */
    void forget(long id) {
        clean.remove(id);
    }
}
