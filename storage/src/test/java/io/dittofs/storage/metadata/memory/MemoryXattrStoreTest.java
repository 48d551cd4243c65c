package io.dittofs.storage.metadata.memory;

import io.dittofs.core.spi.MetadataStore;
import io.dittofs.core.spi.XattrStoreContract;

/** The extended-attribute contract on the heap store. */
class MemoryXattrStoreTest extends XattrStoreContract {

    @Override
    protected MetadataStore newStore() {
        return new MemoryMetadataStore();
    }
}
