package io.dittofs.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A restart with the Linux kernel NFSv3 client holding an NLM lock: a guest process holds an fcntl
 * write lock (bytes 0-99), the host kills the server (SIGKILL) and starts it again on the same data
 * directory; the server finds the guest in its NSM record and sends SM_NOTIFY to the guest's
 * rpc.statd, whose lockd reclaims the lock in the grace period (seen in the server log). A second
 * guest process's non-blocking lock of bytes 50-59 is refused (EAGAIN) while the holder lives, a
 * host-side NLM TEST from another caller after the grace period sees the lock held, and once the
 * holder quits the lock is granted.
 *
 * <p>The guest is on a tap device (run-guest.sh KC_TAP=1) because the server must reach the guest's
 * statd: user-mode networking cannot carry calls from the host into the guest. The server listens on
 * 0.0.0.0 for that (this machine has no network but loopback and the test's tap device).
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class KernelNlmReclaimIT {
    private static final int NLM = 100021;
    private static final int NFS = 100003;
    private static final int MOUNT = 100005;
    private static final int DENIED = 1;
    private static final int DENIED_GRACE_PERIOD = 4;
    private static final Pattern RECLAIM = Pattern.compile("NLM: (kc\\S+) reclaimed a write lock");
    private static final Pattern TOLD = Pattern.compile("NSM: told (kc\\S+) at (10\\.213\\.\\d+\\.2) of this restart");

    @Test
    void shouldReclaimAKernelClientsNlmLockAfterARestartThroughSmNotify() throws Exception {
        KernelClient.requirePrerequisites();
        E2eEnvironment.requireAptPackage("rpcbind", "rpcbind in the kernel-client guest (NLM needs it)");
        E2eEnvironment.requireAptPackage("nfs-common", "rpc.statd in the kernel-client guest (NLM needs it)");
        E2eEnvironment.requireAptPackage("util-linux", "flock(1) in the kernel-client guest");
        E2eEnvironment.requireAptPackage("iproute2", "ip(8) for the kernel-client guest's tap device");
        E2eEnvironment.requireAptPackage("gcc", "compiling the static lock test programs for the guest");
        E2eEnvironment.requireAptPackage("libc6-dev", "compiling the static lock test programs for the guest");
        E2eEnvironment.requireAptPackage("libnfs13", "the libnfs NFSv3 client the host watches the guest with");
        assertTrue(Files.exists(Path.of("/dev/net/tun")), "/dev/net/tun is needed for the guest's tap device");
        Path tree = Files.createTempDirectory(E2eEnvironment.logDir(), "kclient-nlm-reclaim-");
        int portmap = freePort();
        try (ServerProcess server = ServerProcess.start("KernelNlmReclaimIT", Map.of(
                "DITTOFS_ADAPTERS_NFS_BIND", "0.0.0.0",
                "DITTOFS_ADAPTERS_NFS_PORTMAP_PORT", Integer.toString(portmap),
                "DITTOFS_ADAPTERS_NFS_GRACE_PERIOD", "45s"))) {
            KernelLockingIT.guestTree(tree);
            KernelReclaimIT.compile(tree.resolve("test"));
            AtomicReference<KernelClient.Result> result = new AtomicReference<>();
            Thread guest = Thread.ofVirtual().start(() -> result.set(KernelClient.nfs3(server.port()).add(tree)
                    .rigEnv("KC_PORTMAP", Integer.toString(portmap)).rigEnv("KC_TAP", "1")
                    .rigEnv("KC_OPTS", "actimeo=0").timeout(Duration.ofMinutes(6))
                    .run(KernelReclaimIT.resource("nlm-reclaim.sh"))));
            boolean held = waitForGuest(server.port(), guest);
            String reclaimer = null;
            String told = null;
            int[] test = {-1, -1};
            long reclaimMillis = -1;
            if (held) {
                long t0 = System.nanoTime();
                server.restart(false);
                reclaimer = awaitLog(server, RECLAIM, Duration.ofSeconds(40));
                reclaimMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                // The guest's statd answers SM_NOTIFY before it tells its lockd, so "told" is logged before the
                // reclaim unless an attempt's answer outlived the callback timeout (a busy emulated guest): then
                // the notifier's next attempt, after its back-off, is what logs it.
                told = awaitLog(server, TOLD, Duration.ofSeconds(75));
                tellGuest(server.port(), "reclaimed\n");
                test = testUntilGraceEnds(server.port());
                tellGuest(server.port(), "checked-after-the-grace\n");
            }
            guest.join(Duration.ofMinutes(7));
            KernelClient.Result r = result.get();
            if (r == null || !r.ok() || !r.output().contains("NLM-RECLAIM-OK") || reclaimer == null || told == null) {
                server.dumpLog("KernelNlmReclaimIT failed", 200);
            }
            assertTrue(held, "the guest never said it holds the lock" + (r == null ? "" : "\n" + r.describe()));
            assertTrue(told != null, "the server's SM_NOTIFY to the guest's statd (log: " + server.logFile() + "); its NSM lines:\n"
                    + nsmLines(server));
            assertTrue(reclaimer != null, "the guest's lockd reclaimed its lock in grace (log: " + server.logFile() + ")");
            assertEquals(told, reclaimer, "the told host reclaimed");
            assertEquals(DENIED_GRACE_PERIOD, test[0], "another caller's NLM TEST right after the reclaim");
            assertEquals(DENIED, test[1], "another caller's NLM TEST after the grace period: the reclaimed lock");
            assertTrue(r != null && r.ok() && r.output().contains("NLM-RECLAIM-OK"), r == null ? "no result" : r.describe());
            System.err.println("[e2e] kernel NLM reclaim after SIGKILL: reclaimed " + reclaimMillis + " ms after the restart began; guest run "
                    + r.elapsed().toSeconds() + " s");
        } finally {
            ServerProcess.deleteTree(tree);
        }
    }

    /** Waits for a line of the server log matching {@code p}; its first group, or null. */
    private static String awaitLog(ServerProcess server, Pattern p, Duration max) throws IOException, InterruptedException {
        long end = System.nanoTime() + max.toNanos();
        do {
            Matcher m = p.matcher(Files.readString(server.logFile(), StandardCharsets.UTF_8));
            if (m.find()) {
                return m.group(1);
            }
            Thread.sleep(250);
        } while (System.nanoTime() < end);
        return null;
    }

    private static String nsmLines(ServerProcess server) throws IOException {
        return String.join("\n", Files.readAllLines(server.logFile(), StandardCharsets.UTF_8).stream()
                .filter(l -> l.contains("NSM") || l.contains("NLM:")).toList());
    }

    private static void tellGuest(int port, String text) {
        try (LibNfs nfs = LibNfs.mount(port, "/export", 0, 0);
             NfsFile f = nfs.open("/kc-nlm/host-state", LibNfs.O_RDWR)) {
            f.write(0, text.getBytes(StandardCharsets.UTF_8));
        }
    }

    /** Polls (NFSv3, libnfs) the guest's state file until it says "held"; false when the guest ended first. */
    private static boolean waitForGuest(int port, Thread guest) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.MINUTES.toNanos(4);
        while (System.nanoTime() < end && guest.isAlive()) {
            try (LibNfs nfs = LibNfs.mount(port, "/export", 0, 0);
                 NfsFile f = nfs.open("/kc-nlm/guest-state", LibNfs.O_RDONLY)) {
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

    /**
     * NLM TEST (write, bytes 50-59 of the guest's locked file) as caller "checker" every second until it
     * is no longer NLM4_DENIED_GRACE_PERIOD; the first status and the first one after the grace period.
     */
    private static int[] testUntilGraceEnds(int port) throws IOException, InterruptedException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            s.setSoTimeout(30_000);
            int[] xid = {0x4e534d00};
            ByteBuffer m = call(s, xid, MOUNT, 3, 1, xdrString("/export"));
            assertEquals(0, m.getInt(), "MNT3_OK");
            byte[] fh = opaque(m);
            for (String name : new String[] {"kc-nlm", "locked"}) {
                ByteBuffer l = call(s, xid, NFS, 3, 3, concat(xdrOpaque(fh), xdrString(name)));
                assertEquals(0, l.getInt(), "LOOKUP " + name);
                fh = opaque(l);
            }
            byte[] oh = "checker-oh".getBytes(StandardCharsets.US_ASCII);
            byte[] args = concat(xdrOpaque(new byte[] {7}), ByteBuffer.allocate(4).putInt(1).array(), xdrString("checker"),
                    xdrOpaque(fh), xdrOpaque(oh), ByteBuffer.allocate(20).putInt(77).putLong(50).putLong(10).array());
            int first = -1;
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (System.nanoTime() < end) {
                ByteBuffer t = call(s, xid, NLM, 4, 1, args);
                opaque(t); // cookie
                int st = t.getInt();
                if (first < 0) {
                    first = st;
                }
                if (st != DENIED_GRACE_PERIOD) {
                    return new int[] {first, st};
                }
                Thread.sleep(1000);
            }
            return new int[] {first, DENIED_GRACE_PERIOD};
        }
    }

    /** One AUTH_SYS (root) call on {@code s}; the results after an accepted SUCCESS reply. */
    private static ByteBuffer call(Socket s, int[] xid, int prog, int vers, int proc, byte[] args) throws IOException {
        int id = ++xid[0];
        byte[] cred = concat(ByteBuffer.allocate(4).putInt(0).array(), xdrString("nlm-e2e"), new byte[12]);
        ByteBuffer msg = ByteBuffer.allocate(4 + 24 + 8 + cred.length + 8 + args.length);
        msg.putInt(0x80000000 | (msg.capacity() - 4)).putInt(id).putInt(0).putInt(2).putInt(prog).putInt(vers).putInt(proc);
        msg.putInt(1).putInt(cred.length).put(cred).putInt(0).putInt(0).put(args);
        s.getOutputStream().write(msg.array());
        DataInputStream in = new DataInputStream(s.getInputStream());
        byte[] reply = new byte[in.readInt() & 0x7FFFFFFF];
        in.readFully(reply);
        ByteBuffer b = ByteBuffer.wrap(reply);
        assertEquals(id, b.getInt(), "xid");
        assertEquals(1, b.getInt(), "REPLY");
        assertEquals(0, b.getInt(), "MSG_ACCEPTED");
        b.getInt();
        opaque(b);
        assertEquals(0, b.getInt(), "SUCCESS");
        return b;
    }

    private static byte[] xdrOpaque(byte[] v) {
        return ByteBuffer.allocate(4 + (v.length + 3) / 4 * 4).putInt(v.length).put(v).array();
    }

    private static byte[] xdrString(String s) {
        return xdrOpaque(s.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] opaque(ByteBuffer b) {
        byte[] v = new byte[b.getInt()];
        b.get(v);
        b.position(b.position() + (4 - v.length % 4) % 4);
        return v;
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        ByteBuffer b = ByteBuffer.allocate(n);
        for (byte[] p : parts) {
            b.put(p);
        }
        return b.array();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
