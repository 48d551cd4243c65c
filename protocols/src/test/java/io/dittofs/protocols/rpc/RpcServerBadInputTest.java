package io.dittofs.protocols.rpc;

import io.dittofs.core.buffer.BufferPool;
import io.dittofs.protocols.RpcTestClient;
import io.dittofs.protocols.TestNfsServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static io.dittofs.protocols.XdrArgs.xdr;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hostile and broken clients against an in-process server; after (or during) each, a second,
 * well-behaved client must still be served. Each test gets a fresh server and buffer pool.
 */
class RpcServerBadInputTest {
    private static final long STALL_MILLIS = 500;
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);
    private TestNfsServer server;

    @BeforeEach
    void startServer() throws IOException {
        server = TestNfsServer.start(RpcServer.Options.defaults().withStallTimeoutMillis(STALL_MILLIS));
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    @Test
    @Timeout(20)
    void shouldServeOthersWhenRecordTruncatedThenClosed() throws IOException, InterruptedException {
        try (RpcTestClient bad = server.client()) {
            bad.sendRaw(xdr().int32(0x8000_0000 | 100).raw(new byte[50]).build());
            bad.socket().shutdownOutput();
            assertTrue(bad.awaitClosedByServer(CLOSE_WAIT), "server closes after EOF inside a record");
        }
        server.assertServesGoodClient();
        assertTrue(server.awaitConnectionsAtMost(0, 5_000));
    }

    @Test
    @Timeout(20)
    void shouldCloseWithoutAllocatingWhenFragmentLengthIsMax() throws IOException {
        for (int mark : new int[] {0x7fff_ffff, 0xffff_ffff}) {
            try (RpcTestClient bad = server.client()) {
                bad.sendRaw(xdr().int32(mark).raw(new byte[1024]).build());
                assertTrue(bad.awaitClosedByServer(CLOSE_WAIT), "server closes on mark " + Integer.toHexString(mark));
            }
        }
        server.assertServesGoodClient();
        assertTrue(server.pool().allocatedBytes() < BufferPool.LARGE,
                "no large buffer taken: " + server.pool().allocatedBytes() + " bytes allocated");
    }

    @Test
    @Timeout(30)
    void shouldServeOthersWhenSentMegabyteOfRandomBytes() throws IOException {
        byte[] junk = new byte[1024 * 1024];
        new Random(20_240_601).nextBytes(junk);
        try (RpcTestClient bad = server.client()) {
            try {
                for (int off = 0; off < junk.length; off += 64 * 1024) {
                    bad.sendRaw(RpcTestClient.range(junk, off, off + 64 * 1024));
                }
            } catch (IOException e) {
                // the server may reset the connection before all of it is written
            }
            server.assertServesGoodClient();
            assertTrue(bad.awaitClosedByServer(CLOSE_WAIT), "server closes a connection sending junk");
        }
        server.assertServesGoodClient();
    }

    @Test
    @Timeout(20)
    void shouldCloseConnectionWhenClientStallsHalfwayThroughRecord() throws IOException {
        try (RpcTestClient stalled = server.client()) {
            int xid = RpcTestClient.nextXid();
            byte[] call = RpcTestClient.callMessage(xid, 2, RpcTestClient.NFS, 3, 0,
                    RpcTestClient.Cred.none(), new byte[0]);
            stalled.sendRaw(xdr().int32(0x8000_0000 | call.length).raw(RpcTestClient.range(call, 0, call.length / 2))
                    .build());
            server.assertServesGoodClient(); // served while the stalled one is open
            long start = System.nanoTime();
            assertTrue(stalled.awaitClosedByServer(CLOSE_WAIT), "stalled connection closed");
            assertTrue(System.nanoTime() - start < CLOSE_WAIT.toNanos());
        }
        server.assertServesGoodClient();
    }

    @Test
    @Timeout(20)
    void shouldCloseConnectionWhenClientStallsInsideRecordMark() throws IOException {
        try (RpcTestClient stalled = server.client()) {
            stalled.sendRaw(new byte[] {(byte) 0x80, 0});
            server.assertServesGoodClient();
            assertTrue(stalled.awaitClosedByServer(CLOSE_WAIT), "slowloris on the record mark closed");
        }
        server.assertServesGoodClient();
    }

    @Test
    @Timeout(20)
    void shouldKeepIdleConnectionOpenBetweenRecords() throws IOException {
        try (RpcTestClient idle = server.client()) {
            assertTrue(idle.nullCall(RpcTestClient.NFS, 3).isSuccess());
            assertTrue(!idle.awaitClosedByServer(Duration.ofMillis(3 * STALL_MILLIS)), "idle is not stalled");
            assertTrue(idle.nullCall(RpcTestClient.NFS, 3).isSuccess());
        }
    }

    @Test
    @Timeout(20)
    void shouldCloseConnectionWhenRecordHeaderUnreadable() throws IOException {
        try (RpcTestClient bad = server.client()) {
            bad.sendRecord(new byte[] {0, 0, 0, 1}); // an xid and nothing else
            assertTrue(bad.awaitClosedByServer(CLOSE_WAIT));
        }
        server.assertServesGoodClient();
    }

    @Test
    @Timeout(120)
    void shouldServeGoodClientWhileTwoThousandConnectionsHeld() throws Exception {
        int n = 2_000;
        List<SocketChannel> held = new ArrayList<>(n);
        InetSocketAddress addr = new InetSocketAddress("127.0.0.1", server.port());
        try {
            for (int i = 0; i < n; i++) {
                held.add(SocketChannel.open(addr));
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (server.rpcServer().connectionCount() < n && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertEquals(n, server.rpcServer().connectionCount(), "all connections accepted");
            server.assertServesGoodClient();
        } finally {
            for (SocketChannel ch : held) {
                ch.close();
            }
        }
        assertTrue(server.awaitConnectionsAtMost(0, 30_000),
                "connections left: " + server.rpcServer().connectionCount());
        server.assertServesGoodClient();
    }
}
