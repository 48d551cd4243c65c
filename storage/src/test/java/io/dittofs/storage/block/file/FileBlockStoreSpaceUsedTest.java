package io.dittofs.storage.block.file;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A file's {@code used} after writes (issue 9.4): a write that only overwrites blocks a file already
 * has (within its size, no holes) costs no {@code stat}; one that extends the file or fills a hole
 * is measured again.
 */
class FileBlockStoreSpaceUsedTest {
    @TempDir
    Path dir;

    private static MemorySegment data(Arena a, int len) {
        return a.allocate(len).fill((byte) 7);
    }

    @Test
    void shouldNotStatWhenWriteOnlyOverwritesAllocatedBlocks() {
        try (FileBlockStore s = new FileBlockStore(dir.resolve("b")); Arena a = Arena.ofConfined()) {
            s.write(1, 0, data(a, 16 * 1024));
            long used = s.spaceUsed(1, 16 * 1024);
            assertEquals(16 * 1024, used);
            long stats = s.allocationStats();
            for (int i = 0; i < 4; i++) {
                s.write(1, i * 4096L, data(a, 4096));
                assertEquals(used, s.spaceUsed(1, 16 * 1024));
            }
            assertEquals(stats, s.allocationStats(), "overwrites of allocated blocks are not measured again");
            s.write(1, 16 * 1024, data(a, 4096));
            assertEquals(20 * 1024, s.spaceUsed(1, 20 * 1024), "an extending write is measured");
            assertEquals(stats + 1, s.allocationStats());
        }
    }

    @Test
    void shouldStatWhenWriteFillsAHoleWithinTheFile() {
        try (FileBlockStore s = new FileBlockStore(dir.resolve("b")); Arena a = Arena.ofConfined()) {
            s.write(1, 64 * 1024, data(a, 4096)); // 0..64 KiB is a hole
            assertEquals(4096, s.spaceUsed(1, 68 * 1024));
            s.write(1, 0, data(a, 4096));
            assertEquals(8192, s.spaceUsed(1, 68 * 1024), "a hole filled within the size takes a block");
        }
    }
}
