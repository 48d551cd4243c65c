package io.dittofs.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The power-loss rig itself ({@link PowerLossRig}): without fsync/msync a write, an mmap'ed
 * write, a truncate and a namespace change are gone after a cut; with them they are kept. The
 * file operations are the ones the server's stores use (FileChannel writes and force, mapped
 * segments, atomic renames, directory force).
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class PowerLossRigIT {
    private PowerLossRig rig;
    private Path dir;

    @BeforeEach
    void mount() throws IOException {
        rig = PowerLossRig.start("PowerLossRigIT");
        dir = Files.createDirectory(rig.mountpoint().resolve("d"));
        forceDir(rig.mountpoint());
    }

    @AfterEach
    void cleanUp() {
        if (rig != null) {
            rig.close();
        }
    }

    @Test
    void shouldKeepOnlyForcedWritesAndTruncatesWhenThePowerIsCut() throws IOException {
        byte[] a = bytes('a', 10_000);
        byte[] b = bytes('b', 5_000);
        write(dir.resolve("kept"), a, true);
        write(dir.resolve("lost"), a, true);
        forceDir(dir);
        write(dir.resolve("lost"), b, false); // overwrite, not forced
        try (FileChannel ch = FileChannel.open(dir.resolve("kept"), StandardOpenOption.WRITE)) {
            ch.truncate(100); // not forced
        }
        assertEquals(100, Files.size(dir.resolve("kept")), "the live view shows the truncate");
        assertArrayEquals(b, Arrays.copyOf(Files.readAllBytes(dir.resolve("lost")), b.length), "the live view shows the write");

        PowerLossRig.Cut cut = rig.cutPower();
        rig.mount();

        assertArrayEquals(a, Files.readAllBytes(dir.resolve("kept")), "the unforced truncate must be gone");
        assertArrayEquals(a, Files.readAllBytes(dir.resolve("lost")), "the unforced overwrite must be gone");
        assertTrue(cut.droppedBytes() >= b.length, "the rig reports what it dropped: " + cut);
    }

    @Test
    void shouldKeepOnlyMsyncedPagesOfASharedMapping() throws IOException {
        Path p = dir.resolve("wal");
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.allocate(1), 2 * 65536 - 1);
            ch.force(false);
        }
        forceDir(dir);
        try (Arena arena = Arena.ofShared();
             FileChannel ch = FileChannel.open(p, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            MemorySegment m = ch.map(FileChannel.MapMode.READ_WRITE, 0, 2 * 65536, arena);
            m.asSlice(0, 65536).fill((byte) 'x');
            m.asSlice(0, 65536).force(); // msync of the first half only
            m.asSlice(65536, 65536).fill((byte) 'y');
        }
        byte[] live = Files.readAllBytes(p);
        assertEquals('y', live[65536], "the live view shows the unsynced mapped write");

        rig.cutPower();
        rig.mount();

        byte[] after = Files.readAllBytes(p);
        assertEquals(2 * 65536, after.length);
        assertArrayEquals(bytes('x', 65536), Arrays.copyOf(after, 65536), "the msync'ed half must be kept");
        assertArrayEquals(new byte[65536], Arrays.copyOfRange(after, 65536, 2 * 65536), "the unsynced half must be gone");
    }

    @Test
    void shouldRollBackNamespaceChangesUntilTheirDirectoryIsForced() throws IOException {
        write(dir.resolve("old"), bytes('o', 10), true);
        write(dir.resolve("gone"), bytes('g', 10), true);
        forceDir(dir);
        Files.createDirectory(dir.resolve("sub"));
        write(dir.resolve("sub").resolve("x"), bytes('x', 10), true);
        forceDir(dir.resolve("sub")); // x is in sub, but sub is not in d yet
        write(dir.resolve("tmp"), bytes('n', 10), true);
        Files.move(dir.resolve("tmp"), dir.resolve("old"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        Files.delete(dir.resolve("gone"));
        Path durable = Files.createDirectory(rig.mountpoint().resolve("durable"));
        write(durable.resolve("f"), bytes('f', 10), true);
        forceDir(durable);
        forceDir(rig.mountpoint());

        rig.cutPower();
        rig.mount();

        assertFalse(Files.exists(dir.resolve("sub")), "mkdir without a force of its parent must be gone");
        assertFalse(Files.exists(dir.resolve("tmp")), "create without a directory force must be gone");
        assertArrayEquals(bytes('o', 10), Files.readAllBytes(dir.resolve("old")), "the rename over 'old' must be undone");
        assertArrayEquals(bytes('g', 10), Files.readAllBytes(dir.resolve("gone")), "the unlink must be undone");
        assertArrayEquals(bytes('f', 10), Files.readAllBytes(durable.resolve("f")), "forced entries must be kept");
        assertEquals(java.util.List.of("d", "durable"), list(rig.disk()), "the disk holds exactly the forced entries");
    }

    private static java.util.List<String> list(Path p) throws IOException {
        try (var s = Files.list(p)) {
            return s.map(x -> x.getFileName().toString()).sorted().toList();
        }
    }

    private static byte[] bytes(char c, int n) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) c);
        return b;
    }

    private static void write(Path p, byte[] data, boolean force) throws IOException {
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(data), 0);
            if (force) {
                ch.force(false);
            }
        }
    }

    static void forceDir(Path p) throws IOException {
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }
}
