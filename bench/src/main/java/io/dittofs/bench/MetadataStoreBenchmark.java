package io.dittofs.bench;

import io.dittofs.core.AuthContext;
import io.dittofs.core.FileSystem;
import io.dittofs.core.Inode;
import io.dittofs.core.Results.DirPage;
import io.dittofs.core.Results.Entry;
import io.dittofs.core.Results.Written;
import io.dittofs.core.SetAttr;
import io.dittofs.core.Stability;
import io.dittofs.storage.block.memory.MemoryBlockStore;
import io.dittofs.storage.metadata.lmdb.LmdbMetadataStore;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
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
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * {@link FileSystem} over {@link LmdbMetadataStore} (and a memory block store): CREATE, LOOKUP,
 * GETATTR, ACCESS, a 4 KiB UNSTABLE WRITE and a READDIR / READDIRPLUS page of 100 entries in a
 * directory of 100,000 files.
 * Lookups and pages pick pseudo-random names and cookies, so they touch the whole B-tree.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
    "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
    "--add-opens", "java.base/java.nio=ALL-UNNAMED", "--add-exports", "java.base/sun.nio.ch=ALL-UNNAMED"})
public class MetadataStoreBenchmark {
    /** Which metadata store backs the FileSystem (PostgreSQL metadata is not implemented yet). */
    @org.openjdk.jmh.annotations.Param({"lmdb", "memory"})
    String store;

    private static final AuthContext ROOT = AuthContext.ROOT;
    private static final int FILES = 100_000;

    private Path dir;
    private io.dittofs.core.spi.MetadataStore meta;
    private FileSystem fs;
    private long big;
    private long fresh;
    private String[] names;
    private long[] ids;
    private long[] cookies;
    private int next;
    private long created;
    private final MemorySegment page = Arena.ofAuto().allocate(4096);

    @Setup(Level.Trial)
    public void setup() throws IOException {
        dir = Files.createTempDirectory("lmdb-bench");
        meta = store.equals("lmdb") ? new LmdbMetadataStore(dir) : new io.dittofs.storage.metadata.memory.MemoryMetadataStore();
        fs = new FileSystem(meta, new MemoryBlockStore(), false);
        big = fs.mkdir(ROOT, fs.rootId(), "big", SetAttr.NONE).child().id();
        fresh = fs.mkdir(ROOT, fs.rootId(), "fresh", SetAttr.NONE).child().id();
        names = new String[FILES];
        ids = new long[FILES];
        for (int i = 0; i < FILES; i++) {
            names[i] = "file-" + i + ".dat";
            ids[i] = fs.create(ROOT, big, names[i], SetAttr.NONE, FileSystem.CreateMode.GUARDED, 0).child().id();
        }
        List<Long> all = new ArrayList<>(FILES + 2);
        long cookie = 0;
        while (true) {
            DirPage p = fs.readdir(ROOT, big, cookie, 1000, false);
            for (Entry e : p.entries()) {
                all.add(e.cookie());
                cookie = e.cookie();
            }
            if (p.eof()) {
                break;
            }
        }
        cookies = all.stream().mapToLong(Long::longValue).toArray();
        meta.sync();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        meta.close();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** A pseudo-random index below {@code n} (a Weyl sequence; cheap and spread out). */
    private int pick(int n) {
        next += 0x9E3779B9;
        return (next >>> 1) % n;
    }

    @Benchmark
    public Inode create() {
        return fs.create(ROOT, fresh, "n" + created++, SetAttr.NONE, FileSystem.CreateMode.GUARDED, 0).child();
    }

    @Benchmark
    public Inode lookup() {
        return fs.lookup(ROOT, big, names[pick(FILES)]);
    }

    /** ACCESS: the attributes and the permission bits of the caller. */
    @Benchmark
    public int access() {
        return fs.access(AuthContext.ROOT, ids[pick(FILES)]);
    }

    /**
     * A 4 KiB UNSTABLE WRITE into one of 1,000 files (memory block store): the metadata cost of a
     * WRITE (existence and permission check, size/mtime update) with next to no data cost.
     */
    @Benchmark
    public Written writeUnstable4k() {
        int i = pick(1000);
        long off = (long) (next & 15) * 4096;
        return fs.write(ROOT, ids[i], off, page, Stability.UNSTABLE);
    }

    @Benchmark
    public Inode getattr() {
        return fs.getattr(ids[pick(FILES)]);
    }

    @Benchmark
    public DirPage readdirPage100() {
        return fs.readdir(ROOT, big, cookies[pick(cookies.length - 200)], 100, false);
    }

    @Benchmark
    public DirPage readdirplusPage100() {
        return fs.readdir(ROOT, big, cookies[pick(cookies.length - 200)], 100, true);
    }
}
