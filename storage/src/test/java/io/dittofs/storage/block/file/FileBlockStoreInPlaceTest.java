package io.dittofs.storage.block.file;

import io.dittofs.core.FsError;
import io.dittofs.core.FsException;
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
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Layout and in-place behaviour of {@link FileBlockStore}: one sparse file per inode, positional writes, limits. */
class FileBlockStoreInPlaceTest {
    private static final long MIB = 1 << 20;

    @TempDir
    Path dir;

    private static MemorySegment pattern(Arena a, long len, int seed) {
        MemorySegment s = a.allocate(len);
        for (long i = 0; i < len; i++) {
            s.set(ValueLayout.JAVA_BYTE, i, (byte) (i * 31 + seed));
        }
        return s;
    }

    /** Blocks the file system allocated to {@code p} (st_blocks, 512-byte units), from coreutils' stat. */
    private static long allocated512(Path p) throws IOException, InterruptedException {
        Process pr = new ProcessBuilder("stat", "-c", "%b", p.toString()).redirectErrorStream(true).start();
        String out = new String(pr.getInputStream().readAllBytes()).trim();
        assertEquals(0, pr.waitFor(), out);
        return Long.parseLong(out);
    }

    /** st_blocks * 512 of content files 1..n. */
    private static long allocatedOf(Path root, int n) throws IOException, InterruptedException {
        long total = 0;
        for (int id = 1; id <= n; id++) {
            total += allocated512(root.resolve(String.format("%02x", id)).resolve(Integer.toString(id))) * 512;
        }
        return total;
    }

