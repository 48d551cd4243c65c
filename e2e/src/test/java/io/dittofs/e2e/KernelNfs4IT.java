package io.dittofs.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The Linux kernel NFSv4.1 and 4.2 clients (Debian's kernel under qemu, {@code e2e/kclient})
 * against the packaged server: EXCHANGE_ID, CREATE_SESSION, SEQUENCE, OPEN/CLOSE, LOCK/LOCKT/LOCKU
 * as the kernel drives them, through a workout of cp, mv, ln, chmod, tar, and flock(2) and fcntl(2)
 * locks taken by two processes (two lock-owners of one client: the second is refused, sees the
 * lock with F_GETLK, gets a disjoint range, and gets the range once the first unlocks). The two
 * lock programs are compiled static with gcc at test time (no binaries in the repository). The
 * server runs with read delegations on (the default), so the workouts also exercise delegations of
 * the client's own files and their return; a second scenario recalls a delegation the guest holds
 * when the host writes the file over NFSv3.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class KernelNfs4IT {

    @RegisterExtension
    static final ServerExtension SERVER = new ServerExtension();

    private static Path staging;

    @BeforeAll
    static void prepare() throws IOException, InterruptedException {
        KernelClient.requirePrerequisites();
        E2eEnvironment.requireAptPackage("gcc", "compiling the static lock test programs for the guest");
        E2eEnvironment.requireAptPackage("libc6-dev", "compiling the static lock test programs for the guest");
        staging = Files.createTempDirectory(E2eEnvironment.logDir(), "kclient-nfs4-");
        Path bin = Files.createDirectories(staging.resolve("test"));
        GuestFiles.compileStatic(bin, "flock2", "fcntl2", "space42");
    }

    @AfterAll
    static void cleanUp() {
        ServerProcess.deleteTree(staging);
    }

    @ParameterizedTest
    @ValueSource(strings = {"4.1", "4.2"})
    void shouldRunTheWorkoutWithLocksFromTwoProcesses(String version) {
        KernelClient.Result r = KernelClient.nfs4(SERVER.port(), version).add(staging)
                .run(GuestFiles.resource("nfs4-workout.sh"));
        assertTrue(r.ok() && r.output().contains("WORKOUT-OK"), r.describe());
        assertTrue(r.output().contains("vers=" + version), r.describe());
        assertTrue(r.output().contains("flock child ok") && r.output().contains("fcntl child ok"), r.describe());
    }

    /**
     * The guest holds a file open for reading (a read delegation: it reads without asking the server)
     * while the host rewrites it over NFSv3 with libnfs: the server recalls the delegation over the
     * 4.1 back channel, the host's WRITE answers NFS3ERR_JUKEBOX until the guest returned it, and the
     * guest then reads the new content, not its cached copy.
     */
    @ParameterizedTest
    @ValueSource(strings = {"4.1", "4.2"})
    void shouldRecallTheGuestsReadDelegationWhenTheHostWritesOverNfsv3(String version) throws Exception {
        E2eEnvironment.requireAptPackage("libnfs13", "the libnfs NFSv3 client");
        byte[] fresh = "brand new content from the host\n".getBytes(StandardCharsets.UTF_8);
        try (LibNfs nfs = LibNfs.mount(SERVER.port(), "/export", 0, 0)) {
            for (String f : List.of("/deleg.txt", "/guest-ready", "/host-done")) {
                if (nfs.exists(f)) {
                    nfs.unlink(f);
                }
            }
            try (NfsFile f = nfs.creat("/deleg.txt", 0644)) {
                f.write(0, "old\n".getBytes(StandardCharsets.UTF_8));
            }
            CompletableFuture<KernelClient.Result> guest = CompletableFuture.supplyAsync(() -> KernelClient
                    .nfs4(SERVER.port(), version).rigEnv("KC_OPTS", "actimeo=0").timeout(Duration.ofMinutes(4))
                    .run(GuestFiles.resource("nfs4-delegation.sh")));
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
            while (!nfs.exists("/guest-ready") && !guest.isDone()) {
                assertTrue(System.nanoTime() < deadline, "the guest never opened the file");
                Thread.sleep(200);
            }
            int delayed = 0;
            try (NfsFile f = nfs.open("/deleg.txt", LibNfs.O_WRONLY)) {
                while (true) {
                    try {
                        f.write(0, fresh);
                        break;
                    } catch (NfsException e) {
                        delayed++; // JUKEBOX while the guest returns its delegation
                        assertTrue(System.nanoTime() < deadline, "the host's write never went through: " + e);
                        Thread.sleep(200);
                    }
                }
            }
            nfs.creat("/host-done", 0644).close();
            KernelClient.Result r = guest.get(5, TimeUnit.MINUTES);
            assertTrue(r.ok() && r.output().contains("DELEG-DONE"), r.describe());
            assertTrue(r.output().contains("guest first read: old"), r.describe());
            assertTrue(r.output().contains("guest second read: brand new content from the host"), r.describe());
            assertTrue(delayed > 0, "the host's first write must wait for the recall (JUKEBOX): " + r.describe());
            assertTrue(r.output().matches("(?s).*ops DELEGRETURN: [1-9].*"), "the guest returned it: " + r.describe());
        }
    }
}
