package io.dittofs.storage.block.file;

import io.dittofs.storage.block.fs.FsBlockStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Opening a directory written by the earlier block-file store ({@link FsBlockStore}) converts it without losing a byte. */
class FileBlockStoreMigrationTest {
    private static final int MIB = 1 << 20;

    @TempDir
    Path dir;

    private static byte[] bytes(int len, int seed) {
        byte[] b = new byte[len];
        for (int i = 0; i < len; i++) {
            b[i] = (byte) (i * 31 + seed);
        }
        return b;
    }

    private static void write(io.dittofs.core.spi.BlockStore s, long id, long off, byte[] data) {
        s.write(id, off, MemorySegment.ofArray(data));
    }

    private static byte[] read(io.dittofs.core.spi.BlockStore s, long id, long off, int len) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment dst = a.allocate(len).fill((byte) 0x5A);
            s.read(id, off, dst);
            return dst.toArray(ValueLayout.JAVA_BYTE);
        }
    }

    /** Every entry under the fan-out directories (relative paths). */
    private static List<String> entries(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(p -> !p.equals(root) && !Files.isDirectory(p)).map(p -> root.relativize(p).toString())
                    .sorted().toList();
        }
    }

    @Test
    void shouldServeEveryFileOfTheEarlierLayoutAfterConvertingIt() throws Exception {
        Path root = dir.resolve("blocks");
        byte[] head = bytes(3 * MIB + 123, 1);
        byte[] far = bytes(500, 2);
        byte[] small = bytes(10, 3);
        byte[] cut = bytes(2 * MIB, 4);
        try (FsBlockStore old = new FsBlockStore(root)) {
            write(old, 42, 0, head);
            write(old, 42, 5L * MIB + 7, far); // blocks 3 and 4 are never written
            write(old, 300, 0, small);
            write(old, 7, 0, bytes(4096, 5));
            old.delete(7);
            write(old, 8, 0, cut);
            old.truncate(8, 1000);
            for (long id : new long[] {42, 300, 7, 8}) {
                old.sync(id);
            }
        }
        assertTrue(Files.isDirectory(root.resolve("2a").resolve("42")), "the earlier layout: a directory per file");

        for (int open = 0; open < 2; open++) { // converted at the first open, untouched at the second
            try (FileBlockStore s = new FileBlockStore(root)) {
                assertArrayEquals(head, read(s, 42, 0, head.length), "open " + open);
                assertArrayEquals(new byte[2 * MIB - 116], read(s, 42, 3L * MIB + 123, 2 * MIB - 116), "hole");
                assertArrayEquals(far, read(s, 42, 5L * MIB + 7, far.length));
                assertArrayEquals(new byte[64], read(s, 42, 5L * MIB + 507, 64), "nothing past the end");
                assertArrayEquals(small, read(s, 300, 0, small.length));
                assertArrayEquals(new byte[4096], read(s, 7, 0, 4096), "deleted content stays deleted");
                assertArrayEquals(java.util.Arrays.copyOf(cut, 1000), read(s, 8, 0, 1000));
                assertArrayEquals(new byte[4096], read(s, 8, 1000, 4096), "the cut stays cut");
                assertEquals(List.of("08/8", "2a/42", "2c/300"), entries(root), "one file per inode, nothing else");
                Path f42 = root.resolve("2a").resolve("42");
                assertEquals(5L * MIB + 507, Files.size(f42));
                long allocated = NativeStat.allocated(f42);
                assertTrue(allocated < 5L * MIB, "blocks never written stay holes: " + allocated);
                assertEquals(allocated + NativeStat.allocated(root.resolve("2c").resolve("300"))
                        + NativeStat.allocated(root.resolve("08").resolve("8")), s.usedBytes());
                write(s, 300, 5, bytes(3, 9)); // in place from now on
                System.arraycopy(bytes(3, 9), 0, small, 5, 3);
            }
        }
    }

    @Test
    void shouldFinishAnInterruptedConversionWhenOpenedAgain() throws Exception {
        Path root = dir.resolve("interrupted");
        byte[] one = bytes(2 * MIB + 5, 1);
        byte[] two = bytes(MIB + 9, 2);
        byte[] threeOld = bytes(4096, 3);
        try (FsBlockStore old = new FsBlockStore(root)) {
            write(old, 1, 0, one);
            write(old, 2, 0, two);
            write(old, 3, 0, threeOld);
            for (long id = 1; id <= 3; id++) {
                old.sync(id);
            }
        }
        // 1: cut while building 1.new next to the block directory
        Files.write(root.resolve("01").resolve("1.new"), bytes(100, 7));
        // 2: cut after the block directory was renamed away (2.new is not trusted: rebuilt)
        Files.move(root.resolve("02").resolve("2"), root.resolve("02").resolve("2.old"));
        Files.write(root.resolve("02").resolve("2.new"), bytes(100, 8));
        // 3: cut after 3 was converted, before its blocks were removed: the file wins
        byte[] threeNew = bytes(5000, 4);
        Files.move(root.resolve("03").resolve("3"), root.resolve("03").resolve("3.old"));
        Files.write(root.resolve("03").resolve("3"), threeNew);

        try (FileBlockStore s = new FileBlockStore(root)) {
            assertArrayEquals(one, read(s, 1, 0, one.length));
            assertArrayEquals(new byte[10], read(s, 1, one.length, 10));
            assertArrayEquals(two, read(s, 2, 0, two.length));
            assertArrayEquals(new byte[10], read(s, 2, two.length, 10));
            assertArrayEquals(threeNew, read(s, 3, 0, threeNew.length));
        }
        assertEquals(List.of("01/1", "02/2", "03/3"), entries(root));
        assertFalse(Files.exists(root.resolve(".trash")), "the conversion is finished");
    }
}
