package io.dittofs.storage.cache;

import io.dittofs.core.spi.BlockStore;
import io.dittofs.storage.block.fs.FsBlockStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Claim/commit appends of the WAL: appenders copy at the same time, a force covers every record
 * claimed before it, and an unfinished claim (a crash between claim and commit) ends the replay of
 * its segment like a torn record.
 */
@Timeout(120)
class WalClaimCommitTest {
    private static final long SEG = 4L << 20;

    @TempDir
    Path dir;

    /** A long flush interval keeps the flusher away, so a "crash" finds the data only in the WAL. */
    private static WriteBackCache open(Path root) {
        return new WriteBackCache(new FsBlockStore(root.resolve("blocks"), true),
                new WriteBackCache.Options(root.resolve("wal"), SEG, 8, 3_600_000));
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

    private static boolean zeros(MemorySegment m) {
        return m.mismatch(Arena.ofAuto().allocate(m.byteSize())) == -1;
    }

    /** A hook that parks the thread named {@code name} right after its claim until {@code release} opens. */
    private static Runnable stall(String name, CountDownLatch claimed, CountDownLatch release) {
        return () -> {
            if (Thread.currentThread().getName().equals(name)) {
                claimed.countDown();
                try {
                    release.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
    }

    @Test
    void shouldCopyTwoAppendsAtTheSameTimeWhenTheyWriteDifferentFiles() throws Exception {
        try (WriteBackCache c = open(dir.resolve("both"))) {
            // each appender waits, between its claim and its copy, until the other one is there too:
            // with one lock around claim + copy the second could never get there
            CyclicBarrier bothClaimed = new CyclicBarrier(2);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            c.afterWalClaimForTest(() -> {
                if (Thread.currentThread().getName().startsWith("appender-")) {
                    try {
                        bothClaimed.await(10, TimeUnit.SECONDS);
                    } catch (Exception e) {
                        failure.compareAndSet(null, e);
                    }
                }
            });
            MemorySegment a = pattern(256 << 10, 1);
            MemorySegment b = pattern(256 << 10, 2);
            Thread ta = Thread.ofPlatform().name("appender-a").start(() -> c.write(1, 0, a));
            Thread tb = Thread.ofPlatform().name("appender-b").start(() -> c.write(2, 0, b));
            ta.join();
            tb.join();
            assertNull(failure.get(), "the two appends did not overlap: " + failure.get());
            c.afterWalClaimForTest(() -> { });
            assertEquals(-1, readBack(c, 1, 0, a.byteSize()).mismatch(a));
            assertEquals(-1, readBack(c, 2, 0, b.byteSize()).mismatch(b));
        }
    }

    @Test
    void shouldDropAnUnfinishedClaimAndTheRecordsBehindItInItsSegmentOnRecovery() throws Exception {
        Path root = dir.resolve("gap");
        WriteBackCache c = open(root);
        MemorySegment before = pattern(10_000, 3);
        c.write(1, 0, before);
        c.sync(1);
        CountDownLatch claimed = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        c.afterWalClaimForTest(stall("stuck", claimed, release));
        Thread stuck = Thread.ofPlatform().name("stuck").unstarted(() -> c.write(2, 0, pattern(10_000, 4)));
        stuck.setUncaughtExceptionHandler((t, e) -> { }); // its copy lands in an unmapped WAL: expected
        stuck.start();
        assertTrue(claimed.await(30, TimeUnit.SECONDS));
        c.write(3, 0, pattern(10_000, 5)); // claimed and committed behind the gap, never forced
        c.abandonForTest(); // crash while "stuck" sits between claim and commit
        release.countDown();
        stuck.join();

        try (WriteBackCache r = open(root)) {
            assertEquals(-1, readBack(r, 1, 0, 10_000).mismatch(before), "records before the gap survive");
            assertTrue(zeros(readBack(r, 2, 0, 10_000)), "the unfinished record is not replayed");
            assertTrue(zeros(readBack(r, 3, 0, 10_000)), "records behind the gap in its segment are dropped");
            MemorySegment after = pattern(4096, 6);
            r.write(4, 0, after); // the log goes on in a new segment
            r.sync(4);
            r.abandonForTest();
        }
        try (WriteBackCache r = open(root)) {
            assertEquals(-1, readBack(r, 1, 0, 10_000).mismatch(before));
            assertEquals(-1, readBack(r, 4, 0, 4096).mismatch(pattern(4096, 6)));
        }
    }

    @Test
    void shouldFinishEveryEarlierClaimBeforeAForceReturns() throws Exception {
        Path root = dir.resolve("force");
        WriteBackCache c = open(root);
        CountDownLatch claimed = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        c.afterWalClaimForTest(stall("stuck", claimed, release));
        MemorySegment early = pattern(20_000, 7);
        MemorySegment stable = pattern(20_000, 8);
        Thread stuck = Thread.ofPlatform().name("stuck").unstarted(() -> c.write(2, 0, early));
        stuck.setUncaughtExceptionHandler((t, e) -> { });
        stuck.start();
        assertTrue(claimed.await(30, TimeUnit.SECONDS));
        // a FILE_SYNC write behind the unfinished claim: its force must wait for that claim, or the
        // acknowledged record would sit behind a gap where replay stops
        CountDownLatch synced = new CountDownLatch(1);
        Thread syncer = Thread.ofPlatform().start(() -> {
            c.write(3, 0, stable);
            c.sync(3);
            synced.countDown();
        });
        if (synced.await(500, TimeUnit.MILLISECONDS)) {
            c.abandonForTest(); // acknowledged too early: crash while the earlier claim is unfinished
            release.countDown();
        } else {
            release.countDown();
            assertTrue(synced.await(30, TimeUnit.SECONDS));
            c.abandonForTest(); // crash right after the acknowledgement
        }
        stuck.join();
        syncer.join();
        try (WriteBackCache r = open(root)) {
            assertEquals(-1, readBack(r, 3, 0, 20_000).mismatch(stable), "acknowledged stable write lost");
            assertEquals(-1, readBack(r, 2, 0, 20_000).mismatch(early));
        }
    }
}
