package io.dittofs.storage.cache;

import io.dittofs.core.spi.ContentRegion;
import io.dittofs.storage.block.file.FileBlockStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * {@link WriteBackCache#region}: dirty data is never sent from the file below (the cache's
 * {@code read} overlays it); once flushed, READs get the backing file's region again.
 */
@Timeout(30)
class WriteBackCacheRegionTest {
    @TempDir
    Path dir;

    @Test
    void shouldOfferBackingRegionOnlyWhenCacheHoldsNothingOfFile() throws IOException {
        try (WriteBackCache c = new WriteBackCache(new FileBlockStore(dir.resolve("blocks")),
                new WriteBackCache.Options(dir.resolve("wal"), 4L << 20, 8, 60_000)); Arena a = Arena.ofConfined()) {
            MemorySegment old = a.allocate(8192).fill((byte) 1);
            c.write(3, 0, old);
            c.flushAll();
            try (ContentRegion r = c.region(3, 0, 8192)) {
                assertNotNull(r, "clean: the backing file's region");
            }
            MemorySegment dirty = a.allocate(4096).fill((byte) 2);
            c.write(3, 4096, dirty); // in the WAL only: the file below still holds 1s there
            assertNull(c.region(3, 0, 8192), "dirty data must come from the cache");
            MemorySegment back = a.allocate(8192);
            c.read(3, 0, back);
            assertArrayEquals(dirty.toArray(ValueLayout.JAVA_BYTE), back.asSlice(4096).toArray(ValueLayout.JAVA_BYTE));
            c.flushAll();
            try (ContentRegion r = c.region(3, 0, 8192)) {
                assertNotNull(r, "flushed: the backing file's region again");
                MemorySegment got = a.allocate(4096);
                r.read(4096, got);
                assertArrayEquals(dirty.toArray(ValueLayout.JAVA_BYTE), got.toArray(ValueLayout.JAVA_BYTE));
            }
        }
    }
}
