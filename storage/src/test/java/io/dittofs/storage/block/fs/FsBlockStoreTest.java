package io.dittofs.storage.block.fs;

import io.dittofs.core.spi.BlockStore;
import io.dittofs.core.spi.BlockStoreContract;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

class FsBlockStoreTest extends BlockStoreContract {
    @TempDir
    Path dir;
    private Path current;

    @Override
    protected BlockStore newStore() {
        current = dir.resolve("blocks-" + System.nanoTime());
        return new FsBlockStore(current);
    }

    @Override
    protected BlockStore reopen(BlockStore s) {
        s.close();
        return new FsBlockStore(current);
    }

    @Test
    void shouldKeepContentAcrossReopen() {
        Path root = dir.resolve("persist");
        MemorySegment data = Arena.ofAuto().allocate(3 * FsBlockStore.BLOCK_SIZE + 17);
        for (long i = 0; i < data.byteSize(); i++) {
            data.set(ValueLayout.JAVA_BYTE, i, (byte) (i * 7));
        }
        try (FsBlockStore s = new FsBlockStore(root)) {
            s.write(42, 100, data);
            s.sync(42);
        }
        try (FsBlockStore s = new FsBlockStore(root)) {
            MemorySegment back = Arena.ofAuto().allocate(data.byteSize());
            s.read(42, 100, back);
            assertEquals(-1, back.mismatch(data));
            assertEquals(data.byteSize() + 100, s.usedBytes());
        }
    }

    @Test
    void shouldLeaveNoTemporaryFilesOrTrashBehind() throws Exception {
        Path root = dir.resolve("clean");
        try (FsBlockStore s = new FsBlockStore(root)) {
            MemorySegment data = Arena.ofAuto().allocate(2 * FsBlockStore.BLOCK_SIZE);
            s.write(7, 5, data);
            s.truncate(7, 1000);
            s.write(8, 0, data);
            s.delete(8);
        }
        try (Stream<Path> files = Files.walk(root)) {
            assertFalse(files.anyMatch(p -> p.toString().endsWith(".tmp")));
        }
        try (Stream<Path> trash = Files.list(root.resolve(".trash"))) {
            assertEquals(0, trash.count());
        }
    }
}
