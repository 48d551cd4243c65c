package io.dittofs.storage.block.file;

import io.dittofs.core.spi.BlockStore;
import io.dittofs.core.spi.BlockStoreContract;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/** The block-store contract on the in-place local-file store (a small channel cache, so eviction is exercised). */
class FileBlockStoreTest extends BlockStoreContract {
    @TempDir
    Path dir;

    private Path root;

    @Override
    protected BlockStore newStore() {
        root = dir.resolve("blocks-" + System.nanoTime());
        return new FileBlockStore(root, 4);
    }

    @Override
    protected BlockStore reopen(BlockStore s) {
        s.close();
        return new FileBlockStore(root, 4);
    }
}
