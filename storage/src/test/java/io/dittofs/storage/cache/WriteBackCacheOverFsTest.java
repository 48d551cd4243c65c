package io.dittofs.storage.cache;

import io.dittofs.core.spi.BlockStore;
import io.dittofs.core.spi.BlockStoreContract;
import io.dittofs.storage.block.fs.FsBlockStore;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/**
 * The block-store contract for the cache as the server runs it over a local directory. A restart
 * here is a crash: the flusher stops and the WAL is dropped unforced, so the reopened cache
 * rebuilds everything synced from its replay (writes, truncates, deletes).
 */
class WriteBackCacheOverFsTest extends BlockStoreContract {
    @TempDir
    Path dir;
    private Path current;
    private FsBlockStore backing;

    @Override
    protected BlockStore newStore() {
        current = dir.resolve("c" + System.nanoTime());
        return open();
    }

    private WriteBackCache open() {
        backing = new FsBlockStore(current.resolve("blocks"), true);
        return new WriteBackCache(backing, new WriteBackCache.Options(current.resolve("wal"), 4L << 20, 8, 5));
    }

    @Override
    protected BlockStore reopen(BlockStore s) {
        ((WriteBackCache) s).abandonForTest();
        backing.close();
        return open();
    }
}
