package io.dittofs.storage.block.fs;

import io.dittofs.core.spi.BlockStore;
import io.dittofs.core.spi.BlockStoreContract;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/** The block-store contract for the variant the write-back cache uses (whole-block writes forced at sync). */
class FsBlockStoreDeferredSyncTest extends BlockStoreContract {
    @TempDir
    Path dir;

    @Override
    protected BlockStore newStore() {
        return new FsBlockStore(dir.resolve("blocks-" + System.nanoTime()), true);
    }
}
