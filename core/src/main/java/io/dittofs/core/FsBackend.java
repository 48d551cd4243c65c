package io.dittofs.core;

import io.dittofs.core.spi.BlockStore;
import io.dittofs.core.spi.MetadataStore;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * What the operation classes of one {@link FileSystem} share: its stores, whether the share is
 * read-only, the clock, and the {@link ContentGuard} that keeps sizes and content in step.
 * Thread-safe.
 */
final class FsBackend {
    private final MetadataStore meta;
    private final BlockStore blocks;
    private final boolean readOnly;
    private final FileSystem.Clock clock;
    private final ContentGuard guard = new ContentGuard();

    FsBackend(MetadataStore meta, BlockStore blocks, boolean readOnly, FileSystem.Clock clock) {
        this.meta = meta;
        this.blocks = blocks;
        this.readOnly = readOnly;
        this.clock = clock;
    }

    MetadataStore meta() {
        return meta;
    }

    BlockStore blocks() {
        return blocks;
    }

    boolean readOnly() {
        return readOnly;
    }

    ContentGuard guard() {
        return guard;
    }

    long now() {
        return clock.nowNanos();
    }

    Inode getattr(long id) {
        return meta.read(t -> Checks.require(t, id));
    }

    /**
     * A namespace or attribute change: one atomic transaction, made durable before the caller
     * acknowledges it (NFSv3 servers must commit metadata changes before replying).
     */
    <T> T mutate(MetadataStore.TxnWork<T> work) {
        return meta.writeAndSync(work);
    }

    /**
     * Makes the content of {@code id} and every committed metadata change durable (COMMIT). The
     * two flushes are independent, so they overlap: the metadata flush runs on a second virtual
     * thread while the caller forces the content, and a COMMIT waits for one flush round instead
     * of two in a row. Both always finish before this returns; the first failure is thrown.
     */
    void syncContentAndMeta(long id) {
        FutureTask<Void> metaSync = new FutureTask<>(() -> {
            meta.sync();
            return null;
        });
        Thread.ofVirtual().name("meta-sync-", id).start(metaSync);
        RuntimeException failure = null;
        try {
            blocks.sync(id);
        } catch (RuntimeException e) {
            failure = e;
        }
        boolean interrupted = false;
        while (true) {
            try {
                metaSync.get();
                break;
            } catch (InterruptedException e) {
                interrupted = true; // the flush runs on; its result still decides the reply
            } catch (ExecutionException e) {
                if (e.getCause() instanceof Error err) {
                    throw err;
                }
                if (failure == null) {
                    failure = e.getCause() instanceof RuntimeException re ? re
                            : new FsException(FsError.IO, "metadata sync failed", e.getCause());
                }
                break;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (failure != null) {
            throw failure;
        }
    }

    /**
     * Before {@code id} grows: unless it is known clean, cuts its content at the current size and
     * makes the cut durable, so no byte a crash left past the end of file (a write that was never
     * acknowledged, content a truncate had not cut yet) becomes readable, whatever a power loss
     * keeps. Takes the inode's exclusive lock; the caller must hold none of its locks.
     *
     * @throws FsException STALE if the inode is gone
     */
    void ensureCleanPastEof(long id) {
        if (guard.isClean(id)) {
            return;
        }
        var lock = guard.exclusive(id);
        lock.lock();
        try {
            if (!guard.isClean(id)) {
                long size = getattr(id).size();
                blocks.truncate(id, size);
                blocks.sync(id);
                guard.markClean(id);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Frees the content of a file that lost its last link, after the metadata change committed:
     * waits for writes in flight (they then fail with STALE), so none can recreate content of
     * the dead inode.
     */
    void freeContent(long id) {
        var lock = guard.exclusive(id);
        lock.lock();
        try {
            guard.forget(id);
            blocks.delete(id);
        } finally {
            lock.unlock();
        }
    }

    void checkWritable() {
        if (readOnly) {
            throw Checks.readOnlyError();
        }
    }
}
