package io.dittofs.storage.cache;

import io.dittofs.storage.block.fs.FsBlockStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Many threads writing, truncating, syncing and reading many files at once through a small WAL
 * (segments roll, fill up and recycle while appends run without a lock), checked byte for byte
 * against a model: live, after a crash (every file synced first) and after a clean reopen.
 */
@Timeout(300)
class WriteBackCacheManyWritersTest {
    private static final int THREADS = 8;
    private static final int FILES_PER_THREAD = 4;
    private static final int FILE_SIZE = 512 << 10;
    private static final int OPS = 300;

    @TempDir
    Path dir;

    private WriteBackCache open(Path root) {
        return new WriteBackCache(new FsBlockStore(root.resolve("blocks"), true),
                new WriteBackCache.Options(root.resolve("wal"), 4L << 20, 8, 5));
    }

    @Test
    void shouldKeepEveryFileIntactWhenManyThreadsWriteManyFilesAndTheCacheReopens() throws Exception {
        Path root = dir.resolve("many");
        byte[][] model = new byte[THREADS * FILES_PER_THREAD][FILE_SIZE];
        WriteBackCache c = open(root);
        CyclicBarrier start = new CyclicBarrier(THREADS);
        try (ExecutorService ex = Executors.newFixedThreadPool(THREADS)) {
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                fs.add(ex.submit(() -> {
                    start.await();
                    run(c, model, thread);
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get(240, TimeUnit.SECONDS);
            }
        }
        for (int f = 0; f < model.length; f++) {
            c.sync(f + 1);
        }
        verify(c, model, "live");
        c.abandonForTest();
        try (WriteBackCache r = open(root)) {
            verify(r, model, "after a crash");
        }
        try (WriteBackCache r = open(root)) {
            verify(r, model, "after a clean reopen");
        }
    }

    /** One thread's share: its own files, so its model needs no lock. */
    private static void run(WriteBackCache c, byte[][] model, int thread) {
        SplittableRandom rnd = new SplittableRandom(thread * 7919L);
        MemorySegment buf = Arena.ofAuto().allocate(64 << 10);
        for (int op = 0; op < OPS; op++) {
            int file = thread * FILES_PER_THREAD + rnd.nextInt(FILES_PER_THREAD);
            long id = file + 1;
            int kind = rnd.nextInt(100);
            if (kind < 80) {
                int len = 1 + rnd.nextInt(64 << 10);
                int off = rnd.nextInt(FILE_SIZE - len + 1);
                byte seed = (byte) rnd.nextInt();
                for (int i = 0; i < len; i++) {
                    byte v = (byte) (seed + i * 13);
                    buf.set(java.lang.foreign.ValueLayout.JAVA_BYTE, i, v);
                    model[file][off + i] = v;
                }
                c.write(id, off, buf.asSlice(0, len));
            } else if (kind < 85) {
                int size = rnd.nextInt(FILE_SIZE);
                c.truncate(id, size);
                java.util.Arrays.fill(model[file], size, FILE_SIZE, (byte) 0);
            } else if (kind < 92) {
                c.sync(id);
            } else {
                int len = 1 + rnd.nextInt(64 << 10);
                int off = rnd.nextInt(FILE_SIZE - len + 1);
                MemorySegment got = buf.asSlice(0, len);
                c.read(id, off, got);
                assertEquals(-1, got.mismatch(MemorySegment.ofArray(model[file]).asSlice(off, len)),
                        "file " + id + " read at " + off + " while writing");
            }
        }
    }

    private static void verify(WriteBackCache c, byte[][] model, String when) {
        MemorySegment got = Arena.ofAuto().allocate(FILE_SIZE);
        for (int f = 0; f < model.length; f++) {
            got.fill((byte) 0x55);
            c.read(f + 1, 0, got);
            assertEquals(-1, got.mismatch(MemorySegment.ofArray(model[f])), "file " + (f + 1) + " " + when);
        }
    }
}
