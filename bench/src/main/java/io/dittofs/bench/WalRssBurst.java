package io.dittofs.bench;

import io.dittofs.core.spi.BlockStore;
import io.dittofs.storage.block.fs.FsBlockStore;
import io.dittofs.storage.block.memory.MemoryBlockStore;
import io.dittofs.storage.cache.WriteBackCache;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

/**
 * A write burst through the write-back cache that reports the process's resident memory: peak and
 * final {@code VmRSS} and {@code RssFile} (mapped WAL pages) from {@code /proc/self/status},
 * sampled every 20 ms. Usage: {@code java -cp benchmarks.jar io.dittofs.bench.WalRssBurst
 * [fs|memory] [MiB to write, 2048] [threads, 2] [dir]}. Each thread writes 1 MiB writes to its
 * own file, wrapping within 64 MiB (so a memory store holds at most 64 MiB per thread).
 * Single-threaded driver, not a library class.
 */
public final class WalRssBurst {
    private WalRssBurst() {
    }

    public static void main(String[] args) throws Exception {
        String kind = args.length > 0 ? args[0] : "fs";
        long mib = args.length > 1 ? Long.parseLong(args[1]) : 2048;
        int threads = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        Path dir = args.length > 3 ? Files.createTempDirectory(Path.of(args[3]), "rss") : Files.createTempDirectory("dittofs-rss");
        BlockStore backing = kind.equals("memory") ? new MemoryBlockStore() : new FsBlockStore(dir.resolve("blocks"), true);
        long[] peak = new long[2];
        AtomicBoolean done = new AtomicBoolean();
        Thread sampler = Thread.ofPlatform().daemon(true).start(() -> {
            while (!done.get()) {
                long[] now = rss();
                peak[0] = Math.max(peak[0], now[0]);
                peak[1] = Math.max(peak[1], now[1]);
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        long[] before = rss();
        long t0 = System.nanoTime();
        try (WriteBackCache cache = new WriteBackCache(backing, WriteBackCache.Options.defaults(dir.resolve("wal")))) {
            List<Thread> ws = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                long id = t + 1;
                long perThread = mib / threads;
                ws.add(Thread.ofPlatform().start(() -> {
                    MemorySegment data = Arena.ofAuto().allocate(1 << 20);
                    data.fill((byte) id);
                    for (long i = 0; i < perThread; i++) {
                        cache.write(id, (i % 64) << 20, data);
                    }
                }));
            }
            for (Thread w : ws) {
                w.join();
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            long[] after = rss();
            System.out.printf("store=%s wrote=%d MiB threads=%d in %.1f s (%.0f MiB/s)%n", kind, mib, threads, secs, mib / secs);
            System.out.printf("RSS KiB: start %d, peak %d, end of burst %d; RssFile KiB: peak %d, end of burst %d%n",
                    before[0], peak[0], after[0], peak[1], after[1]);
            System.out.printf("WAL segments at end of burst: %d%n", cache.stats().walSegments());
        } finally {
            done.set(true);
            sampler.join();
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** {VmRSS, RssFile} in KiB. */
    private static long[] rss() {
        long[] out = new long[2];
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    out[0] = Long.parseLong(line.replaceAll("\\D", ""));
                } else if (line.startsWith("RssFile:")) {
                    out[1] = Long.parseLong(line.replaceAll("\\D", ""));
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }
}
