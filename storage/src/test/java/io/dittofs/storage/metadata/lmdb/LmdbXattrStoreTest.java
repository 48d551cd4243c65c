package io.dittofs.storage.metadata.lmdb;

import io.dittofs.core.FileType;
import io.dittofs.core.Inode;
import io.dittofs.core.spi.MetadataStore;
import io.dittofs.core.spi.XattrStoreContract;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The extended-attribute contract on a real LMDB environment, plus what LMDB adds: persistence and key isolation. */
class LmdbXattrStoreTest extends XattrStoreContract {
    @TempDir
    Path tmp;

    private LmdbMetadataStore open() {
        return new LmdbMetadataStore(tmp.resolve("meta"), 1L << 20, 1L << 30);
    }

    @Override
    protected MetadataStore newStore() {
        return open();
    }

    @Test
    void shouldKeepAttributesWhenStoreReopens() {
        assertSurvivesReopen(this::open);
    }

    @Test
    void shouldNotMixAttributesWithCountersOrNeighbourInodes() {
        long a = 0x0300_0000_0000_0001L; // an id whose bytes look like the xattr tag
        store.write(t -> {
            t.put(new Inode(a, FileType.REGULAR, 0644, 1, 0, 0, 0, 1, 1, 1, 0, 0, 0, null));
            t.put(new Inode(a + 1, FileType.REGULAR, 0644, 1, 0, 0, 0, 1, 1, 1, 0, 0, 0, null));
            t.setXattr(a, "z", new byte[] {1});
            t.setXattr(a + 1, "a", new byte[] {2});
            t.addEntry(MetadataStore.ROOT_ID, "f", a);
            t.allocateId();
            return null;
        });
        assertEquals(List.of("z"), store.read(t -> t.listXattrs(a)));
        assertEquals(List.of("a"), store.read(t -> t.listXattrs(a + 1)));
        store.write(t -> {
            t.delete(a);
            return null;
        });
        assertNull(store.read(t -> t.getXattr(a, "z")));
        assertArrayEquals(new byte[] {2}, store.read(t -> t.getXattr(a + 1, "a")));
        assertEquals(a, store.read(t -> t.lookup(MetadataStore.ROOT_ID, "f")).child(), "entries untouched");
    }
}
