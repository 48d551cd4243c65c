package io.dittofs.storage.cache;

import io.dittofs.core.FsError;
import io.dittofs.core.FsException;
import io.dittofs.core.spi.BlockStore;
import io.dittofs.storage.block.fs.FsBlockStore;
import io.dittofs.storage.block.memory.MemoryBlockStore;
import io.dittofs.storage.cache.FaultyBlockStore.Op;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The cache in front of a block store that fails (a fault injector around a real store). */
@Timeout(120)
class WriteBackCacheFaultTest {
    private static final long SEG = 2L << 20;
    private static final int CHUNK = 512 << 10;
    /** 512 KiB records in 2 MiB segments: three fit in one. */
    private static final int PER_SEGMENT = 3;

    @TempDir
    Path dir;

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

    private static void waitFor(String what, BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!done.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
            Thread.sleep(10);
        }
    }

    /** Waits until {@code count} stops moving for a while (the writer is parked, not failing). */
    private static int waitUntilStalled(AtomicInteger count, Thread writer) throws InterruptedException {
        int stable = 0;
        int last = -1;
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (stable < 5) {
            assertTrue(System.nanoTime() < deadline, "writer never stalled");
            Thread.sleep(50);
            int now = count.get();
            Thread.State st = writer.getState();
            stable = now == last && (st == Thread.State.WAITING || st == Thread.State.TIMED_WAITING) ? stable + 1 : 0;
            last = now;
        }
        return last;
    }

    @Test
    void shouldAcceptWritesUpToWalBoundThenWaitAndFlushEverythingWhenNoSpaceClears() throws Exception {
        FaultyBlockStore store = new FaultyBlockStore(new FsBlockStore(dir.resolve("blocks"), true))
                .fail(FsError.NO_SPACE, Op.WRITE, Op.SYNC, Op.TRUNCATE, Op.DELETE);
        int maxSegments = 3;
        int total = 24; // 12 MiB through a 6 MiB log
        try (WriteBackCache c = new WriteBackCache(store,
                new WriteBackCache.Options(dir.resolve("wal"), SEG, maxSegments, 5, 10, 80))) {
            AtomicInteger accepted = new AtomicInteger();
            AtomicReference<Throwable> writeError = new AtomicReference<>();
            Thread writer = Thread.ofPlatform().start(() -> {
                try {
                    for (int i = 0; i < total; i++) {
                        c.write(1, (long) i * CHUNK, pattern(CHUNK, i));
                        accepted.incrementAndGet();
                    }
                } catch (Throwable t) {
                    writeError.set(t);
                }
            });
            int before = waitUntilStalled(accepted, writer);
            assertNull(writeError.get(), "writes wait, they do not fail");
            assertEquals(maxSegments * PER_SEGMENT, before, "accepted up to the WAL bound");
            assertTrue(writer.isAlive());
            for (int i = 0; i < before; i++) {
                assertEquals(-1, readBack(c, 1, (long) i * CHUNK, CHUNK).mismatch(pattern(CHUNK, i)), "read chunk " + i);
            }
            WriteBackCache.Stats failing = c.stats();
            assertTrue(failing.failing());
            assertTrue(failing.flushErrors() > 0);
            assertTrue(failing.lastError().contains("NO_SPACE"), failing.lastError());
            assertEquals((long) before * CHUNK, failing.dirtyBytes());
            assertTrue(c.flusherAlive());

            store.heal();
            writer.join(60_000);
            assertFalse(writer.isAlive());
            assertNull(writeError.get());
            // the round recycles before the flusher records its recovery: wait for both
            waitFor("flushed and recycled", () -> c.stats().dirtyBytes() == 0 && c.stats().walSegments() == 1
                    && !c.stats().failing());
            assertEquals(0, c.stats().retryDelayMs());
            assertTrue(c.flusherAlive());
            for (int i = 0; i < total; i++) {
                assertEquals(-1, readBack(store.inner(), 1, (long) i * CHUNK, CHUNK).mismatch(pattern(CHUNK, i)),
                        "chunk " + i + " in the block store");
            }
        }
    }

    @Test
    void shouldRetryEioOnSyncUntilStoreRecoversAndKeepServing() throws Exception {
        FaultyBlockStore store = new FaultyBlockStore(new FsBlockStore(dir.resolve("blocks"), true))
                .fail(FsError.IO, Op.SYNC);
        try (WriteBackCache c = new WriteBackCache(store,
                new WriteBackCache.Options(dir.resolve("wal"), SEG, 4, 5, 5, 40))) {
            for (int i = 0; i < 5; i++) {
                c.write(2, (long) i * CHUNK, pattern(CHUNK, 40 + i));
            }
            c.sync(2); // a COMMIT: the WAL, not the failing store, makes it durable
            waitFor("several failed rounds", () -> store.failures() >= 3);
            assertTrue(c.flusherAlive(), "the flusher survives EIO");
            c.write(2, 0, pattern(CHUNK, 99)); // writes after the failure are still accepted
            assertEquals(-1, readBack(c, 2, 0, CHUNK).mismatch(pattern(CHUNK, 99)));
            assertTrue(c.stats().failing());
            assertTrue(c.stats().walSegments() > 1, "nothing recycled while the store cannot sync");

            store.heal();
            // the round recycles before the flusher records its recovery: wait for both
            waitFor("flushed and recycled", () -> c.stats().dirtyBytes() == 0 && c.stats().walSegments() == 1
                    && !c.stats().failing());
            assertEquals(-1, readBack(store.inner(), 2, 0, CHUNK).mismatch(pattern(CHUNK, 99)));
            for (int i = 1; i < 5; i++) {
                assertEquals(-1, readBack(store.inner(), 2, (long) i * CHUNK, CHUNK).mismatch(pattern(CHUNK, 40 + i)));
            }
        }
    }

    @Test
    void shouldServeDirtyReadsTruncatesAndDeletesWhileStoreIsUnavailableForManyRetries() throws Exception {
        FaultyBlockStore store = new FaultyBlockStore(new MemoryBlockStore());
        long cap = 40;
        try (WriteBackCache c = new WriteBackCache(store,
                new WriteBackCache.Options(dir.resolve("wal"), SEG, 8, 5, 5, cap))) {
            c.write(3, 0, pattern(100_000, 3));
            c.write(4, 0, pattern(100_000, 4));
            c.flushAll();
            // like an S3 outage: every call fails, reads included, for 60 calls; then the store is back by itself
            store.fail(FsError.IO, 60, id -> true, Op.values());
            c.write(5, 0, pattern(300_000, 5));
            c.truncate(3, 1000);
            c.delete(4);
            long maxDelay = 0;
            while (store.isFailing()) {
                assertEquals(-1, readBack(c, 5, 0, 300_000).mismatch(pattern(300_000, 5)), "dirty data readable");
                assertEquals(-1, readBack(c, 3, 1000, 2000).mismatch(Arena.ofAuto().allocate(2000)),
                        "truncated while the store is down");
                maxDelay = Math.max(maxDelay, c.stats().retryDelayMs());
                assertTrue(c.flusherAlive());
                Thread.sleep(5);
            }
            assertTrue(maxDelay <= cap, "backoff capped: " + maxDelay);
            waitFor("flushed after recovery", () -> c.stats().dirtyBytes() == 0 && !c.stats().failing());
            long errors = c.stats().flushErrors();
            assertTrue(errors > 1, "retried: " + errors);
            waitFor("truncate and delete applied", () -> c.stats().walSegments() == 1);
            assertAppliedBelow(store.inner());
        }
    }

    private static void assertAppliedBelow(BlockStore inner) {
        MemorySegment three = readBack(inner, 3, 0, 2000);
        assertEquals(-1, three.asSlice(0, 1000).mismatch(pattern(100_000, 3).asSlice(0, 1000)));
        assertEquals(-1, three.asSlice(1000).mismatch(Arena.ofAuto().allocate(1000)));
        assertEquals(-1, readBack(inner, 4, 0, 1000).mismatch(Arena.ofAuto().allocate(1000)), "deleted");
        assertEquals(-1, readBack(inner, 5, 0, 300_000).mismatch(pattern(300_000, 5)));
    }

    @Test
    void shouldDoubleBackoffFromBaseUpToCap() {
        assertEquals(List.of(100L, 200L, 400L, 800L, 1600L, 3200L, 6400L, 12800L, 25600L, 30000L, 30000L),
                java.util.stream.IntStream.rangeClosed(1, 11).mapToObj(n -> Flusher.backoffMs(n, 100, 30_000)).toList());
        assertEquals(30_000, Flusher.backoffMs(1_000_000, 100, 30_000), "no overflow after many failures");
    }

    @Test
    void shouldKeepWalSegmentUntilTruncateAndDeleteAreSyncedInBlockStore() throws Exception {
        FaultyBlockStore store = new FaultyBlockStore(new FsBlockStore(dir.resolve("blocks"), true));
        Path wal = dir.resolve("wal");
        Path firstSegment = wal.resolve(WalSegment.name(1));
        // an idle flusher: the test flushes by hand
        try (WriteBackCache c = new WriteBackCache(store, new WriteBackCache.Options(wal, SEG, 8, 3_600_000))) {
            c.write(9, 0, pattern(100_000, 9));
            c.write(11, 0, pattern(100_000, 11));
            c.flushAll();
            store.fail(FsError.IO, -1, id -> id == 9 || id == 11, Op.SYNC);
            c.truncate(9, 10);
            c.delete(11);
            for (int i = 0; i < PER_SEGMENT + 1; i++) { // fills segment 1, so it is no longer the current one
                c.write(10, (long) i * CHUNK, pattern(CHUNK, i));
            }
            assertThrows(FsException.class, c::flushAll);
            assertEquals(0, c.stats().dirtyBytes(), "file 10 flushed despite the failing files");
            assertTrue(Files.exists(firstSegment), "the segment with the unsynced TRUNCATE/DELETE stays");

            store.probe = () -> "segment 1 present: " + Files.exists(firstSegment);
            store.heal();
            c.flushAll();
            assertFalse(Files.exists(firstSegment), "recycled once the store synced them");
            List<FaultyBlockStore.Call> syncs = store.calls().stream()
                    .filter(x -> x.op() == Op.SYNC && !x.failed() && !x.probe().isEmpty()).toList();
            assertEquals(2, syncs.size(), syncs.toString());
            for (FaultyBlockStore.Call s : syncs) {
                assertEquals("segment 1 present: true", s.probe(), "synced before the segment was recycled");
            }
        }
    }
}
