package io.dittofs.bench;

import io.dittofs.core.spi.BlockStore;
import io.dittofs.storage.block.file.FileBlockStore;
import io.dittofs.storage.block.fs.FsBlockStore;
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
 * Block stores: write, write + sync (a FILE_SYNC write or a COMMIT) and read of 4 KiB and 1 MiB at
 * rotating offsets of a 64 MiB file, on the memory store; {@code file}: the in-place local-file
 * store (the {@code fs} type, one sparse file per inode); {@code fileWal}: the write-back cache
 * (mmap WAL) over it; {@code blocks}: the earlier block-file store (temp file + rename per 1 MiB
 * block, every block forced); {@code blocksWal}: the write-back cache over the block-file store
 * (the earlier default). Files live under {@code -Ddittofs.bench.dir} or /var/tmp.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
    "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED"})
public class BlockStoreBenchmark {
    private static final long FILE = 64L << 20;

    @Param({"memory", "file", "fileWal", "blocks", "blocksWal"})
    String store;

    @Param({"4096", "1048576"})
    int size;

    private Path dir;
    private BlockStore blocks;
    private MemorySegment data;
    private MemorySegment dst;
    private long offset;

    @Setup(Level.Trial)
    public void setup() throws IOException {
        dir = Files.createTempDirectory(Path.of(System.getProperty("dittofs.bench.dir", "/var/tmp")), "blocks-bench");
        blocks = switch (store) {
            case "memory" -> new MemoryBlockStore();
            case "file" -> new FileBlockStore(dir.resolve("blocks"));
            case "fileWal" -> new WriteBackCache(new FileBlockStore(dir.resolve("blocks")),
                    WriteBackCache.Options.defaults(dir.resolve("wal")));
            case "blocks" -> new FsBlockStore(dir.resolve("blocks"));
            case "blocksWal" -> new WriteBackCache(new FsBlockStore(dir.resolve("blocks"), true),
                    WriteBackCache.Options.defaults(dir.resolve("wal")));
            default -> throw new IllegalArgumentException(store);
        };
        data = Arena.ofAuto().allocate(size);
        data.fill((byte) 0x5a);
        dst = Arena.ofAuto().allocate(size);
        for (long off = 0; off < FILE; off += 1 << 20) { // a file to read from
            blocks.write(1, off, Arena.ofAuto().allocate(1 << 20).fill((byte) 1));
        }
        blocks.sync(1);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        blocks.close();
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private long next() {
        offset = (offset + size * 7L) % (FILE - size);
        return offset - offset % size;
    }

    @Benchmark
    public void write() {
        blocks.write(2, next(), data);
    }

    /** A FILE_SYNC write (or a write followed by COMMIT): durable on return. */
    @Benchmark
    public void writeSync() {
        blocks.write(2, next(), data);
        blocks.sync(2);
    }

    @Benchmark
    public MemorySegment read() {
        blocks.read(1, next(), dst);
        return dst;
    }
}
