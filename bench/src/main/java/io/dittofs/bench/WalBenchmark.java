package io.dittofs.bench;

import io.dittofs.storage.block.memory.MemoryBlockStore;
import io.dittofs.storage.cache.WriteBackCache;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The write-back cache's WAL: an append of 4 KiB or 1 MiB (what an UNSTABLE write waits for),
 * and append + force (what a FILE_SYNC write or COMMIT waits for), on a WAL in a temp directory
 * ({@code -Ddittofs.bench.dir=...} to put it on another disk) over a memory block store.
 * {@code appendOwnFile} gives each JMH thread its own file: run it with {@code -t 1} and
 * {@code -t 2} to see whether appends to different files scale (no store-wide lock while copying).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
    "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED"})
public class WalBenchmark {
    @Param({"4096", "1048576"})
    int size;

    private Path dir;
    private WriteBackCache cache;
    private MemorySegment data;
    private long offset;

    @Setup(Level.Trial)
    public void setup() throws IOException {
        String base = System.getProperty("dittofs.bench.dir");
        dir = base == null ? Files.createTempDirectory("dittofs-wal-bench") : Files.createTempDirectory(Path.of(base), "wal");
        cache = new WriteBackCache(new MemoryBlockStore(), WriteBackCache.Options.defaults(dir));
        data = Arena.ofAuto().allocate(size);
        data.fill((byte) 7);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        cache.close();
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** Wraps within 256 MiB of one file so the flusher keeps up and the WAL recycles. */
    private long nextOffset() {
        offset = (offset + size) % (256L << 20);
        return offset;
    }

    @Benchmark
    public void append() {
        cache.write(1, nextOffset(), data);
    }

    /** A JMH thread's own file and write position. */
    @State(Scope.Thread)
    public static class OwnFile {
        private static final java.util.concurrent.atomic.AtomicLong IDS = new java.util.concurrent.atomic.AtomicLong(100);
        final long id = IDS.incrementAndGet();
        long offset;
    }

    /** An append to the calling thread's own file (wrapping within 64 MiB of it). */
    @Benchmark
    public void appendOwnFile(OwnFile f) {
        f.offset = (f.offset + size) % (64L << 20);
        cache.write(f.id, f.offset, data);
    }

    @Benchmark
    public void appendAndForce() {
        cache.write(1, nextOffset(), data);
        cache.sync(1);
    }
}
