package io.dittofs.storage.block.s3;

import io.dittofs.core.FsException;
import io.dittofs.core.spi.BlockStore;
import io.dittofs.core.spi.BlockStoreContract;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The block store contract against a real S3-compatible server (S3Mock), a fresh prefix per test. */
class S3BlockStoreTest extends BlockStoreContract {
    static final String BUCKET = "dittofs-test";
    static S3MockServer server;

    @BeforeAll
    static void startServer() {
        server = S3MockServer.get();
        server.createBucket(BUCKET);
    }

    private String current;

    @Override
    protected BlockStore newStore() {
        current = "t-" + UUID.randomUUID();
        return new S3BlockStore(server.config(BUCKET, current));
    }

    @Override
    protected BlockStore reopen(BlockStore s) {
        s.close();
        return new S3BlockStore(server.config(BUCKET, current));
    }

    static MemorySegment pattern(long size) {
        MemorySegment data = Arena.ofAuto().allocate(size);
        for (long i = 0; i < size; i++) {
            data.set(ValueLayout.JAVA_BYTE, i, (byte) (i * 7 + 3));
        }
        return data;
    }

    /** key (without the prefix) to size. */
    static Map<String, Long> objects(String prefix) {
        Map<String, Long> r = new TreeMap<>();
        try (S3AsyncClient c = server.client()) {
            for (S3Object o : c.listObjectsV2(b -> b.bucket(BUCKET).prefix(prefix + "/")).join().contents()) {
                r.put(o.key().substring(prefix.length() + 1), o.size());
            }
        }
        return r;
    }

    @Test
    void shouldLayOutBlocksAsObjectsPerBlockIndex() {
        String prefix = "layout-" + UUID.randomUUID();
        try (S3BlockStore s = new S3BlockStore(server.config(BUCKET, prefix + "/"))) {
            s.write(42, 0, pattern(2 * S3BlockStore.BLOCK_SIZE + 500));
            s.write(42, 5L * S3BlockStore.BLOCK_SIZE + 10, pattern(20));
            assertEquals(Map.of("42/0", (long) S3BlockStore.BLOCK_SIZE, "42/1", (long) S3BlockStore.BLOCK_SIZE,
                    "42/2", 500L, "42/5", 30L), objects(prefix));
            s.truncate(42, S3BlockStore.BLOCK_SIZE + 100);
            assertEquals(Map.of("42/0", (long) S3BlockStore.BLOCK_SIZE, "42/1", 100L), objects(prefix));
            assertEquals(S3BlockStore.BLOCK_SIZE + 100, s.usedBytes());
            s.delete(42);
            assertTrue(objects(prefix).isEmpty());
        }
    }

    @Test
    void shouldKeepContentAndUsageAcrossReopen() {
        String prefix = "persist-" + UUID.randomUUID();
        MemorySegment data = pattern(3L * S3BlockStore.BLOCK_SIZE + 17);
        try (S3BlockStore s = new S3BlockStore(server.config(BUCKET, prefix))) {
            s.write(7, 100, data);
            s.write(8, 0, pattern(10));
            s.sync(7);
        }
        try (S3BlockStore s = new S3BlockStore(server.config(BUCKET, prefix))) {
            assertEquals(data.byteSize() + 100 + 10, s.usedBytes());
            MemorySegment back = Arena.ofAuto().allocate(data.byteSize());
            s.read(7, 100, back);
            assertEquals(-1, back.mismatch(data));
            s.delete(7);
            assertEquals(10, s.usedBytes());
        }
    }

    @Test
    void shouldFailWithIoErrorWhenBucketIsMissing() {
        FsException e = assertThrows(FsException.class,
                () -> new S3BlockStore(server.config("no-such-bucket-" + System.nanoTime(), null)));
        assertEquals(io.dittofs.core.FsError.IO, e.error());
    }

    @Test
    void shouldNotShowTheSecretInItsConfiguration() {
        S3BlockStore.Config c = server.config(BUCKET, "x");
        assertFalse(c.toString().contains(S3MockServer.SECRET_KEY), c.toString());
    }
}
