package io.dittofs.protocols.rpc;

import io.dittofs.core.buffer.BufferPool;
import io.dittofs.protocols.RpcTestClient;
import io.dittofs.protocols.RpcTestClient.Cred;
import io.dittofs.protocols.RpcTestClient.RpcReply;
import io.dittofs.protocols.xdr.XdrDecoder;
import io.dittofs.protocols.xdr.XdrEncoder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static io.dittofs.protocols.XdrArgs.xdr;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Which thread runs a call (issue 9.4): a call that is its connection's only one runs on the
 * connection's reader thread (no hand-off), while calls a client pipelines still run
 * concurrently, each on its own thread.
 */
class RpcConnectionThreadingTest {
    private static final int PROG = 0x2000_0099;
    /** Replies with the id of the thread that ran it. */
    private static final int WHO = 1;
    /** Waits (up to 10 s) until RELEASE has run, then replies 1 if it had, 0 if not. */
    private static final int WAIT = 2;
    /** Lets WAIT go. */
    private static final int RELEASE = 3;
    /** Sleeps 1 s, then records whether the sleep was interrupted. */
    private static final int SLEEP = 4;

    private BufferPool pool;
    private RpcServer server;
    private final CountDownLatch released = new CountDownLatch(1);
    private final CountDownLatch sleeping = new CountDownLatch(1);
    private final CompletableFuture<Boolean> sleepInterrupted = new CompletableFuture<>();

    @BeforeEach
    void start() throws IOException {
        pool = new BufferPool();
        RpcDispatcher d = new RpcDispatcher(pool, new DuplicateRequestCache(16, 60));
        d.register(new Probe());
        server = RpcServer.start("test-threads", new InetSocketAddress("127.0.0.1", 0), d,
                RpcServer.Options.defaults());
    }

    @AfterEach
    void stop() {
        server.close();
        pool.close();
    }

    @Test
    @Timeout(30)
    void shouldRunCallsOneAtATimeOnTheConnectionsReaderThread() throws IOException {
        Set<Long> seen = new HashSet<>();
        try (RpcTestClient c = RpcTestClient.connect(server.port())) {
            for (int i = 0; i < 20; i++) {
                RpcReply r = c.call(PROG, 1, WHO, Cred.none(), new byte[0]);
                assertEquals(0, r.stat(), "accepted");
                seen.add(r.body().getLong());
            }
        }
        assertEquals(1, seen.size(), "one thread ran every call of a client that sends one at a time: " + seen);
    }

    @Test
    @Timeout(30)
    void shouldRunPipelinedCallsConcurrentlyWhenTheFirstWaitsForTheSecond() throws IOException {
        ByteArrayOutputStream both = new ByteArrayOutputStream();
        int waitXid = RpcTestClient.nextXid();
        int releaseXid = RpcTestClient.nextXid();
        for (int[] call : new int[][] {{waitXid, WAIT}, {releaseXid, RELEASE}}) {
            byte[] m = RpcTestClient.callMessage(call[0], 2, PROG, 1, call[1], Cred.none(), new byte[0]);
            both.writeBytes(xdr().int32(0x8000_0000 | m.length).build());
            both.writeBytes(m);
        }
        try (RpcTestClient c = RpcTestClient.connect(server.port())) {
            c.sendRaw(both.toByteArray()); // both in the socket at once, as a pipelining client sends them
            Map<Integer, RpcReply> replies = new ConcurrentHashMap<>();
            for (int i = 0; i < 2; i++) {
                RpcReply r = c.readReply();
                replies.put(r.xid(), r);
            }
            assertEquals(1, replies.get(waitXid).body().getInt(), "the second call ran while the first waited");
            assertTrue(replies.containsKey(releaseXid));
        }
    }

    /**
     * Replies written by call threads (virtual) leave the socket in blocking mode, so the platform
     * reader keeps reading each call with one blocking read (issue 9.4): a virtual thread's channel
     * write would switch it to non-blocking for good, see {@link io.dittofs.protocols.net.DirectSend}.
     */
    @Test
    @Timeout(30)
    void shouldKeepTheSocketBlockingWhenCallThreadsSendReplies() throws IOException {
        ByteArrayOutputStream both = new ByteArrayOutputStream();
        for (int proc : new int[] {WAIT, RELEASE}) {
            byte[] m = RpcTestClient.callMessage(RpcTestClient.nextXid(), 2, PROG, 1, proc, Cred.none(), new byte[0]);
            both.writeBytes(xdr().int32(0x8000_0000 | m.length).build());
            both.writeBytes(m);
        }
        try (RpcTestClient c = RpcTestClient.connect(server.port())) {
            c.sendRaw(both.toByteArray()); // pipelined: both run on call threads of their own
            c.readReply();
            c.readReply();
            assertFalse(io.dittofs.protocols.net.SocketFlags.nonBlocking(server.port(), c.localPort()),
                    "the server's socket of the connection is still in blocking mode");
            assertEquals(0, c.call(PROG, 1, WHO, Cred.none(), new byte[0]).stat(), "and still answers");
        }
    }

    @Test
    @Timeout(30)
    void shouldNotInterruptCallRunningOnReaderThreadWhenItsConnectionIsClosed() throws Exception {
        server.close(); // a server that closes its connections 100 ms into shutting down
        RpcDispatcher d = new RpcDispatcher(pool, new DuplicateRequestCache(16, 60));
        d.register(new Probe());
        server = RpcServer.start("test-threads", new InetSocketAddress("127.0.0.1", 0), d,
                RpcServer.Options.defaults().withDrainTimeoutMillis(100));
        try (RpcTestClient c = RpcTestClient.connect(server.port())) {
            c.sendRecord(RpcTestClient.callMessage(RpcTestClient.nextXid(), 2, PROG, 1, SLEEP, Cred.none(),
                    new byte[0]));
            assertTrue(sleeping.await(10, TimeUnit.SECONDS), "the call started");
            server.close(); // closes the connection while its call still runs on the reader thread
            assertFalse(sleepInterrupted.get(10, TimeUnit.SECONDS),
                    "a call (and the file I/O it may be doing) is never interrupted by its connection's close");
        }
    }

    /** A test program: reports its thread, or waits for another call of the same connection. */
    private final class Probe implements RpcProgram {
        @Override
        public int program() {
            return PROG;
        }

        @Override
        public int lowVersion() {
            return 1;
        }

        @Override
        public int highVersion() {
            return 1;
        }

        @Override
        public boolean hasProcedure(int version, int proc) {
            return proc >= WHO && proc <= SLEEP;
        }

        @Override
        public boolean nonIdempotent(int version, int proc) {
            return false;
        }

        @Override
        public void call(RpcCall call, XdrDecoder args, XdrEncoder reply) {
            switch (call.proc()) {
                case WHO -> reply.writeLong(Thread.currentThread().threadId());
                case WAIT -> {
                    try {
                        reply.writeInt(released.await(10, TimeUnit.SECONDS) ? 1 : 0);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        reply.writeInt(0);
                    }
                }
                case SLEEP -> {
                    sleeping.countDown();
                    try {
                        Thread.sleep(1000);
                        sleepInterrupted.complete(false);
                    } catch (InterruptedException e) {
                        sleepInterrupted.complete(true);
                    }
                }
                default -> released.countDown();
            }
        }

        @Override
        public String name() {
            return "PROBE";
        }
    }
}
