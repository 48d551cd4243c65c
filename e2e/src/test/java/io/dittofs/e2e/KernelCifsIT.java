package io.dittofs.e2e;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Linux kernel CIFS client (Debian's kernel under qemu, {@code e2e/kclient}) against the
 * packaged server's SMB adapter, at SMB 3.1.1 and 2.1 with a user and password (signed, as the
 * server requires by default) and 8 MiB rsize/wsize: a 40 MiB file written and read back with
 * checksums after dropping the guest's caches, cp, copy_file_range (the kernel's server-side copy:
 * FSCTL_SRV_REQUEST_RESUME_KEY + FSCTL_SRV_COPYCHUNK_WRITE), mv, tar, truncate, chmod, and symlinks
 * with {@code mfsymlinks}; and the same at 3.1.1 sealed ({@code seal}: every request and response
 * encrypted). The copy_file_range program is compiled static at test time.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class KernelCifsIT {
    private static final String PASSWORD = "kernel-cifs-password";
    private static Path staging;
    private static FreshServer server;

    @BeforeAll
    static void prepare() throws Exception {
        KernelClient.requirePrerequisites();
        E2eEnvironment.requireAptPackage("gcc", "compiling the static copy_file_range program for the guest");
        E2eEnvironment.requireAptPackage("libc6-dev", "compiling the static copy_file_range program for the guest");
        staging = Files.createTempDirectory(E2eEnvironment.logDir(), "kclient-cifs-");
        GuestFiles.compileStatic(Files.createDirectories(staging.resolve("test")), "cfr");
        server = FreshServer.start("KernelCifsIT", "--no-root-squash");
        server.loginAsAdmin("kernel-cifs-admin-password");
        server.dfsctlOk("user", "create", "kuser", "-p", PASSWORD, "--uid", "4300", "--gid", "4300");
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        ServerProcess.deleteTree(staging);
    }

    @ParameterizedTest
    @ValueSource(strings = {"3.1.1", "2.1"})
    void shouldRunTheWorkoutWithEightMebibyteIo(String vers) throws IOException {
        KernelClient.Result r = KernelClient.cifs(server.smbPort(), "export", "kuser", PASSWORD, vers,
                "rsize=8388608,wsize=8388608,mfsymlinks").add(staging)
                .run(GuestFiles.resource("cifs-workout.sh"));
        assertTrue(r.ok() && r.output().contains("WORKOUT-OK"), r.describe() + "\nserver log " + server.log());
        assertTrue(r.output().contains("vers=" + vers), r.describe());
        assertTrue(r.output().contains("rsize=8388608") && r.output().contains("wsize=8388608"),
                "the client took the 8 MiB sizes: " + r.describe());
        assertTrue(r.output().contains("copy_file_range ok") && r.output().contains("ln -s ok"), r.describe());
        assertTrue(ioctls(r.output(), "after") - ioctls(r.output(), "before") >= 2,
                "copy_file_range went to the server as RESUME_KEY + COPYCHUNK_WRITE IOCTLs: " + r.describe());
        assertTrue(!Files.readString(server.log()).contains("Exception"),
                "no exception in the server log " + server.log());
    }

    @Test
    void shouldRunTheWorkoutSealed() throws IOException {
        KernelClient.Result r = KernelClient.cifs(server.smbPort(), "export", "kuser", PASSWORD, "3.1.1",
                "rsize=8388608,wsize=8388608,mfsymlinks,seal").add(staging)
                .run(GuestFiles.resource("cifs-workout.sh"));
        assertTrue(r.ok() && r.output().contains("WORKOUT-OK"), r.describe() + "\nserver log " + server.log());
        assertTrue(r.output().contains(",seal"), "the mount is sealed: " + r.describe());
        Matcher m = Pattern.compile("SMB session \\S+ for kuser .*may encrypt with (AES-\\S+),")
                .matcher(Files.readString(server.log()));
        String cipher = null;
        while (m.find()) {
            cipher = m.group(1);
        }
        assertTrue(cipher != null, "the kernel's session negotiated a cipher (server log " + server.log() + ")");
        System.err.println("[e2e] kernel cifs seal: " + cipher);
        assertTrue(!Files.readString(server.log()).contains("Exception"),
                "no exception in the server log " + server.log());
    }

    /** The client's IOCTL counter (/proc/fs/cifs/Stats) the workout printed before or after copy_file_range. */
    private static int ioctls(String output, String when) {
        Matcher m = Pattern.compile(when + " copy_file_range: IOCTLs: (\\d+)").matcher(output);
        assertTrue(m.find(), "no IOCTL count " + when + " copy_file_range");
        return Integer.parseInt(m.group(1));
    }
}
