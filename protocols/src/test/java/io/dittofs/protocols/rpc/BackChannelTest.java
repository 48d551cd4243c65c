package io.dittofs.protocols.rpc;

import io.dittofs.core.buffer.BufferPool;
import io.dittofs.protocols.xdr.XdrDecoder;
import io.dittofs.protocols.xdr.XdrEncoder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The back channel over a client's own connection, on a real loopback socket: the server's CALL goes
 * out on the connection the client's call came in on, and the reader hands the client's REPLY to the
 * waiting caller while it keeps serving the client's calls.
 */
class BackChannelTest {
    private static final int PROG = 0x40000001;
    private static final int CB_PROG = 0x40000002;
    private final AtomicReference<BackChannel> captured = new AtomicReference<>();
    private BufferPool pool;
    private RpcServer server;

    @BeforeEach
    void start() throws IOException {
        pool = new BufferPool();
        RpcDispatcher d = new RpcDispatcher(pool, new DuplicateRequestCache(16, 60));
        d.register(new RpcProgram() {
            public int program() {
                return PROG;
            }

            public int lowVersion() {
                return 1;
            }

            public int highVersion() {
                return 1;
            }

            public boolean hasProcedure(int version, int proc) {
                return proc <= 1;
            }

            public boolean nonIdempotent(int version, int proc) {
                return false;
            }

            public void call(RpcCall call, XdrDecoder args, XdrEncoder reply) {
                if (call.proc() == 1) {
                    captured.set(BackChannel.CURRENT.isBound() ? BackChannel.CURRENT.get() : null);
                }
            }

            public String name() {
                return "test";
            }
        });
        server = RpcServer.start("test", new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), d,
                RpcServer.Options.defaults());
    }

    @AfterEach
    void stop() {
        server.close();
        pool.close();
    }

    private static void sendCall(DataOutputStream out, int xid, int proc) throws IOException {
        ByteBuffer b = CallChannel.encode(xid, PROG, 1, proc, new byte[0]);
        out.write(b.array(), 0, b.limit());
        out.flush();
    }

    private static ByteBuffer readRecord(DataInputStream in) throws IOException {
        int mark = in.readInt();
        byte[] body = new byte[mark & 0x7fff_ffff];
        in.readFully(body);
        return ByteBuffer.wrap(body);
    }

    private static void sendReply(DataOutputStream out, int xid, byte[] results) throws IOException {
        out.writeInt(0x8000_0000 | 24 + results.length);
        out.writeInt(xid);
        out.writeInt(Rpc.REPLY);
        out.writeInt(Rpc.MSG_ACCEPTED);
        out.writeInt(Rpc.AUTH_NONE);
        out.writeInt(0);
        out.writeInt(Rpc.SUCCESS);
        out.write(results);
        out.flush();
    }

    @Test
    @Timeout(20)
    void shouldHandTheClientsReplyToTheCallerWhileStillServingTheClientsCalls() throws Exception {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            DataInputStream in = new DataInputStream(s.getInputStream());
            sendCall(out, 100, 1);
            assertEquals(100, readRecord(in).getInt());
            BackChannel ch = captured.get();
            assertNotNull(ch, "the connection is bound while its call runs");
            CompletableFuture<byte[]> f = CompletableFuture.supplyAsync(() -> {
                try {
                    return ch.call(CB_PROG, 1, 1, new byte[] {0, 0, 0, 7}, Duration.ofSeconds(10));
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            ByteBuffer cb = readRecord(in);
            int cbXid = cb.getInt();
            assertEquals(Rpc.CALL, cb.getInt());
            assertEquals(Rpc.VERSION, cb.getInt());
            assertEquals(CB_PROG, cb.getInt());
            assertEquals(1, cb.getInt());
            assertEquals(1, cb.getInt());
            assertEquals(Rpc.AUTH_SYS, cb.getInt());
            int credLen = cb.getInt();
            cb.position(cb.position() + credLen); // the credential
            assertEquals(Rpc.AUTH_NONE, cb.getInt());
            assertEquals(0, cb.getInt());
            assertEquals(7, cb.getInt());
            // a call of the client's own while its answer to the server is pending still gets its reply
            sendCall(out, 101, 0);
            assertEquals(101, readRecord(in).getInt());
            sendReply(out, cbXid ^ 0x5555, new byte[] {1, 1, 1, 1}); // nobody waits for it: dropped
            sendReply(out, cbXid, new byte[] {0, 0, 0, 9});
            assertArrayEquals(new byte[] {0, 0, 0, 9}, f.get(10, TimeUnit.SECONDS));
            sendCall(out, 102, 0);
            assertEquals(102, readRecord(in).getInt(), "the connection still serves calls");
        }
    }

    @Test
    @Timeout(20)
    void shouldFailTheCallWhenNoReplyComesInTimeOrTheConnectionCloses() throws Exception {
        CompletableFuture<byte[]> f;
        BackChannel ch;
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            DataInputStream in = new DataInputStream(s.getInputStream());
            sendCall(out, 200, 1);
            assertEquals(200, readRecord(in).getInt());
            ch = captured.get();
            assertThrows(IOException.class, () -> ch.call(CB_PROG, 1, 0, new byte[0], Duration.ofMillis(200)));
            f = CompletableFuture.supplyAsync(() -> {
                try {
                    return ch.call(CB_PROG, 1, 0, new byte[0], Duration.ofSeconds(30));
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            readRecord(in); // the first call, never answered
            readRecord(in); // the second; now the client goes away without answering
        }
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
        assertInstanceOf(IOException.class, e.getCause().getCause());
        assertFalse(ch.isOpen());
        assertThrows(IOException.class, () -> ch.call(CB_PROG, 1, 0, new byte[0], Duration.ofSeconds(5)));
    }
}
