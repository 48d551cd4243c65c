package io.dittofs.bench;

import io.dittofs.controlplane.runtime.NfsServer;
import io.dittofs.core.AuthContext;
import io.dittofs.core.FileSystem;
import io.dittofs.core.SetAttr;
import io.dittofs.core.ShareRegistry;
import io.dittofs.core.Stability;
import io.dittofs.protocols.nfs.FileHandles;
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
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;

/**
 * NFSv3 READ and WRITE (UNSTABLE and FILE_SYNC) round trips of 4 KiB and 1 MiB over loopback TCP
 * against an in-process server, one call at a time on one connection; {@code store}: memory
 * stores, or {@code file}: the in-place local-file block store (READ data sent from the file with
 * sendfile, under {@code -Ddittofs.bench.dir} or /var/tmp).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
    "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED"})
public class ReadWriteRoundTripBenchmark {
    @Param({"4096", "1048576"})
    int size;

    @Param({"memory", "file"})
    String store;

    private java.nio.file.Path dir;

    private NfsServer server;
    private SocketChannel ch;
    private ByteBuffer read;
    private ByteBuffer writeUnstable;
    private ByteBuffer writeFileSync;
    private final ByteBuffer reply = ByteBuffer.allocateDirect(1024 * 1024 + 64 * 1024);
    private int xid = 100;

    @Setup(Level.Trial)
    public void setup() throws IOException {
        ShareRegistry shares;
        if (store.equals("file")) {
            dir = java.nio.file.Files.createTempDirectory(java.nio.file.Path.of(
                    System.getProperty("dittofs.bench.dir", "/var/tmp")), "rw-bench");
            shares = Servers.fileShares(dir.resolve("blocks"));
        } else {
            shares = Servers.memoryShares();
        }
        FileSystem fs = shares.byId(1).fs();
        long id = fs.create(AuthContext.ROOT, fs.rootId(), "f", SetAttr.NONE, FileSystem.CreateMode.GUARDED, 0).child().id();
        fs.write(AuthContext.ROOT, id, 0, Arena.ofAuto().allocate(1 << 20).fill((byte) 0x5a), Stability.UNSTABLE);
        server = Servers.start(shares);
        ch = SocketChannel.open(new InetSocketAddress("127.0.0.1", server.nfsPort()));
        ch.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
        byte[] fh = FileHandles.encode(1, id);
        ByteBuffer ra = RpcCalls.fhArgs(fh, 12);
        ra.putLong(0).putInt(size);
        read = RpcCalls.call(1, RpcCalls.NFS, 3, 6, ra.flip());
        writeUnstable = write(fh, 0);
        writeFileSync = write(fh, 2);
        for (ByteBuffer call : new ByteBuffer[] {read, writeUnstable, writeFileSync}) {
            call(call);
            if (reply.getInt(8) != 0 || reply.getInt(20) != 0 || reply.getInt(24) != 0) {
                throw new IllegalStateException("call failed: reply_stat " + reply.getInt(8) + " accept_stat "
                        + reply.getInt(20) + " nfsstat3 " + reply.getInt(24));
            }
        }
    }

    private ByteBuffer write(byte[] fh, int stable) {
        ByteBuffer base = RpcCalls.fhArgs(fh, 0).flip();
        ByteBuffer wa = ByteBuffer.allocate(base.remaining() + 20 + size);
        wa.put(base).putLong(0).putInt(size).putInt(stable).putInt(size).put(new byte[size]);
        return RpcCalls.call(2, RpcCalls.NFS, 3, 7, wa.flip());
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        ch.close();
        server.close();
        if (dir != null) {
            try (var files = java.nio.file.Files.walk(dir)) {
                for (java.nio.file.Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    java.nio.file.Files.deleteIfExists(p);
                }
            }
        }
    }

    /** Sends with a fresh xid (so the duplicate-request cache never answers) and reads the reply. */
    private int call(ByteBuffer b) throws IOException {
        b.putInt(4, ++xid);
        ByteBuffer d = b.duplicate();
        while (d.hasRemaining()) {
            ch.write(d);
        }
        return RpcCalls.readReply(ch, reply);
    }

    @Benchmark
    public int read() throws IOException {
        return call(read);
    }

    @Benchmark
    public int writeUnstable() throws IOException {
        return call(writeUnstable);
    }

    @Benchmark
    public int writeFileSync() throws IOException {
        return call(writeFileSync);
    }
}
