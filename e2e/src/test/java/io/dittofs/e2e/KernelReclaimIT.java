package io.dittofs.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
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
    private static final int NFS4ERR_DENIED = Nfs40Probe.NFS4ERR_DENIED;
    private static final int NFS4ERR_GRACE = Nfs40Probe.NFS4ERR_GRACE;

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
                Nfs40Probe.setclientid(server.port(), "KernelReclaimIT-silent");
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
        long clientId = Nfs40Probe.setclientid(port, "KernelReclaimIT-checker");
        int first = -1;
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < end) {
            int st = Nfs40Probe.lockt(port, clientId, List.of("export", "kc-reclaim", "locked"), 50, 10);
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
