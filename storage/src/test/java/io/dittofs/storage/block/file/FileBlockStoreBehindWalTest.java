package io.dittofs.storage.block.file;

import io.dittofs.core.spi.BlockStore;
import io.dittofs.core.spi.BlockStoreContract;
import io.dittofs.storage.cache.WriteBackCache;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/** The block-store contract through the write-back cache (the {@code cache} setting) over the in-place store. */
class FileBlockStoreBehindWalTest extends BlockStoreContract {
    @TempDir
    Path dir;

    @Override
    protected BlockStore newStore() {
        long n = System.nanoTime();
        return new WriteBackCache(new FileBlockStore(dir.resolve("blocks-" + n), 4),
                WriteBackCache.Options.defaults(dir.resolve("wal-" + n)));
    }
}
