package io.dittofs.protocols;

import io.dittofs.core.FileSystem;
import io.dittofs.core.Share;
import io.dittofs.core.ShareRegistry;
import io.dittofs.core.buffer.BufferPool;
import io.dittofs.protocols.mount.MountProgram;
import io.dittofs.protocols.nfs.FileHandles;
import io.dittofs.protocols.nfs.v3.Nfs3Program;
import io.dittofs.protocols.portmap.PortmapProgram;
import io.dittofs.protocols.rpc.DuplicateRequestCache;
import io.dittofs.protocols.rpc.RpcDispatcher;
import io.dittofs.protocols.rpc.RpcObserver;
import io.dittofs.protocols.rpc.RpcServer;
import io.dittofs.storage.block.memory.MemoryBlockStore;
import io.dittofs.storage.metadata.memory.MemoryMetadataStore;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

import static io.dittofs.protocols.XdrArgs.xdr;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An in-process server wired like the NFS adapter ({@code NfsServer}): one buffer pool, a
 * dispatcher with a duplicate-request cache, MOUNT v3 and NFSv3 on memory stores serving
 * {@code /export}, on 127.0.0.1 and an ephemeral port. The embedded portmapper is registered on
 * the same dispatcher (in production it has its own port). Thread-safe like the server itself.
 */
public final class TestNfsServer implements AutoCloseable {
    public static final String EXPORT = "/export";
    public static final int SHARE_ID = 1;

    private final BufferPool pool;
    private final FileSystem fs;
    private final RpcServer server;

    private TestNfsServer(BufferPool pool, FileSystem fs, RpcServer server) {
        this.pool = pool;
        this.fs = fs;
        this.server = server;
    }

    public static TestNfsServer start() throws IOException {
        return start(RpcServer.Options.defaults());
    }

    public static TestNfsServer start(RpcServer.Options options) throws IOException {
        return start(options, RpcObserver.NONE);
    }

    /** A server whose dispatcher and connections report to {@code observer}. */
    public static TestNfsServer start(RpcServer.Options options, RpcObserver observer) throws IOException {
        BufferPool pool = new BufferPool();
        FileSystem fs = new FileSystem(new MemoryMetadataStore(), new MemoryBlockStore(), false);
        ShareRegistry shares = new ShareRegistry();
        shares.add(new Share(SHARE_ID, EXPORT, fs, false, 65534, 65534));
        RpcDispatcher d = new RpcDispatcher(pool, new DuplicateRequestCache(1024, 600), observer);
        d.register(new MountProgram(shares, MountProgram.MountPolicy.ALLOW_ALL));
        d.register(new Nfs3Program(shares));
        PortmapProgram portmap = new PortmapProgram();
        d.register(portmap);
        RpcServer server = RpcServer.start("test-nfs", new InetSocketAddress("127.0.0.1", 0), d,
                options.withDrainTimeoutMillis(2_000));
        portmap.register(new PortmapProgram.Mapping(Nfs3Program.PROGRAM, 3, PortmapProgram.IPPROTO_TCP, server.port()));
        portmap.register(new PortmapProgram.Mapping(MountProgram.PROGRAM, 3, PortmapProgram.IPPROTO_TCP, server.port()));
        TestNfsServer t = new TestNfsServer(pool, fs, server);
        t.shares = shares;
        return t;
    }

    private ShareRegistry shares;

    /** The live share registry, for tests that add shares with other access rules. */
    public ShareRegistry shares() {
        return shares;
    }

    public int port() {
        return server.port();
    }

    public RpcServer rpcServer() {
        return server;
    }

    public BufferPool pool() {
        return pool;
    }

    public FileSystem fs() {
        return fs;
    }

    public byte[] rootHandle() {
        return FileHandles.encode(SHARE_ID, fs.rootId());
    }

    public RpcTestClient client() throws IOException {
        return RpcTestClient.connect(port());
    }

    /** A well-behaved client on a fresh connection gets NFS NULL and a GETATTR of the root answered. */
    public void assertServesGoodClient() throws IOException {
        try (RpcTestClient c = client()) {
            assertTrue(c.nullCall(RpcTestClient.NFS, 3).isSuccess(), "NFS NULL");
            RpcTestClient.RpcReply r = c.call(RpcTestClient.NFS, 3, 1, RpcTestClient.Cred.root(),
                    xdr().opaque(rootHandle()).build());
            assertTrue(r.isSuccess(), "GETATTR accepted");
            ByteBuffer b = r.body();
            assertEquals(0, b.getInt(), "GETATTR status");
            assertEquals(2, b.getInt(), "root is a directory");
        }
    }

    /** Polls until the server's connection count is at most {@code max}; false on timeout. */
    public boolean awaitConnectionsAtMost(int max, long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        while (server.connectionCount() > max) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    @Override
    public void close() {
        server.close();
        pool.close();
    }
}
