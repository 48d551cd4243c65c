package io.dittofs.bench;

import io.dittofs.controlplane.runtime.NfsServer;
import io.dittofs.protocols.nfs.FileHandles;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;

/**
 * NFSv3 NULL and GETATTR round trips over loopback TCP against an in-process server on memory
 * stores: one call at a time, and 32 calls in flight on one connection (pipelined).
 * Throughput is in calls per second.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
    "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED"})
public class RoundTripBenchmark {
    static final int DEPTH = 32;

    private NfsServer server;
    private SocketChannel ch;
    private ByteBuffer nullCall;
    private ByteBuffer getattrCall;
    private ByteBuffer nullBatch;
    private final ByteBuffer reply = ByteBuffer.allocateDirect(64 * 1024);

    @Setup(Level.Trial)
    public void setup() throws IOException {
        server = Servers.start(Servers.memoryShares());
        ch = SocketChannel.open(new InetSocketAddress("127.0.0.1", server.nfsPort()));
        ch.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
        nullCall = RpcCalls.call(1, RpcCalls.NFS, 3, 0, ByteBuffer.allocate(0));
        getattrCall = RpcCalls.call(2, RpcCalls.NFS, 3, 1, RpcCalls.fhArgs(FileHandles.encode(1, 1), 0).flip());
        nullBatch = ByteBuffer.allocateDirect(nullCall.remaining() * DEPTH);
        for (int i = 0; i < DEPTH; i++) {
            nullBatch.put(nullCall.duplicate());
        }
        nullBatch.flip();
        for (ByteBuffer call : new ByteBuffer[] {nullCall, getattrCall}) {
            send(call);
            RpcCalls.readReply(ch, reply);
            if (reply.getInt(8) != 0 || reply.getInt(20) != 0 || call == getattrCall && reply.getInt(24) != 0) {
                throw new IllegalStateException("call failed: reply_stat " + reply.getInt(8) + " accept_stat "
                        + reply.getInt(20) + " status " + reply.getInt(24));
            }
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        ch.close();
        server.close();
    }

    private void send(ByteBuffer b) throws IOException {
        ByteBuffer d = b.duplicate();
        while (d.hasRemaining()) {
            ch.write(d);
        }
    }

    @Benchmark
    public int nullCall() throws IOException {
        send(nullCall);
        return RpcCalls.readReply(ch, reply);
    }

    @Benchmark
    public int getattr() throws IOException {
        send(getattrCall);
        return RpcCalls.readReply(ch, reply);
    }

    @Benchmark
    @OperationsPerInvocation(DEPTH)
    public int nullCall32InFlight() throws IOException {
        send(nullBatch);
        int x = 0;
        for (int i = 0; i < DEPTH; i++) {
            x += RpcCalls.readReply(ch, reply);
        }
        return x;
    }
}
