package io.dittofs.storage.metadata.memory;

import io.dittofs.core.Inode;
import io.dittofs.core.FileType;
import io.dittofs.core.spi.MetadataStore;
import io.dittofs.core.spi.MetadataStoreContract;
import io.dittofs.core.spi.MetadataTxn;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class MemoryMetadataStoreTest extends MetadataStoreContract {

    @Override
    protected MetadataStore newStore() {
        return new MemoryMetadataStore();
    }

    @Test
    void shouldStartIdsRightAfterRoot() {
        assertEquals(MetadataStore.ROOT_ID + 1, store.write(MetadataTxn::allocateId));
    }

    @Test
    void shouldStartCookiesAtOne() {
        assertEquals(1, store.write(t -> t.addEntry(MetadataStore.ROOT_ID, "a", 2)).cookie());
        assertEquals(2, store.write(t -> t.addEntry(MetadataStore.ROOT_ID, "b", 3)).cookie());
    }

    @Test
    void shouldCountInodesInStats() {
        store.write(t -> {
            t.put(new Inode(5, FileType.REGULAR, 0644, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, null));
            return null;
        });
        assertEquals(1, store.stats().files());
    }

    @Test
    void shouldRefuseUseOfEscapedTxn() {
        MetadataTxn[] leaked = new MetadataTxn[1];
        store.read(t -> leaked[0] = t);
        assertThrows(IllegalStateException.class, () -> leaked[0].get(1));
    }

    @Test
    void shouldFailWhenClosed() {
        store.close();
        assertThrows(RuntimeException.class, () -> store.read(t -> t.get(1)));
    }
}
