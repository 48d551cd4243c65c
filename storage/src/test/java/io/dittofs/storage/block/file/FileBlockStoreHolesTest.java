package io.dittofs.storage.block.file;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Holes in {@link FileBlockStore}'s content files: DEALLOCATE really frees blocks (measured with
 * coreutils' {@code stat -c %b}, independent of the store's own {@code stat} call), ALLOCATE
 * really reserves them, and SEEK_DATA/SEEK_HOLE answers are the file system's, exact to the block.
 */
@Timeout(60)
class FileBlockStoreHolesTest {
    private static final long MIB = 1 << 20;
    private static final long K64 = 64 * 1024;

    @TempDir
    Path dir;
    private FileBlockStore store;
    private Arena arena;

    @BeforeEach
    void open() {
        store = new FileBlockStore(dir.resolve("blocks"));
        arena = Arena.ofConfined();
    }

    @AfterEach
    void close() {
        store.close();
        arena.close();
    }

    private Path file(long id) {
        return dir.resolve("blocks").resolve(String.format("%02x", id & 0xff)).resolve(Long.toString(id));
    }

    /** st_blocks * 512 of a content file, from coreutils' stat. */
    private long allocated(long id) throws IOException, InterruptedException {
        Process pr = new ProcessBuilder("stat", "-c", "%b", file(id).toString()).redirectErrorStream(true).start();
        String out = new String(pr.getInputStream().readAllBytes()).trim();
        assertEquals(0, pr.waitFor(), out);
        return Long.parseLong(out) * 512;
    }

    private MemorySegment pattern(long len, int seed) {
        MemorySegment s = arena.allocate(len);
        for (long i = 0; i < len; i++) {
            s.set(ValueLayout.JAVA_BYTE, i, (byte) (i * 31 + seed + 1));
        }
        return s;
    }

    private byte[] read(long id, long off, long len) {
        MemorySegment m = arena.allocate(len);
        m.fill((byte) 0x5A);
        store.read(id, off, m);
        return m.toArray(ValueLayout.JAVA_BYTE);
    }

    @Test
    void shouldFreeBlocksAndReadZerosWhenDeallocating() throws Exception {
        MemorySegment data = pattern(8 * MIB, 1);
        store.write(7, 0, data);
        store.sync(7);
        long before = allocated(7);
        assertTrue(before >= 8 * MIB, "written: " + before);

        store.deallocate(7, MIB + 100, 6 * MIB); // unaligned ends: partial blocks are zeroed, whole ones freed
        long after = allocated(7);
        assertTrue(before - after >= 6 * MIB - 8192, "freed " + (before - after) + " bytes of " + before);
        assertEquals(8 * MIB, Files.size(file(7)), "the length stays");

        byte[] expect = data.toArray(ValueLayout.JAVA_BYTE);
        java.util.Arrays.fill(expect, (int) (MIB + 100), (int) (7 * MIB + 100), (byte) 0);
        assertArrayEquals(expect, read(7, 0, 8 * MIB));
    }

    @Test
    void shouldAnswerSeekDataAndSeekHoleFromTheFileSystem() {
        store.write(8, 0, pattern(K64, 2));
        store.write(8, MIB, pattern(K64, 3));
        assertEquals(K64, store.nextHole(8, 0));
        assertEquals(MIB, store.nextData(8, K64));
        assertEquals(MIB + 10, store.nextData(8, MIB + 10));
        assertEquals(MIB + K64, store.nextHole(8, MIB), "the hole at the end of the stored content");
        assertEquals(Long.MAX_VALUE, store.nextData(8, MIB + K64), "no data past the end");
        assertEquals(5 * MIB, store.nextHole(8, 5 * MIB), "past the end everything is a hole");

        store.deallocate(8, 0, K64);
        assertEquals(MIB, store.nextData(8, 0), "the punched range is a hole now");
        assertEquals(0, store.nextHole(8, 0));
        assertEquals(Long.MAX_VALUE, store.nextData(99, 0), "unknown content is one hole");
        assertEquals(3, store.nextHole(99, 3));
    }

    @Test
    void shouldReserveBlocksWhenAllocating() throws Exception {
        store.write(9, 0, pattern(4096, 4));
        store.allocate(9, 0, 4 * MIB);
        assertTrue(allocated(9) >= 4 * MIB, "reserved: " + allocated(9));
        byte[] r = read(9, 4096, 4 * MIB - 4096);
        assertArrayEquals(new byte[(int) (4 * MIB - 4096)], r, "reserved blocks read as zeros");
        assertArrayEquals(pattern(4096, 4).toArray(ValueLayout.JAVA_BYTE), read(9, 0, 4096), "data kept");
    }
}
