package io.dittofs.bench;

import io.dittofs.core.buffer.BufferPool;
import io.dittofs.core.buffer.Lease;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/** Lease and release of pooled off-heap buffers, from one thread and from two contending threads. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
    "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED"})
public class BufferPoolBenchmark {
    @Param({"4096", "1048576"})
    int size;

    private BufferPool pool;

    @Setup
    public void setup() {
        pool = new BufferPool();
    }

    @TearDown
    public void tearDown() {
        pool.close();
    }

    @Benchmark
    public long leaseAndRelease() {
        try (Lease l = pool.acquire(size)) {
            return l.segment().byteSize();
        }
    }

    @Benchmark
    @Threads(2)
    public long leaseAndReleaseContended() {
        try (Lease l = pool.acquire(size)) {
            return l.segment().byteSize();
        }
    }
}
