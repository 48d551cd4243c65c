package io.dittofs.bench;

import io.dittofs.controlplane.instrument.StoreInstruments;
import io.dittofs.controlplane.tracing.Tracing;
import io.dittofs.core.AuthContext;
import io.dittofs.core.FileSystem;
import io.dittofs.core.Results.Read;
import io.dittofs.core.Results.Written;
import io.dittofs.core.SetAttr;
import io.dittofs.core.Stability;
import io.dittofs.core.spi.BlockStore;
import io.dittofs.core.spi.MetadataStore;
import io.dittofs.protocols.rpc.RpcObserver;
import io.dittofs.storage.block.memory.MemoryBlockStore;
import io.dittofs.storage.metadata.memory.MemoryMetadataStore;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
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
import org.openjdk.jmh.annotations.Warmup;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Collection;
import java.util.concurrent.TimeUnit;

/**
 * What the store instrumentation costs per operation: a 4 KiB UNSTABLE WRITE and a 4 KiB READ
 * through {@link FileSystem} on memory stores (so the stores themselves cost little and the
 * instrumentation shows), with the decorators of {@link StoreInstruments} and the call wrapper of
 * the RPC tracer as the server uses them. {@code mode}: {@code off} (no decorators, as with metrics
 * and tracing off), {@code metrics} (Prometheus only), {@code unsampled} (metrics plus tracing at
 * sample rate 0: a non-recording call span, no children), {@code sampled} (every call traced: a
 * call span and its children, batched to an exporter that drops them).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
    "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED"})
public class InstrumentationBenchmark {
    @Param({"off", "metrics", "unsampled", "sampled"})
    String mode;

    private static final int SIZE = 4096;
    private static final long FILE_BYTES = 64L << 20;

    private Tracing tracing;
    private RpcObserver calls;
    private FileSystem fs;
    private long file;
    private MemorySegment buf;
    private long offset;

    /** Drops every span (the export path is not what is measured). */
    private static final class Dropping implements SpanExporter {
        @Override
        public CompletableResultCode export(Collection<SpanData> spans) {
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode flush() {
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode shutdown() {
            return CompletableResultCode.ofSuccess();
        }
    }

    @Setup
    public void setup() {
        MetadataStore meta = new MemoryMetadataStore();
        BlockStore blocks = new MemoryBlockStore();
        StoreInstruments in = StoreInstruments.NONE;
        calls = RpcObserver.NONE;
        if (!mode.equals("off")) {
            PrometheusRegistry registry = new PrometheusRegistry();
            if (!mode.equals("metrics")) {
                tracing = Tracing.create(BatchSpanProcessor.builder(new Dropping()).build(),
                        mode.equals("sampled") ? 1.0 : 0.0, "bench");
                calls = tracing.rpcObserver();
            }
            in = new StoreInstruments(registry, tracing == null ? null : tracing.storeTracer());
            meta = in.metadata("meta", meta);
            blocks = in.block("blocks", "store", false, blocks);
        }
        fs = new FileSystem(meta, in.share("/export", blocks), false);
        file = fs.create(AuthContext.ROOT, fs.rootId(), "f", SetAttr.NONE, FileSystem.CreateMode.GUARDED, 0).child().id();
        buf = Arena.global().allocate(SIZE, 4096).fill((byte) 1);
        for (long o = 0; o < FILE_BYTES; o += SIZE) {
            fs.write(AuthContext.ROOT, file, o, buf, Stability.UNSTABLE);
        }
    }

    @TearDown
    public void tearDown() {
        if (tracing != null) {
            tracing.close();
        }
    }

    private long next() {
        offset = (offset + SIZE) % FILE_BYTES;
        return offset;
    }

    @Benchmark
    public Written write4k() {
        long o = next();
        return calls == RpcObserver.NONE ? fs.write(AuthContext.ROOT, file, o, buf, Stability.UNSTABLE)
                : calls.inCall(() -> fs.write(AuthContext.ROOT, file, o, buf, Stability.UNSTABLE));
    }

    @Benchmark
    public Read read4k() {
        long o = next();
        return calls == RpcObserver.NONE ? fs.read(AuthContext.ROOT, file, o, buf)
                : calls.inCall(() -> fs.read(AuthContext.ROOT, file, o, buf));
    }
}
