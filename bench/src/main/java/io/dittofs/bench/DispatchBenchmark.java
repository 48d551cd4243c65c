package io.dittofs.bench;

import io.dittofs.core.AuthContext;
import io.dittofs.core.FileSystem;
import io.dittofs.core.SetAttr;
import io.dittofs.core.ShareRegistry;
import io.dittofs.core.buffer.BufferPool;
import io.dittofs.protocols.mount.MountProgram;
import io.dittofs.protocols.nfs.FileHandles;
import io.dittofs.protocols.nfs.v3.Nfs3Program;
import io.dittofs.protocols.rpc.DuplicateRequestCache;
import io.dittofs.protocols.rpc.RpcDispatcher;
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

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * XDR decode + file-system call + XDR encode of GETATTR, READ and WRITE, straight through the
 * RPC dispatcher (no socket): the codec and dispatch cost of one call on memory stores.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
    "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED"})
public class DispatchBenchmark {
    @Param({"4096", "1048576"})
    int size;

    private BufferPool pool;
    private RpcDispatcher dispatcher;
    private MemorySegment getattr;
    private MemorySegment read;
    private MemorySegment writeUnstable;
    private final InetSocketAddress client = new InetSocketAddress("127.0.0.1", 999);

    @Setup(Level.Trial)
    public void setup() {
        ShareRegistry shares = Servers.memoryShares();
        FileSystem fs = shares.byId(1).fs();
        long id = fs.create(AuthContext.ROOT, fs.rootId(), "f", SetAttr.NONE, FileSystem.CreateMode.GUARDED, 0)
                .child().id();
        MemorySegment data = Arena.ofAuto().allocate(1 << 20);
        data.fill((byte) 0x5a); // real content: a store may keep all-zero data as a hole
        fs.write(AuthContext.ROOT, id, 0, data, io.dittofs.core.Stability.UNSTABLE);
        pool = new BufferPool();
        dispatcher = new RpcDispatcher(pool, new DuplicateRequestCache(1024, 60));
        dispatcher.register(new Nfs3Program(shares));
        dispatcher.register(new MountProgram(shares, MountProgram.MountPolicy.ALLOW_ALL));
        byte[] fh = FileHandles.encode(1, id);
        getattr = record(RpcCalls.call(1, RpcCalls.NFS, 3, 1, RpcCalls.fhArgs(fh, 0).flip()));
        ByteBuffer ra = RpcCalls.fhArgs(fh, 12);
        ra.putLong(0).putInt(size);
        read = record(RpcCalls.call(2, RpcCalls.NFS, 3, 6, ra.flip()));
        ByteBuffer wa = ByteBuffer.allocate(RpcCalls.fhArgs(fh, 0).capacity() + 20 + size);
        wa.put(RpcCalls.fhArgs(fh, 0).flip()).putLong(0).putInt(size).putInt(0).putInt(size).put(new byte[size]);
        writeUnstable = record(RpcCalls.call(3, RpcCalls.NFS, 3, 7, wa.flip()));
        for (MemorySegment call : new MemorySegment[] {getattr, read, writeUnstable}) {
            checkSucceeds(call);
        }
    }

    /** Fails the trial unless the call is accepted and returns NFS3_OK: never measure an error path. */
    private void checkSucceeds(MemorySegment call) {
        RpcDispatcher.Outcome o = dispatcher.dispatch(call, client);
        if (!(o instanceof RpcDispatcher.Reply r)) {
            throw new IllegalStateException("no reply: " + o);
        }
        try (var enc = r.encoder()) {
            MemorySegment w = enc.written();
            java.nio.ByteBuffer b = w.asByteBuffer().order(java.nio.ByteOrder.BIG_ENDIAN);
            int replyStat = b.getInt(12);
            int acceptStat = b.getInt(24);
            int nfsStatus = b.getInt(28);
            if (replyStat != 0 || acceptStat != 0 || nfsStatus != 0) {
                throw new IllegalStateException("call failed: reply_stat " + replyStat + " accept_stat " + acceptStat
                        + " nfsstat3 " + nfsStatus);
            }
        }
    }

    /** The call without its record mark, in off-heap memory, as the server receives it. */
    private static MemorySegment record(ByteBuffer call) {
        MemorySegment whole = MemorySegment.ofBuffer(call);
        MemorySegment body = whole.asSlice(4);
        MemorySegment copy = Arena.ofAuto().allocate(body.byteSize(), 8);
        copy.copyFrom(body);
        return copy;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        pool.close();
    }

    private long run(MemorySegment rec) {
        RpcDispatcher.Outcome o = dispatcher.dispatch(rec, client);
        if (o instanceof RpcDispatcher.Reply r) {
            long n = r.encoder().position();
            r.encoder().close();
            return n;
        }
        throw new IllegalStateException(o.toString());
    }

    @Benchmark
    public long getattr() {
        return run(getattr);
    }

    @Benchmark
    public long read() {
        return run(read);
    }

    private int xid = 1000;

    /** Each WRITE gets a fresh xid, as a client's would, so the duplicate-request cache does not answer it. */
    @Benchmark
    public long writeUnstable() {
        writeUnstable.set(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN), 0, ++xid);
        return run(writeUnstable);
    }
}
