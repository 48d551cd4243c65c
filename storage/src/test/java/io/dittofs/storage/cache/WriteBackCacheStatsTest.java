package io.dittofs.storage.cache;

import io.dittofs.storage.block.memory.MemoryBlockStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The monitoring counters behind the cache metrics: evictions and WAL group-commit sizes. */
class WriteBackCacheStatsTest {
    private static final long SEG = 2L << 20;

    @TempDir
    Path dir;

    private WriteBackCache open() {
        return new WriteBackCache(new MemoryBlockStore(), new WriteBackCache.Options(dir.resolve("wal"), SEG, 8, 3_600_000));
    }

    @Test
    void shouldCountSegmentsEvictedOnceTheirDataIsFlushed() {
        try (WriteBackCache cache = open()) {
            for (int i = 0; i < 10; i++) { // 5 MiB: three records of 512 KiB fit one 2 MiB segment
                cache.write(1, i * (512L << 10), Arena.ofAuto().allocate(512 << 10));
            }
            int before = cache.stats().walSegments();
            assertTrue(before >= 3, "segments in use: " + before);
            assertEquals(0, cache.stats().evictions());
            cache.flushAll();
            WriteBackCache.Stats s = cache.stats();
            assertEquals(before - 1, s.evictions(), "every sealed segment leaves the cache, the current one stays");
            assertEquals(1, s.walSegments());
        }
    }

    @Test
    void shouldRecordHowManyRequestsOneGroupCommitServed() throws Exception {
        try (WriteBackCache cache = open()) {
            CountDownLatch inForce = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            cache.beforeWalForceForTest(() -> {
                inForce.countDown();
                await(release);
            });
            cache.write(1, 0, Arena.ofAuto().allocate(4096));
            Thread first = Thread.ofPlatform().start(() -> cache.sync(1));
            assertTrue(inForce.await(10, TimeUnit.SECONDS));
            cache.beforeWalForceForTest(() -> { });
            List<Thread> waiters = new ArrayList<>();
            for (int i = 2; i <= 4; i++) {
                int id = i;
                cache.write(id, 0, Arena.ofAuto().allocate(4096));
                waiters.add(Thread.ofPlatform().start(() -> cache.sync(id)));
            }
            for (Thread t : waiters) { // each has asked for a force and waits for the forcer
                while (t.getState() != Thread.State.WAITING) {
                    Thread.sleep(1);
                }
            }
            release.countDown();
            first.join();
            for (Thread t : waiters) {
                t.join();
            }
            WriteBackCache.Stats s = cache.stats();
            // one force served all four (the waiters' records were claimed before it began); every
            // group is recorded in the bucket of its size: 1, 2, <=4, <=8, ...
            assertEquals(s.walForces(), sum(s.walGroupCounts()));
            assertEquals(4, s.walGroupSum(), "four force requests");
            long[] expected = new long[WriteBackCache.walGroupBounds().length + 1];
            expected[2] = 1; // (2, 4]
            assertArrayEquals(expected, s.walGroupCounts());
        }
    }

    private static long sum(long[] a) {
        long n = 0;
        for (long v : a) {
            n += v;
        }
        return n;
    }

    private static void await(CountDownLatch l) {
        try {
            l.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
