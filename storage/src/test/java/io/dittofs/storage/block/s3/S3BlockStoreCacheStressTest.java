package io.dittofs.storage.block.s3;

import io.dittofs.storage.cache.WriteBackCache;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Many files written concurrently through the write-back cache into S3 while the flusher runs,
 * then read back by a fresh store that only knows what is in the bucket.
 */
class S3BlockStoreCacheStressTest {
    private static final int FILES = 24;
    private static final int THREADS = 4;
    private static final long MAX_SIZE = 3L * S3BlockStore.BLOCK_SIZE + 4321;

    static S3MockServer server;

    @TempDir
    Path dir;

    @BeforeAll
    static void startServer() {
        server = S3MockServer.get();
        server.createBucket("dittofs-cache-stress");
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void shouldReadBackEveryFileFromAFreshStoreAfterConcurrentWritesThroughTheCache() throws Exception {
        for (int round = 0; round < 3; round++) {
            runRound(round);
        }
    }

    private void runRound(int round) throws Exception {
        String prefix = "stress-" + UUID.randomUUID();
        S3BlockStore.Config config = server.config("dittofs-cache-stress", prefix);
        Arena arena = Arena.ofShared();
        MemorySegment[] model = new MemorySegment[FILES];
        long[] size = new long[FILES];
        for (int i = 0; i < FILES; i++) {
            model[i] = arena.allocate(MAX_SIZE);
        }
        try (WriteBackCache cache = new WriteBackCache(new S3BlockStore(config),
                new WriteBackCache.Options(dir.resolve("wal-" + round), 4L << 20, 8, 5));
             ExecutorService pool = Executors.newFixedThreadPool(THREADS)) {
            List<Future<?>> jobs = new ArrayList<>();
            for (int th = 0; th < THREADS; th++) {
                int t = th;
                jobs.add(pool.submit(() -> {
                    SplittableRandom rnd = new SplittableRandom(round * 1000L + t);
                    // each thread owns the files with index % THREADS == t
                    for (int op = 0; op < 60; op++) {
                        int f = t + THREADS * rnd.nextInt(FILES / THREADS);
                        long off = rnd.nextLong(MAX_SIZE - 1);
                        long len = Math.min(MAX_SIZE - off, 1 + rnd.nextInt(rnd.nextBoolean() ? 4096 : 300_000));
                        MemorySegment src = Arena.ofAuto().allocate(len);
                        byte seed = (byte) rnd.nextInt();
                        for (long i = 0; i < len; i++) {
                            src.set(ValueLayout.JAVA_BYTE, i, (byte) (seed + i * 31));
                        }
                        cache.write(f + 1, off, src);
                        MemorySegment.copy(src, 0, model[f], off, len);
                        size[f] = Math.max(size[f], off + len);
                        if (rnd.nextInt(10) == 0) {
                            cache.sync(f + 1);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> j : jobs) {
                j.get();
            }
        }
        try (S3BlockStore fresh = new S3BlockStore(config)) {
            long expectUsed = 0;
            for (int f = 0; f < FILES; f++) {
                if (size[f] == 0) {
                    continue;
                }
                MemorySegment back = Arena.ofAuto().allocate(size[f]);
                fresh.read(f + 1, 0, back);
                assertEquals(-1, back.mismatch(model[f].asSlice(0, size[f])),
                        "round " + round + " file " + (f + 1) + " differs from what was written");
            }
        }
        arena.close();
    }
}
