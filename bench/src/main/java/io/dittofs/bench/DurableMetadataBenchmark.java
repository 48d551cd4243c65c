package io.dittofs.bench;

import io.dittofs.core.AuthContext;
import io.dittofs.core.FileSystem;
import io.dittofs.core.SetAttr;
import io.dittofs.core.Stability;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Durable metadata on a real disk, 8 callers at once as in {@code bench/compare.sh} (2
 * connections x 4 calls): {@code createRemove} is the {@code meta} workload's namespace pair
 * (CREATE then REMOVE, each flushed before it returns: group-committed, overlapping LMDB flushes);
 * {@code durableFile} is the {@code durable} workload (CREATE, 4 KiB UNSTABLE WRITE, COMMIT, whose
 * content and metadata flushes overlap). Throughput is bound by the disk's flush latency, so the
 * figure says how many callers share a flush. The store lives under {@code java.io.tmpdir}: point
 * it at a disk-backed directory ({@code -Djava.io.tmpdir=/var/tmp}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Threads(8)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
    "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
    "--add-opens", "java.base/java.nio=ALL-UNNAMED", "--add-exports", "java.base/sun.nio.ch=ALL-UNNAMED"})
public class DurableMetadataBenchmark {
    private static final AuthContext ROOT = AuthContext.ROOT;

    private LocalStores stores;
    private FileSystem fs;
    private long work;
    private final AtomicInteger callers = new AtomicInteger();

    /** Per caller: its name prefix, counter and 4 KiB of data. */
    @State(Scope.Thread)
    public static class Caller {
        int id;
        long n;
        MemorySegment data;

        @Setup(Level.Trial)
        public void setup(DurableMetadataBenchmark b) {
            id = b.callers.getAndIncrement();
            data = Arena.ofAuto().allocate(4096);
            data.fill((byte) 'd');
        }
    }

    @Setup(Level.Trial)
    public void setup() throws IOException {
        stores = new LocalStores("durable-meta-bench");
        fs = stores.fs;
        work = stores.work;
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        stores.close();
    }

    @Benchmark
    public void createRemove(Caller c) {
        String name = "m" + c.id + "-" + c.n++;
        fs.create(ROOT, work, name, SetAttr.NONE, FileSystem.CreateMode.GUARDED, 0);
        fs.remove(ROOT, work, name);
    }

    @Benchmark
    public long durableFile(Caller c) {
        long id = fs.create(ROOT, work, "d" + c.id + "-" + c.n++, SetAttr.NONE, FileSystem.CreateMode.GUARDED, 0)
                .child().id();
        fs.write(ROOT, id, 0, c.data, Stability.UNSTABLE);
        return fs.commit(ROOT, id).size();
    }
}
