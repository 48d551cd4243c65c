package io.dittofs.protocols.nlm;

import io.dittofs.core.buffer.BufferPool;
import io.dittofs.core.lock.GracePeriod;
import io.dittofs.core.lock.LockLimits;
import io.dittofs.core.lock.LockManager;
import io.dittofs.core.lock.LockOwner;
import io.dittofs.core.lock.LockType;
import io.dittofs.core.lock.FileKey;
import io.dittofs.protocols.RpcTestClient;
import io.dittofs.protocols.XdrArgs;
import io.dittofs.protocols.nfs.FileHandles;
import io.dittofs.protocols.nlm.NlmTestServer.Lk;
import io.dittofs.protocols.portmap.PortmapProgram;
import io.dittofs.protocols.rpc.DuplicateRequestCache;
import io.dittofs.protocols.rpc.RpcCall;
import io.dittofs.protocols.rpc.RpcDispatcher;
import io.dittofs.protocols.rpc.RpcProgram;
import io.dittofs.protocols.rpc.RpcServer;
import io.dittofs.protocols.xdr.XdrDecoder;
import io.dittofs.protocols.xdr.XdrEncoder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static io.dittofs.protocols.XdrArgs.xdr;
import static io.dittofs.protocols.nlm.NlmTestServer.call;
import static io.dittofs.protocols.nlm.NlmTestServer.lockArgs;
import static io.dittofs.protocols.nlm.NlmTestServer.stat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** NLM v4 and NSM over real loopback sockets and real XDR, on the shared lock manager. */
@Timeout(30)
class NlmProgramTest {
    private static final byte[] COOKIE = {1, 2, 3, 4, 5};
    private NlmTestServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static Lk lk(String host, byte[] fh, int svid, long off, long len) {
        return new Lk(host, fh, "oh-" + host + "-" + svid, svid, off, len);
    }

    private static int lock(RpcTestClient c, Lk l, boolean block, boolean excl) throws IOException {
        return stat(call(c, NlmProgram.LOCK, 1000, lockArgs(COOKIE, block, excl, l, false)));
    }

    private static int unlock(RpcTestClient c, Lk l) throws IOException {
        return stat(call(c, NlmProgram.UNLOCK, 1000, NlmTestServer.unlockArgs(COOKIE, l)));
    }

    @Test
    void shouldDenyAConflictingLockOfAnotherHostAndNameTheHolderInTest() throws IOException {
        server = NlmTestServer.start();
        byte[] fh = server.file("f", 0666, 1000);
        try (RpcTestClient c = server.client()) {
            assertEquals(NlmStatus.GRANTED, lock(c, lk("hostA", fh, 7, 0, 100), false, true));
            assertEquals(NlmStatus.DENIED, lock(c, lk("hostB", fh, 9, 50, 10), false, true));
            ByteBuffer t = call(c, NlmProgram.TEST, 1000, NlmTestServer.testArgs(COOKIE, false, lk("hostB", fh, 9, 99, 0)));
            assertArrayEquals(COOKIE, XdrArgs.readOpaque(t));
            assertEquals(NlmStatus.DENIED, t.getInt());
            assertEquals(1, t.getInt(), "holder exclusive");
            assertEquals(7, t.getInt(), "holder svid");
            assertArrayEquals("oh-hostA-7".getBytes(), XdrArgs.readOpaque(t));
            assertEquals(0, t.getLong());
            assertEquals(100, t.getLong());
            assertEquals(0, t.remaining());
            assertEquals(NlmStatus.GRANTED, lock(c, lk("hostA", fh, 7, 100, 0), false, true), "own locks never conflict");
        }
    }

    @Test
    void shouldShareReadLocksAndFreeTheRangeOnUnlock() throws IOException {
        server = NlmTestServer.start();
        byte[] fh = server.file("f", 0666, 1000);
        try (RpcTestClient c = server.client()) {
            assertEquals(NlmStatus.GRANTED, lock(c, lk("hostA", fh, 1, 0, 0), false, false));
            assertEquals(NlmStatus.GRANTED, lock(c, lk("hostB", fh, 2, 10, 10), false, false));
            assertEquals(NlmStatus.DENIED, lock(c, lk("hostB", fh, 2, 10, 10), false, true), "upgrade blocked by A");
            assertEquals(NlmStatus.GRANTED, unlock(c, lk("hostA", fh, 1, 0, 0)));
            assertEquals(NlmStatus.GRANTED, lock(c, lk("hostB", fh, 2, 10, 10), false, true));
            ByteBuffer t = call(c, NlmProgram.TEST, 1000, NlmTestServer.testArgs(COOKIE, false, lk("hostA", fh, 1, 0, 0)));
            XdrArgs.readOpaque(t);
            assertEquals(NlmStatus.DENIED, t.getInt());
        }
    }

