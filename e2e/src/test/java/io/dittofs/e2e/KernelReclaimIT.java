package io.dittofs.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A restart with the Linux kernel NFSv4.1 client holding a lock: a guest process holds an fcntl
 * write lock, the host kills the server (SIGKILL) and starts it again on the same data directory
 * (new boot verifier, new epoch), the kernel reclaims the open and the lock in the grace period
 * (OPEN CLAIM_PREVIOUS, LOCK reclaim, checked against the state journal), and afterwards a second
 * guest process's non-blocking lock of an overlapping range is first answered NFS4ERR_GRACE (the
 * kernel waits and retries) and then refused because the reclaimed lock is still held; once the
 * holder quits, it is granted. A second, silent 4.0 client recorded before the restart keeps the
 * grace period running for its full length (15 s lease), as a client that never comes back would.
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class KernelReclaimIT {
    private static final int NFS4ERR_DENIED = 10010;
    private static final int NFS4ERR_GRACE = 10013;

    @Test
    void shouldReclaimAKernelClientsLockInGraceAfterARestart() throws Exception {
        KernelClient.requirePrerequisites();
        E2eEnvironment.requireAptPackage("gcc", "compiling the static lock test programs for the guest");
        E2eEnvironment.requireAptPackage("libc6-dev", "compiling the static lock test programs for the guest");
        E2eEnvironment.requireAptPackage("libnfs13", "the libnfs NFSv3 client the host watches the guest with");
        Path staging = Files.createTempDirectory(E2eEnvironment.logDir(), "kclient-reclaim-");
        try (ServerProcess server = ServerProcess.start("KernelReclaimIT",
                Map.of("DITTOFS_ADAPTERS_NFS_LEASE_TIME", "15s"))) {
            compile(staging.resolve("test"));
            AtomicReference<KernelClient.Result> result = new AtomicReference<>();
            Thread guest = Thread.ofVirtual().start(() -> result.set(KernelClient.nfs4(server.port(), "4.1")
                    .add(staging).rigEnv("KC_OPTS", "actimeo=0").timeout(Duration.ofMinutes(5))
                    .run(resource("nfs4-reclaim.sh"))));
            boolean held = waitForGuest(server.port(), guest);
            int[] lockt = {-1, -1};
            if (held) {
                setclientid(server.port(), "KernelReclaimIT-silent");
                server.restart(false);
                tellGuest(server.port(), "restarted\n");
                lockt = locktUntilGraceEnds(server.port());
                tellGuest(server.port(), "checked-after-grace\n");
            }
            guest.join(Duration.ofMinutes(6));
            KernelClient.Result r = result.get();
            if (r == null || !r.ok() || !r.output().contains("RECLAIM-OK")) {
                server.dumpLog("KernelReclaimIT failed", 200);
            }
            assertTrue(held, "the guest never said it holds the lock" + (r == null ? "" : "\n" + r.describe()));
            assertTrue(r != null && r.ok() && r.output().contains("RECLAIM-OK"), r == null ? "no result" : r.describe());
            assertEquals(NFS4ERR_GRACE, lockt[0], "another client's LOCKT right after the restart");
            assertEquals(NFS4ERR_DENIED, lockt[1], "another client's LOCKT after the grace period: the reclaimed lock");
        } finally {
            ServerProcess.deleteTree(staging);
        }
    }

    private static void tellGuest(int port, String text) {
        try (LibNfs nfs = LibNfs.mount(port, "/export", 0, 0);
             NfsFile f = nfs.open("/kc-reclaim/host-state", LibNfs.O_RDWR)) {
            f.write(0, text.getBytes(StandardCharsets.UTF_8));
        }
    }

    /**
     * A new 4.0 client sends LOCKT (write, bytes 50-59 of the guest's locked file) every second until
     * it is no longer NFS4ERR_GRACE; returns the first status and the first one after the grace period.
     */
    private static int[] locktUntilGraceEnds(int port) throws IOException, InterruptedException {
        long clientId = setclientid(port, "KernelReclaimIT-checker");
        int first = -1;
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < end) {
            int st = lockt(port, clientId);
            if (first < 0) {
                first = st;
            }
            if (st != NFS4ERR_GRACE) {
                return new int[] {first, st};
            }
            Thread.sleep(1000);
        }
        return new int[] {first, NFS4ERR_GRACE};
    }

    /** PUTROOTFH, LOOKUP export, kc-reclaim, locked, LOCKT; the status of the compound. */
    private static int lockt(int port, long clientId) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            s.setSoTimeout(30_000);
            ByteBuffer ops = ByteBuffer.allocate(512).putInt(24);
            for (String name : List.of("export", "kc-reclaim", "locked")) {
                ops.putInt(15).put(xdrString(name));
            }
            byte[] owner = "checker".getBytes(StandardCharsets.US_ASCII);
            ops.putInt(13).putInt(2).putLong(50).putLong(10).putLong(clientId).putInt(owner.length).put(owner);
            pad(ops, owner.length);
            return compound(s, 7, 5, ops).getInt();
        }
    }

    /** Polls (NFSv3, libnfs) the guest's state file until it says "held"; false when the guest ended first. */
    private static boolean waitForGuest(int port, Thread guest) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.MINUTES.toNanos(4);
        while (System.nanoTime() < end && guest.isAlive()) {
            try (LibNfs nfs = LibNfs.mount(port, "/export", 0, 0);
                 NfsFile f = nfs.open("/kc-reclaim/guest-state", LibNfs.O_RDONLY)) {
                if (new String(f.read(0, 64), StandardCharsets.UTF_8).startsWith("held")) {
                    return true;
                }
            } catch (NfsException e) {
                // not there yet
            }
            Thread.sleep(500);
        }
        return false;
    }

    static void compile(Path bin) throws IOException, InterruptedException {
        Files.createDirectories(bin);
        for (String prog : List.of("lockhold", "locktry")) {
            Process p = new ProcessBuilder("gcc", "-static", "-O1", "-o", bin.resolve(prog).toString(),
                    resource(prog + ".c").toString()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.waitFor(), "gcc " + prog + ".c: " + out);
        }
    }

    /** A 4.0 client (SETCLIENTID + SETCLIENTID_CONFIRM); its clientid. */
    private static long setclientid(int port, String name) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            s.setSoTimeout(30_000);
            byte[] owner = name.getBytes(StandardCharsets.US_ASCII);
            ByteBuffer op = ByteBuffer.allocate(256).putInt(35).putLong(1).putInt(owner.length).put(owner);
            pad(op, owner.length);
            op.putInt(0x40000000).put(xdrString("tcp")).put(xdrString("127.0.0.1.0.1")).putInt(1);
            ByteBuffer r = compound(s, 1, 1, op);
            assertEquals(0, r.getInt(), "SETCLIENTID");
            assertEquals(35, r.getInt());
            assertEquals(0, r.getInt());
            long clientId = r.getLong();
            long verifier = r.getLong();
            ByteBuffer c = compound(s, 2, 1, ByteBuffer.allocate(20).putInt(36).putLong(clientId).putLong(verifier));
            assertEquals(0, c.getInt(), "SETCLIENTID_CONFIRM");
            return clientId;
        }
    }

    /** One NFSv4.0 COMPOUND (empty tag) with one op, AUTH_SYS uid 0; the reply at its status. */
    private static ByteBuffer compound(Socket s, int xid, int count, ByteBuffer op) throws IOException {
        op.flip();
        byte[] machine = "e2e".getBytes(StandardCharsets.US_ASCII);
        ByteBuffer b = ByteBuffer.allocate(4 + 80 + 12 + op.remaining());
        b.putInt(0).putInt(xid).putInt(0).putInt(2).putInt(100003).putInt(4).putInt(1);
        b.putInt(1).putInt(24).putInt(0).putInt(machine.length).put(machine).put((byte) 0);
        b.putInt(0).putInt(0).putInt(0).putInt(0).putInt(0);
        b.putInt(0).putInt(0).putInt(count).put(op);
        b.putInt(0, 0x80000000 | (b.position() - 4));
        s.getOutputStream().write(b.array(), 0, b.position());
        DataInputStream in = new DataInputStream(s.getInputStream());
        int len = in.readInt() & 0x7fffffff;
        assertTrue(len < 1 << 20, "reply of " + len + " bytes");
        byte[] body = new byte[len];
        in.readFully(body);
        ByteBuffer r = ByteBuffer.wrap(body);
        assertEquals(xid, r.getInt());
        r.getInt(); // REPLY
        assertEquals(0, r.getInt(), "MSG_ACCEPTED");
        r.getInt(); // verifier flavor
        skipOpaque(r);
        assertEquals(0, r.getInt(), "accept_stat");
        int status = r.getInt();
        skipOpaque(r); // tag
        r.getInt(); // numres
        ByteBuffer out = ByteBuffer.allocate(4 + r.remaining()).putInt(status).put(r);
        return out.flip();
    }

    private static void skipOpaque(ByteBuffer r) {
        int len = r.getInt();
        r.position(r.position() + ((len + 3) & ~3));
    }

    private static byte[] xdrString(String v) {
        byte[] b = v.getBytes(StandardCharsets.US_ASCII);
        ByteBuffer x = ByteBuffer.allocate(4 + ((b.length + 3) & ~3)).putInt(b.length).put(b);
        return x.array();
    }

    private static void pad(ByteBuffer b, int len) {
        for (int i = len; (i & 3) != 0; i++) {
            b.put((byte) 0);
        }
    }

    static Path resource(String name) {
        URL url = KernelReclaimIT.class.getResource("/kclient/" + name);
        if (url == null) {
            throw new IllegalStateException("test resource kclient/" + name + " is missing");
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
