package io.dittofs.storage.cache;

import io.dittofs.core.spi.BlockStore;
import io.dittofs.core.spi.BlockStoreContract;
import io.dittofs.storage.block.fs.FsBlockStore;
import io.dittofs.storage.block.memory.MemoryBlockStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(120)
class WriteBackCacheTest extends BlockStoreContract {
    private static final long SEG = 4L << 20;

    @TempDir
    Path dir;

    @Override
    protected BlockStore newStore() {
        Path d = dir.resolve("c" + System.nanoTime());
        return new WriteBackCache(new MemoryBlockStore(), new WriteBackCache.Options(d.resolve("wal"), SEG, 8, 5));
    }

    private WriteBackCache open(Path root, int maxSegments) {
        return open(root, maxSegments, 5);
    }

    /** A long flush interval keeps the flusher away (unless the WAL fills), so a "crash" finds the data only in the WAL. */
    private WriteBackCache openIdleFlusher(Path root) {
        return open(root, 8, 3_600_000);
    }

    private WriteBackCache open(Path root, int maxSegments, long flushIntervalMs) {
        return new WriteBackCache(new FsBlockStore(root.resolve("blocks"), true),
                new WriteBackCache.Options(root.resolve("wal"), SEG, maxSegments, flushIntervalMs));
    }

    private static MemorySegment pattern(long size, int seed) {
        MemorySegment m = Arena.ofAuto().allocate(size);
        for (long i = 0; i < size; i++) {
            m.set(ValueLayout.JAVA_BYTE, i, (byte) (i * 31 + seed));
        }
        return m;
    }

    private static MemorySegment readBack(BlockStore s, long id, long off, long size) {
        MemorySegment m = Arena.ofAuto().allocate(size);
        s.read(id, off, m);
        return m;
    }

    @Test
    void shouldRecoverSyncedWritesAfterCrashWithoutFlush() {
        Path root = dir.resolve("crash");
        WriteBackCache c = openIdleFlusher(root);
        MemorySegment a = pattern(300_000, 1);
        MemorySegment b = pattern(5_000, 2);
        c.write(10, 0, a);
        c.write(10, 1000, b); // overwrites part of a
        c.write(11, 7, b);
        c.sync(10);
        c.abandonForTest();

        try (WriteBackCache r = open(root, 8)) {
            MemorySegment got = readBack(r, 10, 0, 300_000);
            assertEquals(-1, got.asSlice(0, 1000).mismatch(a.asSlice(0, 1000)));
            assertEquals(-1, got.asSlice(1000, 5000).mismatch(b));
            assertEquals(-1, got.asSlice(6000).mismatch(a.asSlice(6000)));
            assertEquals(-1, readBack(r, 11, 7, 5000).mismatch(b));
        }
    }

    @Test
    void shouldReplayTruncateAndDeleteInOrder() {
        Path root = dir.resolve("order");
        WriteBackCache c = openIdleFlusher(root);
        c.write(1, 0, pattern(10_000, 3));
        c.truncate(1, 100);
        MemorySegment tail = pattern(50, 4);
        c.write(1, 200, tail);
        c.write(2, 0, pattern(1000, 5));
        c.delete(2);
        c.sync(1);
        c.abandonForTest();
        try (WriteBackCache r = open(root, 8)) {
            MemorySegment got = readBack(r, 1, 0, 250);
            assertEquals(-1, got.asSlice(0, 100).mismatch(pattern(10_000, 3).asSlice(0, 100)));
            for (long i = 100; i < 200; i++) {
                assertEquals(0, got.get(ValueLayout.JAVA_BYTE, i), "zero after truncate at " + i);
            }
            assertEquals(-1, got.asSlice(200, 50).mismatch(tail));
            MemorySegment deleted = readBack(r, 2, 0, 1000);
            assertEquals(-1, deleted.mismatch(Arena.ofAuto().allocate(1000)));
        }
    }