    @Test
    void shouldGrantABlockedLockOnTheClientsRetryWhenTheCallbackCannotReachIt() throws Exception {
        server = NlmTestServer.start(); // callbacks go to port 1 on loopback: refused
        byte[] fh = server.file("f", 0666, 1000);
        try (RpcTestClient c = server.client()) {
            Lk a = lk("hostA", fh, 1, 0, 0);
            Lk b = lk("hostB", fh, 2, 0, 10);
            assertEquals(NlmStatus.GRANTED, lock(c, a, false, true));
            assertEquals(NlmStatus.BLOCKED, lock(c, b, true, true));
            assertEquals(NlmStatus.BLOCKED, lock(c, b, true, true), "retry while still blocked");
            assertEquals(NlmStatus.GRANTED, unlock(c, a));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            int s;
            do {
                s = lock(c, b, true, true);
            } while (s == NlmStatus.BLOCKED && System.nanoTime() < deadline);
            assertEquals(NlmStatus.GRANTED, s);
            assertEquals(NlmStatus.DENIED, lock(c, lk("hostC", fh, 3, 5, 1), false, false), "B holds it now");
            assertEquals(0, server.nlm.pendingBlocks());
        }
    }

    @Test
    void shouldCallTheClientBackWithGrantedMsgWhenABlockedLockIsGranted() throws Exception {
        LinkedBlockingQueue<byte[]> granted = new LinkedBlockingQueue<>();
        try (BufferPool pool = new BufferPool(); RpcServer client = fakeClient(pool, granted)) {
            server = new NlmTestServer(new LockManager(), GracePeriod.none(), client.port());
            byte[] fh = server.file("f", 0666, 1000);
            try (RpcTestClient c = server.client()) {
                Lk a = lk("hostA", fh, 1, 0, 0);
                Lk b = lk("127.0.0.1", fh, 2, 20, 5);
                assertEquals(NlmStatus.GRANTED, lock(c, a, false, true));
                assertEquals(NlmStatus.BLOCKED, lock(c, b, true, false));
                assertEquals(NlmStatus.GRANTED, unlock(c, a));
                byte[] args = granted.poll(10, TimeUnit.SECONDS);
                assertNotNull(args, "GRANTED_MSG received");
                ByteBuffer g = ByteBuffer.wrap(args);
                assertArrayEquals(COOKIE, XdrArgs.readOpaque(g));
                assertEquals(0, g.getInt(), "shared");
                assertEquals("127.0.0.1", XdrArgs.readString(g));
                assertArrayEquals(fh, XdrArgs.readOpaque(g));
                assertArrayEquals("oh-127.0.0.1-2".getBytes(), XdrArgs.readOpaque(g));
                assertEquals(2, g.getInt());
                assertEquals(20, g.getLong());
                assertEquals(5, g.getLong());
                FileKey key = new FileKey(NlmTestServer.SHARE_ID, FileHandles.decode(MemorySegment.ofArray(fh)).inode());
                assertFalse(server.locks.test(key, new LockOwner("smb", "s", new byte[1]), LockType.WRITE, 20, 1).isEmpty());
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (server.nlm.pendingBlocks() != 0 && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
                assertEquals(0, server.nlm.pendingBlocks(), "a delivered grant is forgotten");
            }
        }
    }

    /** A client's portmapper and NLM service on one port, recording the GRANTED_MSG arguments it gets. */
    private static RpcServer fakeClient(BufferPool pool, LinkedBlockingQueue<byte[]> granted) throws IOException {
        RpcDispatcher d = new RpcDispatcher(pool, new DuplicateRequestCache(16, 60));
        PortmapProgram pm = new PortmapProgram();
        d.register(pm);
        d.register(new RpcProgram() {
            public int program() {
                return NlmProgram.PROGRAM;
            }

            public int lowVersion() {
                return 4;
            }

            public int highVersion() {
                return 4;
            }

            public boolean hasProcedure(int version, int proc) {
                return proc == NlmProgram.GRANTED_MSG;
            }

            public boolean nonIdempotent(int version, int proc) {
                return false;
            }

            public void call(RpcCall call, XdrDecoder args, XdrEncoder reply) {
                granted.add(args.readOpaqueFixed((int) args.remaining()).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
            }

            public String name() {
                return "fake-nlm-client";
            }
        });
        RpcServer s = RpcServer.start("fake-client", new InetSocketAddress("127.0.0.1", 0), d, RpcServer.Options.defaults());
        pm.register(new PortmapProgram.Mapping(NlmProgram.PROGRAM, 4, PortmapProgram.IPPROTO_TCP, s.port()));
        return s;
    }

    @Test
    void shouldNeverGrantACancelledBlockedLock() throws Exception {
        server = NlmTestServer.start();
        byte[] fh = server.file("f", 0666, 1000);
        try (RpcTestClient c = server.client()) {
            Lk a = lk("hostA", fh, 1, 0, 0);
            Lk b = lk("hostB", fh, 2, 0, 10);
            assertEquals(NlmStatus.GRANTED, lock(c, a, false, true));
            assertEquals(NlmStatus.BLOCKED, lock(c, b, true, true));
            assertEquals(NlmStatus.GRANTED, stat(call(c, NlmProgram.CANCEL, 1000, NlmTestServer.cancArgs(COOKIE, true, true, b))));
            assertEquals(NlmStatus.DENIED, stat(call(c, NlmProgram.CANCEL, 1000, NlmTestServer.cancArgs(COOKIE, true, true, b))));
            assertEquals(NlmStatus.GRANTED, unlock(c, a));
            assertEquals(NlmStatus.GRANTED, lock(c, lk("hostC", fh, 3, 0, 0), false, true), "nobody got B's lock");
            assertEquals(0, server.nlm.pendingBlocks());
        }
    }

    @Test
    void shouldAcceptOnlyReclaimsDuringTheGracePeriod() throws IOException {
        server = new NlmTestServer(new LockManager(), new GracePeriod(Duration.ofMinutes(5)), 1);
        byte[] fh = server.file("f", 0666, 1000);
        Lk a = lk("hostA", fh, 1, 0, 0);
        try (RpcTestClient c = server.client()) {
            assertEquals(NlmStatus.DENIED_GRACE_PERIOD, lock(c, a, false, true));
            assertEquals(NlmStatus.GRANTED, stat(call(c, NlmProgram.LOCK, 1000, lockArgs(COOKIE, false, true, a, true))));
            ByteBuffer t = call(c, NlmProgram.TEST, 1000, NlmTestServer.testArgs(COOKIE, true, lk("hostB", fh, 2, 0, 1)));
            assertEquals(NlmStatus.DENIED_GRACE_PERIOD, stat(t));
            assertEquals(NlmStatus.DENIED_GRACE_PERIOD, unlock(c, a));
        }
    }

    @Test
    void shouldRefuseAReclaimOutsideTheGracePeriod() throws IOException {
        server = NlmTestServer.start();
        byte[] fh = server.file("f", 0666, 1000);
        try (RpcTestClient c = server.client()) {
            Lk a = lk("hostA", fh, 1, 0, 0);
            assertEquals(NlmStatus.DENIED_GRACE_PERIOD, stat(call(c, NlmProgram.LOCK, 1000, lockArgs(COOKIE, false, true, a, true))));
        }
    }

    @Test
    void shouldNeedWritePermissionForAnExclusiveLockUnlessOwner() throws IOException {
        server = NlmTestServer.start();
        byte[] fh = server.file("ro", 0444, 1);
        try (RpcTestClient c = server.client()) {
            assertEquals(NlmStatus.FAILED, lock(c, lk("hostA", fh, 1, 0, 10), false, true));
            assertEquals(NlmStatus.GRANTED, lock(c, lk("hostA", fh, 1, 0, 10), false, false));
            Lk owner = lk("hostB", fh, 2, 100, 1);
            assertEquals(NlmStatus.GRANTED, stat(call(c, NlmProgram.LOCK, 1, lockArgs(COOKIE, false, true, owner, false))),
                "the owner may lock a file it cannot write (knfsd NFSD_MAY_OWNER_OVERRIDE)");
            byte[] noRead = server.file("secret", 0600, 1);
            assertEquals(NlmStatus.FAILED, lock(c, lk("hostA", noRead, 1, 0, 0), false, false));
            assertEquals(NlmStatus.FAILED, lock(c, lk("hostA", server.dirHandle(), 1, 0, 0), false, false), "not a file");
        }
    }

    @Test
    void shouldAnswerStaleFhForAForeignOrUnknownHandle() throws IOException {
        server = NlmTestServer.start();
        try (RpcTestClient c = server.client()) {
            assertEquals(NlmStatus.STALE_FH, lock(c, lk("hostA", new byte[16], 1, 0, 0), false, true));
            assertEquals(NlmStatus.STALE_FH, lock(c, lk("hostA", FileHandles.encode(9, 2), 1, 0, 0), false, true));
            assertEquals(NlmStatus.STALE_FH, lock(c, lk("hostA", FileHandles.encode(1, 99_999), 1, 0, 0), false, true));
        }
    }

    @Test
    void shouldRefuseConflictingShareReservations() throws IOException {
        server = NlmTestServer.start();
        byte[] fh = server.file("f", 0666, 1000);
        try (RpcTestClient c = server.client()) {
            ByteBuffer r = call(c, NlmProgram.SHARE, 1000, NlmTestServer.shareArgs(COOKIE, "hostA", fh, "o", 2, 1, false));
            assertEquals(NlmStatus.GRANTED, stat(r));
            assertEquals(0, r.getInt(), "sequence");
            r = call(c, NlmProgram.SHARE, 1000, NlmTestServer.shareArgs(COOKIE, "hostB", fh, "o", 0, 3, false));
            assertEquals(NlmStatus.DENIED, stat(r), "A denies writers");
            r = call(c, NlmProgram.UNSHARE, 1000, NlmTestServer.shareArgs(COOKIE, "hostA", fh, "o", 0, 0, false));
            assertEquals(NlmStatus.GRANTED, stat(r));
            r = call(c, NlmProgram.SHARE, 1000, NlmTestServer.shareArgs(COOKIE, "hostB", fh, "o", 0, 3, false));
            assertEquals(NlmStatus.GRANTED, stat(r));
        }
    }

    @Test
    void shouldDropAHostsLocksOnSmNotifyAndFreeAll() throws IOException {
        server = NlmTestServer.start();
        byte[] fh = server.file("f", 0666, 1000);
        try (RpcTestClient c = server.client()) {
            assertEquals(NlmStatus.GRANTED, lock(c, lk("hostA", fh, 1, 0, 10), false, true));
            assertEquals(NlmStatus.GRANTED, lock(c, lk("hostB", fh, 2, 10, 10), false, true));
            RpcTestClient.RpcReply n = c.call(NlmTestServer.NSM, 1, 6, RpcTestClient.Cred.none(),
                xdr().string("hostA").int32(3).build());
            assertTrue(n.isSuccess());
            assertEquals(NlmStatus.GRANTED, lock(c, lk("hostC", fh, 3, 0, 10), false, true), "A's lock went");
            assertEquals(NlmStatus.DENIED, lock(c, lk("hostC", fh, 3, 10, 1), false, true), "B's stays");
            call(c, NlmProgram.FREE_ALL, 0, xdr().string("hostB").int32(5).build());
            assertEquals(NlmStatus.GRANTED, lock(c, lk("hostC", fh, 3, 10, 1), false, true), "B's went");
        }
    }

    @Test
    void shouldConflictWithALockTakenByAnotherProtocol() throws IOException {
        server = NlmTestServer.start();
        byte[] fh = server.file("f", 0666, 1000);
        FileKey key = new FileKey(NlmTestServer.SHARE_ID, FileHandles.decode(MemorySegment.ofArray(fh)).inode());
        assertTrue(server.locks.lock(key, new LockOwner("nfs4", "client-1", new byte[] {9}), LockType.WRITE, 0, 5).isEmpty());
        try (RpcTestClient c = server.client()) {
            ByteBuffer t = call(c, NlmProgram.TEST, 1000, NlmTestServer.testArgs(COOKIE, false, lk("hostA", fh, 1, 4, 1)));
            XdrArgs.readOpaque(t);
            assertEquals(NlmStatus.DENIED, t.getInt());
            assertEquals(1, t.getInt());
            assertEquals(0, t.getInt(), "no svid for an NFSv4 owner");
            assertEquals(0, XdrArgs.readOpaque(t).length);
            assertEquals(NlmStatus.GRANTED, lock(c, lk("hostA", fh, 1, 5, 0), false, true));
        }
    }

    @Test
    void shouldAnswerDeniedNolocksWhenAHostIsOverItsCap() throws IOException {
        server = new NlmTestServer(new LockManager(new LockLimits(2, 10)), GracePeriod.none(), 1);
        byte[] fh = server.file("f", 0666, 1000);
        try (RpcTestClient c = server.client()) {
            assertEquals(NlmStatus.GRANTED, lock(c, lk("hostA", fh, 1, 0, 1), false, true));
            assertEquals(NlmStatus.GRANTED, lock(c, lk("hostA", fh, 1, 10, 1), false, true));
            assertEquals(NlmStatus.DENIED_NOLOCKS, lock(c, lk("hostA", fh, 1, 20, 1), false, true));
            assertEquals(NlmStatus.GRANTED, lock(c, lk("hostB", fh, 1, 20, 1), false, true));
        }
    }
}
