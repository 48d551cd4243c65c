package io.dittofs.storage.block.s3;

import io.dittofs.core.spi.BlockStore;
import io.dittofs.core.spi.BlockStoreContract;
import io.dittofs.storage.cache.WriteBackCache;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.UUID;

/**
 * The block-store contract for the cache in front of S3 (S3Mock), a fresh prefix and WAL per
 * test. A restart closes the cache cleanly; the reopened one still replays the records of the
 * WAL's last segment onto the bucket.
 */
class S3WriteBackCacheTest extends BlockStoreContract {
    static final String BUCKET = "dittofs-cache-contract";
    static S3MockServer server;

    @TempDir
    Path dir;
    private String prefix;

    @BeforeAll
    static void startServer() {
        server = S3MockServer.get();
        server.createBucket(BUCKET);
    }

    @Override
    protected BlockStore newStore() {
        prefix = "c-" + UUID.randomUUID();
        return open();
    }

    private WriteBackCache open() {
        return new WriteBackCache(new S3BlockStore(server.config(BUCKET, prefix)),
                new WriteBackCache.Options(dir.resolve(prefix), 4L << 20, 8, 5));
    }

    @Override
    protected BlockStore reopen(BlockStore s) {
        s.close();
        return open();
    }
}
