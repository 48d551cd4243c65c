package io.dittofs.core;

import io.dittofs.core.spi.BlockStore;
import io.dittofs.core.spi.MetadataStore;

/**
 * What the operation classes of one {@link FileSystem} share: its stores, whether the share is
 * read-only, and the clock. Immutable; thread-safe.
 */
final class FsBackend {
    private final MetadataStore meta;
    private final BlockStore blocks;
    private final boolean readOnly;
    private final FileSystem.Clock clock;

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
        T result = meta.write(work);
        meta.sync();
        return result;
    }

    void checkWritable() {
        if (readOnly) {
            throw Checks.readOnlyError();
        }
    }
}
