package io.dittofs.core.spi;

import io.dittofs.core.DirEntry;
import io.dittofs.core.Inode;

/**
 * A read-only {@link MetadataTxn}: every mutator throws {@link UnsupportedOperationException}.
 * Backends implement the readers; their write transactions override the mutators.
 */
public interface ReadOnlyMetadataTxn extends MetadataTxn {

    @Override
    default void put(Inode inode) {
        throw readOnly();
    }

    @Override
    default void delete(long id) {
        throw readOnly();
    }

    @Override
    default long allocateId() {
        throw readOnly();
    }

    @Override
    default DirEntry addEntry(long dir, String name, long child) {
        throw readOnly();
    }

    @Override
    default boolean removeEntry(long dir, String name) {
        throw readOnly();
    }

    @Override
    default void setXattr(long id, String name, byte[] value) {
        throw readOnly();
    }

    @Override
    default boolean removeXattr(long id, String name) {
        throw readOnly();
    }

    private static UnsupportedOperationException readOnly() {
        return new UnsupportedOperationException("read-only transaction");
    }
}
