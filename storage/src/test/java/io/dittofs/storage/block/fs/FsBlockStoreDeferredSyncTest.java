package io.dittofs.storage.block.fs;

import io.dittofs.core.spi.BlockStore;
import io.dittofs.core.spi.BlockStoreContract;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/** The block-store contract for the variant the write-back cache uses (whole-block writes forced at sync). */
class FsBlockStoreDeferredSyncTest extends BlockStoreContract {
    @TempDir
    Path dir;
    private Path current;

    @Override
    protected BlockStore newStore() {
        current = dir.resolve("blocks-" + System.nanoTime());
        return new FsBlockStore(current, true);
    }

    @Override
    protected BlockStore reopen(BlockStore s) {
        s.close();
        return new FsBlockStore(current, true);
    }
}
