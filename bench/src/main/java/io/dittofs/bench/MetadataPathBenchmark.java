package io.dittofs.bench;

import io.dittofs.core.AuthContext;
import io.dittofs.core.FileSystem;
import io.dittofs.core.FsException;
import io.dittofs.core.SetAttr;
import io.dittofs.core.Stability;
import io.dittofs.storage.block.file.FileBlockStore;
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
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;

/**
 * The CPU side of the metadata hot paths through {@link FileSystem} on LMDB with the local file
 * store (the server's defaults), one caller, no flush in the measured calls: GETATTR and LOOKUP
 * of a file in use (served by the LMDB read cache), LOOKUP of a missing name (NOENT, the
 * negative outcome every create-if-absent asks first), and freeing the content of a file that
 * was never written (what REMOVE does after the metadata change of every {@code meta} and
 * {@code metatree} file: it used to fail an open and throw per call). The flushed namespace
 * changes themselves are in {@link DurableMetadataBenchmark}. The space a file takes (GETATTR
 * {@code used}/{@code space_used}): of a written file whose allocation is known
 * ({@code getattrSpaceUsed}), and right after a write changed it ({@code spaceUsedAfterWrite},
 * one {@code stat}; {@code writeOnly} is that write alone). Store under
 * {@code java.io.tmpdir}.
 *
 * <p>Thread-safety: JMH state, one benchmark thread.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
    "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
    "--add-opens", "java.base/java.nio=ALL-UNNAMED", "--add-exports", "java.base/sun.nio.ch=ALL-UNNAMED"})
public class MetadataPathBenchmark {
    private static final AuthContext ROOT = AuthContext.ROOT;

    private LocalStores stores;
    private FileBlockStore blocks;
    private FileSystem fs;
    private long work;
    private long file;
    private long written;
    private final MemorySegment oneByte = MemorySegment.ofArray(new byte[] {1});
    private long neverWritten = 1L << 40;

    @Setup(Level.Trial)
    public void setup() throws IOException {
        stores = new LocalStores("meta-path-bench");
        blocks = stores.blocks;
        fs = stores.fs;
        work = stores.work;
        file = fs.create(ROOT, work, "f", SetAttr.NONE, FileSystem.CreateMode.GUARDED, 0).child().id();
        written = fs.create(ROOT, work, "w", SetAttr.NONE, FileSystem.CreateMode.GUARDED, 0).child().id();
        fs.write(ROOT, written, 0, MemorySegment.ofArray(new byte[1 << 20]), Stability.FILE_SYNC);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        stores.close();
    }

    @Benchmark
    public long getattr() {
        return fs.getattr(file).size();
    }

    @Benchmark
    public long getattrSpaceUsed() {
        return fs.spaceUsed(fs.getattr(written));
    }

    @Benchmark
    public long spaceUsedAfterWrite() {
        fs.write(ROOT, written, 4096, oneByte, Stability.UNSTABLE);
        return fs.spaceUsed(fs.getattr(written));
    }

    @Benchmark
    public long writeOnly() {
        return fs.write(ROOT, written, 4096, oneByte, Stability.UNSTABLE).count();
    }

    @Benchmark
    public long lookupHit() {
        return fs.lookup(ROOT, work, "f").id();
    }

    @Benchmark
    public Object lookupMiss() {
        try {
            return fs.lookup(ROOT, work, "missing");
        } catch (FsException e) {
            return e.error();
        }
    }

    /** The block-store half of REMOVE of a file created and removed empty. */
    @Benchmark
    public void freeNeverWritten() {
        blocks.delete(neverWritten++);
    }
}
