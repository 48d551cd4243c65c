package io.dittofs.storage.metadata.lmdb;

import io.dittofs.core.AuthContext;
import io.dittofs.core.FileSystem;
import io.dittofs.core.FileSystem.CreateMode;
import io.dittofs.core.Inode;
import io.dittofs.core.Results.DirPage;
import io.dittofs.core.SetAttr;
import io.dittofs.storage.block.memory.MemoryBlockStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A share with 1,000,000 files in 1,000 directories, created through {@link FileSystem} by
 * virtual threads, then sampled with LOOKUP, GETATTR and READDIR, and reopened. Not a
 * benchmark: it shows the store keeps working at that size (the JMH figures are in
 * {@code MetadataStoreBenchmark}). Prints its wall time, so it runs in {@code verify};
 * {@code -Ddittofs.skipBigTests=true} skips it.
 */
@DisabledIfSystemProperty(named = "dittofs.skipBigTests", matches = "true")
class LmdbMillionFilesTest {
    private static final AuthContext ROOT = AuthContext.ROOT;
    private static final int DIRS = 1000;
    private static final int FILES_PER_DIR = 1000;
    /**
     * Creators at once. Each CREATE is durable before it returns, and concurrent creates share
     * LMDB syncs, so this sets how many creates one sync covers: at 8 the test spent ~375 s waiting
     * for syncs on this machine's disk, at 64 far less.
     */
    private static final int THREADS = 64;

    @TempDir
    Path tmp;

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void shouldHoldOneMillionFiles() throws Exception {
        long start = System.nanoTime();
        Path where = tmp.resolve("big");
        long[] dirs = new long[DIRS];
        try (LmdbMetadataStore meta = new LmdbMetadataStore(where, 64L << 20, 1L << 40)) {
            FileSystem fs = new FileSystem(meta, new MemoryBlockStore(), false);
            for (int d = 0; d < DIRS; d++) {
                dirs[d] = fs.mkdir(ROOT, fs.rootId(), "d" + d, SetAttr.NONE).child().id();
            }
            try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<?>> fs2 = new ArrayList<>();
                for (int th = 0; th < THREADS; th++) {
                    int first = th;
                    fs2.add(ex.submit(() -> {
                        for (int d = first; d < DIRS; d += THREADS) {
                            for (int i = 0; i < FILES_PER_DIR; i++) {
                                fs.create(ROOT, dirs[d], "file-" + i + ".dat", SetAttr.NONE, CreateMode.GUARDED, 0);
                            }
                        }
                        return null;
                    }));
                }
                for (Future<?> f : fs2) {
                    f.get();
                }
            }
            long created = System.nanoTime();
            meta.sync();
            assertEquals(1 + DIRS + DIRS * FILES_PER_DIR, meta.stats().files());
            sample(fs, dirs);
            System.out.printf("LmdbMillionFilesTest: created %,d files in %.1f s, total %.1f s, map %,d MiB%n",
                    DIRS * FILES_PER_DIR, (created - start) / 1e9, (System.nanoTime() - start) / 1e9,
                    meta.mapSize() >> 20);
        }
        try (LmdbMetadataStore meta = new LmdbMetadataStore(where)) {
            sample(new FileSystem(meta, new MemoryBlockStore(), false), dirs);
        }
        System.out.printf("LmdbMillionFilesTest: wall time with reopen %.1f s%n", (System.nanoTime() - start) / 1e9);
    }

    private static void sample(FileSystem fs, long[] dirs) {
        SplittableRandom rnd = new SplittableRandom(42);
        for (int k = 0; k < 20_000; k++) {
            int d = rnd.nextInt(DIRS);
            int i = rnd.nextInt(FILES_PER_DIR);
            Inode n = fs.lookup(ROOT, dirs[d], "file-" + i + ".dat");
            assertEquals(n, fs.getattr(n.id()));
        }
        int d = rnd.nextInt(DIRS);
        long cookie = 0;
        int seen = 0;
        while (true) {
            DirPage p = fs.readdir(ROOT, dirs[d], cookie, 100, true);
            seen += p.entries().size();
            cookie = p.entries().getLast().cookie();
            if (p.eof()) {
                break;
            }
        }
        assertEquals(FILES_PER_DIR + 2, seen);
        assertTrue(fs.fsstat().freeFiles() > 0);
    }
}
