package io.dittofs.storage.block.s3;

import io.dittofs.storage.cache.WriteBackCache;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The S3 store behind the write-back cache, as the server runs it. */
class S3BlockStoreCacheTest {
    static S3MockServer server;

    @TempDir
    Path dir;

    @BeforeAll
    static void startServer() {
        server = S3MockServer.get();
        server.createBucket("dittofs-cache-test");
    }

    @Test
    void shouldFlushThroughTheCacheAndReadBackFromAFreshStore() {
        String prefix = "cache-" + UUID.randomUUID();
        S3BlockStore.Config config = server.config("dittofs-cache-test", prefix);
        MemorySegment a = S3BlockStoreTest.pattern(2L * S3BlockStore.BLOCK_SIZE + 1234);
        MemorySegment b = S3BlockStoreTest.pattern(5000);
        try (WriteBackCache cache = new WriteBackCache(new S3BlockStore(config),
                new WriteBackCache.Options(dir.resolve("wal"), 4L << 20, 8, 10))) {
            // small unaligned writes the cache coalesces into blocks
            for (long off = 0; off < a.byteSize(); off += 65_536) {
                long n = Math.min(65_536, a.byteSize() - off);
                cache.write(1, off, a.asSlice(off, n));
            }
            cache.write(2, 3 * S3BlockStore.BLOCK_SIZE - 100, b);
            cache.truncate(2, 3 * S3BlockStore.BLOCK_SIZE + 900);
            cache.sync(1);
            cache.sync(2);
        }
        try (S3BlockStore s = new S3BlockStore(config)) {
            MemorySegment back = Arena.ofAuto().allocate(a.byteSize());
            s.read(1, 0, back);
            assertEquals(-1, back.mismatch(a));
            MemorySegment back2 = Arena.ofAuto().allocate(1000);
            s.read(2, 3 * S3BlockStore.BLOCK_SIZE - 100, back2);
            assertEquals(-1, back2.mismatch(b.asSlice(0, 1000)));
            assertEquals(a.byteSize() + 3 * S3BlockStore.BLOCK_SIZE + 900 - 2 * S3BlockStore.BLOCK_SIZE, s.usedBytes());
        }
    }
}