    @Test
    void shouldDiscardTornTailRecordAndKeepEarlierOnes() throws IOException {
        Path root = dir.resolve("torn");
        WriteBackCache c = openIdleFlusher(root);
        MemorySegment first = pattern(4096, 6);
        c.write(5, 0, first);
        c.write(5, 4096, pattern(4096, 7));
        c.sync(5);
        c.abandonForTest();
        // corrupt one data byte of the second record: its checksum no longer matches
        Path seg;
        try (Stream<Path> s = Files.list(root.resolve("wal"))) {
            seg = s.filter(p -> p.toString().endsWith(".seg")).sorted().findFirst().orElseThrow();
        }
        long secondData = Wal.SEGMENT_HEADER + Wal.recordSize(4096) + Wal.HEADER;
        try (FileChannel ch = FileChannel.open(seg, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[] {42}), secondData + 10);
        }
        try (WriteBackCache r = open(root, 8)) {
            assertEquals(-1, readBack(r, 5, 0, 4096).mismatch(first));
            MemorySegment lost = readBack(r, 5, 4096, 4096);
            assertEquals(-1, lost.mismatch(Arena.ofAuto().allocate(4096)), "torn record must not be applied");
        }
    }

    @Test
    void shouldCountDirtyBytesForcesAndFlushesInStats() throws Exception {
        // a long flush interval, so the data stays dirty until the test flushes by hand
        try (WriteBackCache c = new WriteBackCache(new MemoryBlockStore(),
                new WriteBackCache.Options(dir.resolve("stats"), SEG, 8, 60_000))) {
            WriteBackCache.Stats before = c.stats();
            c.write(7, 0, pattern(10_000, 1));
            c.write(7, 5_000, pattern(10_000, 2)); // overlaps half of the first write
            assertEquals(15_000, c.stats().dirtyBytes(), "overwritten bytes are not dirty twice");
            assertEquals(c.dirtyBytes(), c.stats().dirtyBytes());
            c.sync(7);
            assertEquals(before.walForces() + 1, c.stats().walForces(), "one group commit");
            c.flushAll();
            WriteBackCache.Stats after = c.stats();
            assertEquals(0, after.dirtyBytes());
            assertEquals(before.flushes() + 1, after.flushes());
            assertEquals(before.flushedBytes() + 15_000, after.flushedBytes());
            assertTrue(after.walSegments() >= 1);
        }
    }

    @Test
    void shouldServeOverlappingStableWritersAndCommitsWithFewerWalForcesThanCallers() throws Exception {
        Path root = dir.resolve("group");
        int callers = 16;
        WriteBackCache c = openIdleFlusher(root);
        // like a slow disk: the first force starts only once every caller has appended, so they overlap for sure
        CountDownLatch appended = new CountDownLatch(callers);
        AtomicBoolean first = new AtomicBoolean(true);
        c.beforeWalForceForTest(() -> {
            if (first.getAndSet(false)) {
                try {
                    appended.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        long before = c.stats().walForces();
        CyclicBarrier start = new CyclicBarrier(callers);
        try (ExecutorService ex = Executors.newFixedThreadPool(callers)) {
            List<Future<?>> fs = new ArrayList<>();
            for (int i = 0; i < callers; i++) {
                int k = i;
                fs.add(ex.submit(() -> {
                    start.await();
                    c.write(200 + k, 0, pattern(8192, k)); // even k: a FILE_SYNC write; odd k: UNSTABLE then COMMIT
                    appended.countDown();
                    c.sync(200 + k);
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get(60, TimeUnit.SECONDS);
            }
        }
        long forces = c.stats().walForces() - before;
        c.abandonForTest(); // crash: only what the forces covered counts
        assertTrue(forces >= 1 && forces < callers, "forces " + forces + " for " + callers + " callers");
        try (WriteBackCache r = openIdleFlusher(root)) {
            for (int i = 0; i < callers; i++) {
                assertEquals(-1, readBack(r, 200 + i, 0, 8192).mismatch(pattern(8192, i)), "caller " + i);
            }
        }
    }

    @Test
    void shouldFlushToBackingAndRecycleSegments() throws Exception {
        Path root = dir.resolve("flush");
        try (WriteBackCache c = open(root, 4)) {
            MemorySegment mib = pattern(1 << 20, 8);
            for (int i = 0; i < 40; i++) { // 40 MiB through a 16 MiB log: needs recycling
                c.write(3, (long) i << 20, mib);
            }
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (c.dirtyBytes() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertEquals(0, c.dirtyBytes());
            assertTrue(c.walSegments() <= 4, "segments recycled: " + c.walSegments());
        }
        try (FsBlockStore b = new FsBlockStore(root.resolve("blocks"))) {
            assertEquals(-1, readBack(b, 3, 39L << 20, 1 << 20).mismatch(pattern(1 << 20, 8)));
        }
    }

    @Test
    void shouldNotReplayStaleRecordsOfReusedSegments() throws Exception {
        Path root = dir.resolve("reuse");
        WriteBackCache c = open(root, 4);
        MemorySegment old = pattern(1 << 20, 11);
        MemorySegment newer = pattern(1 << 20, 12);
        for (int pass = 0; pass < 2; pass++) { // 2 x 24 MiB through a 16 MiB log: segment files get reused
            for (int i = 0; i < 24; i++) {
                c.write(3, (long) i << 20, pass == 0 ? old : newer);
            }
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (c.dirtyBytes() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertEquals(0, c.dirtyBytes());
        }
        MemorySegment last = pattern(4096, 13);
        c.write(9, 0, last);
        c.sync(9);
        c.abandonForTest();
        try (Stream<Path> files = Files.list(root.resolve("wal"))) {
            assertTrue(files.anyMatch(p -> p.getFileName().toString().startsWith("spare-")
                    || p.getFileName().toString().startsWith("wal-")), "segment files present");
        }
        try (WriteBackCache r = open(root, 4)) {
            for (int i = 0; i < 24; i += 5) {
                assertEquals(-1, readBack(r, 3, (long) i << 20, 1 << 20).mismatch(newer), "MiB " + i + " has the newest data");
            }
            assertEquals(-1, readBack(r, 9, 0, 4096).mismatch(last));
        }
    }

    @Test
    void shouldMakeWritersWaitInsteadOfDroppingDataWhenFull() throws Exception {
        Path root = dir.resolve("full");
        AtomicLong slowWrites = new AtomicLong();
        MemoryBlockStore mem = new MemoryBlockStore();
        BlockStore slow = new BlockStore() {
            @Override
            public void read(long contentId, long offset, MemorySegment dst) {
                mem.read(contentId, offset, dst);
            }

            @Override
            public void write(long contentId, long offset, MemorySegment src) {
                try {
                    Thread.sleep(2);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                slowWrites.incrementAndGet();
                mem.write(contentId, offset, src);
            }

            @Override
            public void truncate(long contentId, long size) {
                mem.truncate(contentId, size);
            }

            @Override
            public void delete(long contentId) {
                mem.delete(contentId);
            }

            @Override
            public void sync(long contentId) {
            }

            @Override
            public long usedBytes() {
                return mem.usedBytes();
            }

            @Override
            public long capacityBytes() {
                return -1;
            }

            @Override
            public String kind() {
                return "slow";
            }

            @Override
            public void close() {
                mem.close();
            }
        };
        try (WriteBackCache c = new WriteBackCache(slow, new WriteBackCache.Options(root, SEG, 2, 5))) {
            List<Thread> writers = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                long id = 100 + t;
                writers.add(Thread.ofVirtual().start(() -> {
                    for (int i = 0; i < 64; i++) {
                        c.write(id, i * 65536L, pattern(65536, (int) id + i));
                    }
                }));
            }
            for (Thread w : writers) {
                w.join();
            }
            for (int t = 0; t < 4; t++) {
                for (int i = 0; i < 64; i += 7) {
                    assertEquals(-1, readBack(c, 100 + t, i * 65536L, 65536).mismatch(pattern(65536, 100 + t + i)));
                }
            }
            assertTrue(slowWrites.get() > 0);
        }
    }
}