    private static List<Path> files(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile).toList();
        }
    }

    @Test
    void shouldUpdateTheSameFileInPlaceWhenWritingInsideIt() throws Exception {
        Path root = dir.resolve("blocks");
        try (FileBlockStore s = new FileBlockStore(root); Arena a = Arena.ofConfined()) {
            MemorySegment big = pattern(a, 8 * MIB, 1);
            s.write(42, 0, big);
            s.sync(42);
            Path file = root.resolve("2a").resolve("42");
            Object inode = Files.getAttribute(file, "unix:ino");
            long blocks = allocated512(file);

            MemorySegment patch = pattern(a, 4096, 9);
            s.write(42, 4 * MIB + 512, patch);
            s.sync(42);

            assertEquals(List.of(file), files(root), "one file per inode, no temporary files");
            assertEquals(inode, Files.getAttribute(file, "unix:ino"), "the file was not replaced");
            assertEquals(blocks, allocated512(file), "a 4 KiB overwrite allocates nothing new");
            assertEquals(8 * MIB, Files.size(file));
            MemorySegment back = a.allocate(8 * MIB);
            s.read(42, 0, back);
            MemorySegment.copy(patch, 0, big, 4 * MIB + 512, 4096);
            assertEquals(-1, back.mismatch(big));
        }
    }

    @Test
    void shouldKeepHolesAsHolesWhenWritingFarApart() throws Exception {
        Path root = dir.resolve("holes");
        try (FileBlockStore s = new FileBlockStore(root); Arena a = Arena.ofConfined()) {
            s.write(7, 0, pattern(a, 4096, 1));
            s.write(7, 1024 * MIB, pattern(a, 4096, 2));
            s.sync(7);
            Path file = root.resolve("07").resolve("7");
            assertEquals(1024 * MIB + 4096, Files.size(file));
            assertTrue(allocated512(file) * 512 < MIB, "1 GiB hole allocated " + allocated512(file) * 512 + " bytes");
            MemorySegment hole = a.allocate(64 * 1024).fill((byte) 0x5A);
            s.read(7, 512 * MIB, hole);
            assertEquals(-1, hole.mismatch(a.allocate(64 * 1024)));
        }
    }

    @Test
    void shouldCountAllocatedBytesNotHolesInUsedBytes() throws Exception {
        Path root = dir.resolve("used");
        try (FileBlockStore s = new FileBlockStore(root); Arena a = Arena.ofConfined()) {
            assertEquals(0, s.usedBytes());
            s.write(9, 0, pattern(a, 4096, 1));
            s.write(9, 1L << 40, pattern(a, 4096, 2)); // a 1 TiB hole
            s.write(10, 0, pattern(a, 3 * MIB, 3));
            Path f9 = root.resolve("09").resolve("9");
            Path f10 = root.resolve("0a").resolve("10");
            long allocated = (allocated512(f9) + allocated512(f10)) * 512;
            assertTrue(allocated >= 3 * MIB + 8192 && allocated < 4 * MIB, "allocated " + allocated);
            assertEquals(allocated, s.usedBytes(), "used bytes are st_blocks * 512, holes are free");
            long usable = Files.getFileStore(root).getUsableSpace();
            long free = s.capacityBytes() - s.usedBytes();
            assertTrue(Math.abs(free - usable) < 1L << 30, "FSSTAT free " + free + " is the file system's " + usable);
            s.truncate(10, MIB);
            assertEquals((allocated512(f9) + allocated512(f10)) * 512, s.usedBytes(), "a cut frees its blocks");
            s.delete(9);
            s.delete(10);
            assertEquals(0, s.usedBytes());
        }
    }

    @Test
    void shouldMeasureUsedBytesOfEvictedAndReopenedFiles() throws Exception {
        Path root = dir.resolve("evict");
        try (Arena a = Arena.ofConfined()) {
            long total;
            try (FileBlockStore s = new FileBlockStore(root, 2)) {
                for (int id = 1; id <= 8; id++) { // 2 open channels: most files are evicted after their write
                    s.write(id, (long) id << 30, pattern(a, 8192, id));
                }
                total = allocatedOf(root, 8);
                assertEquals(total, s.usedBytes());
                s.write(3, 0, pattern(a, 4096, 9)); // reopened, grows
                assertTrue(allocatedOf(root, 8) > total);
                total = allocatedOf(root, 8);
                assertEquals(total, s.usedBytes());
            }
            try (FileBlockStore s = new FileBlockStore(root, 2)) {
                assertEquals(total, s.usedBytes(), "measured again at open");
            }
        }
    }

    @Test
    void shouldKeepContentAndUsedBytesAcrossReopen() throws Exception {
        Path root = dir.resolve("persist");
        try (Arena a = Arena.ofConfined()) {
            MemorySegment data = pattern(a, 3 * MIB + 17, 3);
            try (FileBlockStore s = new FileBlockStore(root)) {
                s.write(42, 100, data);
                s.sync(42);
            }
            try (FileBlockStore s = new FileBlockStore(root)) {
                MemorySegment back = a.allocate(data.byteSize());
                s.read(42, 100, back);
                assertEquals(-1, back.mismatch(data));
                assertEquals(allocated512(root.resolve("2a").resolve("42")) * 512, s.usedBytes());
            }
        }
    }

    @Test
    void shouldRefuseWritesAndTruncatesPastTheLargestFileWithoutOverflow() {
        try (FileBlockStore s = new FileBlockStore(dir.resolve("limits")); Arena a = Arena.ofConfined()) {
            long max = s.maxFileSize();
            assertTrue(max > 0);
            MemorySegment data = pattern(a, 4096, 5);
            for (long off : new long[] {Long.MAX_VALUE - 10, Long.MAX_VALUE - 4095, max - 4095}) {
                FsException e = assertThrows(FsException.class, () -> s.write(1, off, data), "offset " + off);
                assertEquals(FsError.FILE_TOO_LARGE, e.error());
            }
            assertEquals(FsError.FILE_TOO_LARGE, assertThrows(FsException.class, () -> s.truncate(1, max + 1)).error());
            if (max < Long.MAX_VALUE) { // the largest file the file system takes: its last bytes work
                s.write(1, max - 4096, data);
                MemorySegment back = a.allocate(4096);
                s.read(1, max - 4096, back);
                assertEquals(-1, back.mismatch(data));
            }
            MemorySegment far = a.allocate(64).fill((byte) 0x5A);
            s.read(1, Long.MAX_VALUE - 10, far);
            assertArrayEquals(new byte[64], far.toArray(ValueLayout.JAVA_BYTE));
            assertEquals(0, Files.exists(dir.resolve("limits").resolve(".maxsize-probe")) ? 1 : 0);
        }
    }

    @Test
    void shouldProbeTheExt4FileSizeLimit() throws IOException {
        Path root = dir.resolve("ext4");
        try (FileBlockStore s = new FileBlockStore(root)) {
            if ("ext4".equals(Files.getFileStore(root).type())) {
                long blockSize = Files.getFileStore(root).getBlockSize();
                assertEquals((1L << 32) * blockSize - blockSize, s.maxFileSize(), "ext4 extent files: 2^32 - 1 blocks");
            } else {
                assertTrue(s.maxFileSize() > 1L << 40, Files.getFileStore(root).type() + ": " + s.maxFileSize());
            }
        }
    }

    @Test
    void shouldMapFileSystemErrnoTextToErrors() {
        assertEquals(FsError.FILE_TOO_LARGE, FileLayout.error(new IOException("File too large")));
        assertEquals(FsError.NO_SPACE, FileLayout.error(new IOException("No space left on device")));
        assertEquals(FsError.IO, FileLayout.error(new IOException("Input/output error")));
    }
}
