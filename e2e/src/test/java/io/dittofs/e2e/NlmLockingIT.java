package io.dittofs.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * NLM v4 against the real server process over raw RPC on the NFS port (the messages are built by
 * hand here, not with the project's codecs): two "clients" with different caller names conflict,
 * a blocked lock is granted once the holder unlocks (the client's retry, as Linux polls when no
 * GRANTED callback reaches it), and after a restart the grace period refuses new locks and
 * accepts reclaims until it is over. The grace is shared with NFSv4 (a raw 4.0 client): NFSv4 LOCKT is
 * refused while NLM hosts reclaim, NLM locks while recorded NFSv4 clients may reclaim; a start with
 * nothing to reclaim has none. The server log is dumped when a test fails.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class NlmLockingIT {
    private static final int NLM = 100021;
    private static final int NFS = 100003;
    private static final int MOUNT = 100005;
    private static final int LOCK = 2;
    private static final int UNLOCK = 4;
    private static final int TEST = 1;
    private static final int GRANTED = 0;
    private static final int DENIED = 1;
    private static final int BLOCKED = 3;
    private static final int DENIED_GRACE_PERIOD = 4;

    private interface Body {
        void run(ServerProcess server) throws Exception;
    }

    /** Runs {@code body} against a fresh server with the given grace period; dumps its log on failure. */
    private static void withServer(String name, String grace, Body body) throws Exception {
        withServer(name, Map.of("DITTOFS_ADAPTERS_NFS_GRACE_PERIOD", grace), body);
    }

    private static void withServer(String name, Map<String, String> env, Body body) throws Exception {
        ServerProcess server = ServerProcess.start(name, env);
        try {
            body.run(server);
        } catch (Throwable t) {
            server.dumpLog(name + " failed", 150);
            throw t;
        } finally {
            server.close();
        }
    }

    @Test
    void shouldRefuseALockOfAnotherCallerAndGrantItAfterUnlock() throws Exception {
        withServer("NlmLockingIT-conflict", "0s", server -> {
            try (Rpc c = new Rpc(server.port())) {
                byte[] fh = c.createFile("conflict-" + System.nanoTime());
                assertEquals(GRANTED, c.lock("client-a", fh, 1, 0, 100, false, true, false));
                assertEquals(DENIED, c.lock("client-b", fh, 2, 50, 10, false, true, false));
                assertEquals(DENIED, c.lock("client-b", fh, 2, 99, 0, false, false, false), "read under a write lock");
                assertEquals(GRANTED, c.lock("client-b", fh, 2, 100, 0, false, true, false), "beyond A's range");
                ByteBuffer t = c.call(NLM, 4, TEST, testArgs("client-b", fh, 2, 0, 1));
                skipOpaque(t);
                assertEquals(DENIED, t.getInt());
                assertEquals(1, t.getInt(), "the holder's lock is exclusive");
                assertEquals(1, t.getInt(), "the holder's svid");
                assertEquals(GRANTED, c.unlock("client-a", fh, 1, 0, 0));
                assertEquals(GRANTED, c.lock("client-b", fh, 2, 50, 10, false, true, false));
            }
        });
    }

    @Test
    void shouldGrantABlockedLockToTheRetryingClientAfterTheHolderUnlocks() throws Exception {
        withServer("NlmLockingIT-blocking", "0s", server -> {
            try (Rpc c = new Rpc(server.port())) {
                byte[] fh = c.createFile("blocking-" + System.nanoTime());
                assertEquals(GRANTED, c.lock("client-a", fh, 1, 0, 0, false, true, false));
                assertEquals(BLOCKED, c.lock("client-b", fh, 2, 0, 0, true, true, false));
                assertEquals(DENIED, c.lock("client-c", fh, 3, 0, 1, false, false, false));
                assertEquals(GRANTED, c.unlock("client-a", fh, 1, 0, 0));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                int s;
                do {
                    s = c.lock("client-b", fh, 2, 0, 0, true, true, false);
                } while (s == BLOCKED && System.nanoTime() < deadline && sleep(100));
                assertEquals(GRANTED, s, "the blocked lock was granted to client-b");
                assertEquals(DENIED, c.lock("client-a", fh, 1, 0, 1, false, false, false), "client-b holds it now");
            }
        });
    }

    @Test
    void shouldOnlyAcceptReclaimsDuringTheGracePeriodAfterARestart() throws Exception {
        withServer("NlmLockingIT-grace", "6s", server -> {
            byte[] fh;
            String name = "grace-" + System.nanoTime();
            try (Rpc c = new Rpc(server.port())) {
                fh = c.createFile(name);
                awaitGraceEnd(c, fh);
                assertEquals(GRANTED, c.lock("client-a", fh, 1, 0, 10, false, true, false));
            }
            server.restart(true);
            try (Rpc c = new Rpc(server.port())) {
                assertEquals(DENIED_GRACE_PERIOD, c.lock("client-b", fh, 2, 0, 10, false, true, false),
                    "a new lock during the grace period");
                long v4 = Nfs40Probe.setclientid(server.port(), "NlmLockingIT-v4-" + System.nanoTime());
                assertEquals(Nfs40Probe.NFS4ERR_GRACE, Nfs40Probe.lockt(server.port(), v4, List.of("export", name), 0, 10),
                    "an NFSv4 LOCKT while NLM hosts reclaim (no NFSv4 client does)");
                assertEquals(GRANTED, c.lock("client-a", fh, 1, 0, 10, false, true, true), "client-a reclaims");
                awaitGraceEnd(c, fh);
                assertEquals(DENIED, c.lock("client-b", fh, 2, 0, 10, false, true, false), "the reclaimed lock holds");
                assertEquals(Nfs40Probe.NFS4ERR_DENIED, Nfs40Probe.lockt(server.port(), v4, List.of("export", name), 0, 10),
                    "NFSv4 sees the reclaimed NLM lock after the grace period");
                assertEquals(DENIED_GRACE_PERIOD, c.lock("client-c", fh, 3, 20, 1, false, true, true),
                    "a reclaim after the grace period");
            }
        });
    }

    @Test
    void shouldHaveNoGracePeriodWhenNoHostHeldALockBeforeTheStart() throws Exception {
        withServer("NlmLockingIT-nothing-to-reclaim", "120s", server -> {
            byte[] fh;
            try (Rpc c = new Rpc(server.port())) {
                fh = c.createFile("fresh-" + System.nanoTime());
                assertEquals(GRANTED, c.lock("client-a", fh, 1, 0, 10, false, true, false), "a lock on a first start");
                assertEquals(GRANTED, c.unlock("client-a", fh, 1, 0, 10));
            }
            server.restart(false);
            try (Rpc c = new Rpc(server.port())) {
                assertEquals(GRANTED, c.lock("client-b", fh, 2, 0, 10, false, true, false),
                        "a lock after a restart whose previous run held none");
            }
            server.restart(false);
            try (Rpc c = new Rpc(server.port())) {
                assertEquals(DENIED_GRACE_PERIOD, c.lock("client-c", fh, 3, 0, 10, false, true, false),
                        "a new lock after a restart while client-b's lock was held");
                assertEquals(GRANTED, c.lock("client-b", fh, 2, 0, 10, false, true, true), "client-b reclaims");
            }
        });
    }

    @Test
    void shouldRefuseNewNlmLocksWhileNfs4ClientsReclaimEvenWithoutNlmHosts() throws Exception {
        withServer("NlmLockingIT-v4-grace", Map.of("DITTOFS_ADAPTERS_NFS_GRACE_PERIOD", "150s",
                "DITTOFS_ADAPTERS_NFS_LEASE_TIME", "10s"), server -> {
            byte[] fh;
            try (Rpc c = new Rpc(server.port())) {
                fh = c.createFile("v4-grace-" + System.nanoTime());
                Nfs40Probe.setclientid(server.port(), "NlmLockingIT-silent-" + System.nanoTime());
                assertEquals(GRANTED, c.lock("client-a", fh, 1, 0, 10, false, true, false), "a lock on a first start");
                assertEquals(GRANTED, c.unlock("client-a", fh, 1, 0, 10));
            }
            server.restart(false);
            try (Rpc c = new Rpc(server.port())) {
                assertEquals(DENIED_GRACE_PERIOD, c.lock("client-b", fh, 2, 0, 10, false, true, false),
                        "a new NLM lock while the recorded NFSv4 client may reclaim");
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
                int s;
                do {
                    s = c.lock("client-b", fh, 2, 0, 10, false, true, false);
                } while (s == DENIED_GRACE_PERIOD && System.nanoTime() < deadline && sleep(250));
                assertEquals(GRANTED, s, "granted once the NFSv4 grace (one 10 s lease) is over, long before NLM's 150 s");
            }
        });
    }

    /** Polls with a lock nobody else wants until it is no longer refused for the grace period. */
    private static void awaitGraceEnd(Rpc c, byte[] fh) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        int s;
        do {
            s = c.lock("probe", fh, 9, 1000, 1, false, false, false);
        } while (s == DENIED_GRACE_PERIOD && System.nanoTime() < deadline && sleep(250));
        assertEquals(GRANTED, s, "the grace period ended");
        assertEquals(GRANTED, c.unlock("probe", fh, 9, 1000, 1));
    }

    private static boolean sleep(long ms) throws InterruptedException {
        Thread.sleep(ms);
        return true;
    }

    private static byte[] lockBody(String caller, byte[] fh, int svid, long off, long len) {
        return new Xdr().string(caller).opaque(fh).opaque(("oh-" + caller).getBytes(StandardCharsets.US_ASCII))
            .i32(svid).i64(off).i64(len).bytes();
    }

    private static byte[] testArgs(String caller, byte[] fh, int svid, long off, long len) {
        return new Xdr().opaque(new byte[] {7}).bool(true).raw(lockBody(caller, fh, svid, off, len)).bytes();
    }

    private static void skipOpaque(ByteBuffer b) {
        int n = b.getInt();
        b.position(b.position() + ((n + 3) & ~3));
    }

    private static byte[] readOpaque(ByteBuffer b) {
        byte[] v = new byte[b.getInt()];
        b.get(v);
        b.position(b.position() + ((4 - v.length % 4) % 4));
        return v;
    }

    /** Minimal XDR writer for the hand-built requests. */
    private static final class Xdr {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Xdr i32(int v) {
            out.writeBytes(ByteBuffer.allocate(4).putInt(v).array());
            return this;
        }

        Xdr i64(long v) {
            out.writeBytes(ByteBuffer.allocate(8).putLong(v).array());
            return this;
        }

        Xdr bool(boolean b) {
            return i32(b ? 1 : 0);
        }

        Xdr opaque(byte[] v) {
            i32(v.length);
            out.writeBytes(v);
            out.writeBytes(new byte[(4 - v.length % 4) % 4]);
            return this;
        }

        Xdr string(String s) {
            return opaque(s.getBytes(StandardCharsets.UTF_8));
        }

        Xdr raw(byte[] v) {
            out.writeBytes(v);
            return this;
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }

    /** One TCP connection to the NFS port speaking AUTH_SYS (uid 0, squashed by the share to nobody). */
    private static final class Rpc implements AutoCloseable {
        private final Socket socket = new Socket();
        private int xid = 0x4e4c0000 + (int) (System.nanoTime() & 0xFFFF);

        Rpc(int port) throws IOException {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            socket.setSoTimeout(30_000);
        }

        ByteBuffer call(int prog, int vers, int proc, byte[] args) throws IOException {
            int id = ++xid;
            byte[] machine = "nlm-e2e".getBytes(StandardCharsets.US_ASCII);
            byte[] cred = new Xdr().i32(0).opaque(machine).i32(0).i32(0).i32(0).bytes();
            byte[] msg = new Xdr().i32(id).i32(0).i32(2).i32(prog).i32(vers).i32(proc).i32(1).opaque(cred)
                .i32(0).i32(0).raw(args).bytes();
            socket.getOutputStream().write(ByteBuffer.allocate(4 + msg.length).putInt(0x80000000 | msg.length).put(msg).array());
            DataInputStream in = new DataInputStream(socket.getInputStream());
            int mark = in.readInt();
            byte[] reply = new byte[mark & 0x7FFFFFFF];
            in.readFully(reply);
            ByteBuffer b = ByteBuffer.wrap(reply);
            assertEquals(id, b.getInt(), "xid");
            assertEquals(1, b.getInt(), "REPLY");
            assertEquals(0, b.getInt(), "MSG_ACCEPTED");
            b.getInt();
            skipOpaque(b);
            assertEquals(0, b.getInt(), "SUCCESS");
            return b;
        }

        /** MOUNT the default share and CREATE a file (mode 0666) in its root; returns the file's handle. */
        byte[] createFile(String name) throws IOException {
            ByteBuffer m = call(MOUNT, 3, 1, new Xdr().string("/export").bytes());
            assertEquals(0, m.getInt(), "MNT3_OK");
            byte[] root = readOpaque(m);
            byte[] sattr = new Xdr().bool(true).i32(0666).bool(false).bool(false).bool(false).i32(0).i32(0).bytes();
            ByteBuffer r = call(NFS, 3, 8, new Xdr().opaque(root).string(name).i32(0).raw(sattr).bytes());
            assertEquals(0, r.getInt(), "CREATE NFS3_OK");
            assertTrue(r.getInt() == 1, "CREATE returned a handle");
            return Arrays.copyOf(readOpaque(r), 16);
        }

        int lock(String caller, byte[] fh, int svid, long off, long len, boolean block, boolean excl, boolean reclaim)
                throws IOException {
            byte[] args = new Xdr().opaque(new byte[] {1, 2}).bool(block).bool(excl)
                .raw(lockBody(caller, fh, svid, off, len)).bool(reclaim).i32(3).bytes();
            ByteBuffer r = call(NLM, 4, LOCK, args);
            skipOpaque(r);
            return r.getInt();
        }

        int unlock(String caller, byte[] fh, int svid, long off, long len) throws IOException {
            ByteBuffer r = call(NLM, 4, UNLOCK, new Xdr().opaque(new byte[] {3}).raw(lockBody(caller, fh, svid, off, len)).bytes());
            skipOpaque(r);
            return r.getInt();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
