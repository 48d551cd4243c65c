package io.dittofs.e2e;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Linux kernel CIFS client (Debian's kernel under qemu, {@code e2e/kclient}) against the
 * packaged server's SMB adapter, at SMB 3.1.1 and 2.1 with a user and password (signed, as the
 * server requires by default) and 8 MiB rsize/wsize: a 40 MiB file written and read back with
 * checksums after dropping the guest's caches, cp, copy_file_range (the kernel's server-side copy:
 * FSCTL_SRV_REQUEST_RESUME_KEY + FSCTL_SRV_COPYCHUNK_WRITE), mv, tar, truncate, chmod, and symlinks
 * with {@code mfsymlinks}. The copy_file_range program is compiled static at test time.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class KernelCifsIT {
    private static final String PASSWORD = "kernel-cifs-password";
    private static Path home;
    private static Path staging;
    private static Path log;
    private static Process server;
    private static int smbPort;

    @BeforeAll
    static void prepare() throws Exception {
        KernelClient.requirePrerequisites();
        E2eEnvironment.requireAptPackage("gcc", "compiling the static copy_file_range program for the guest");
        E2eEnvironment.requireAptPackage("libc6-dev", "compiling the static copy_file_range program for the guest");
        home = Files.createTempDirectory("dittofs-kcifs-home-");
        staging = Files.createTempDirectory(E2eEnvironment.logDir(), "kclient-cifs-");
        Path bin = Files.createDirectories(staging.resolve("test"));
        Process gcc = new ProcessBuilder("gcc", "-static", "-O1", "-o", bin.resolve("cfr").toString(),
                resource("cfr.c").toString()).redirectErrorStream(true).start();
        String out = new String(gcc.getInputStream().readAllBytes());
        assertEquals(0, gcc.waitFor(), "gcc cfr.c: " + out);
        smbPort = freePort();
        int apiPort = freePort();
        log = E2eEnvironment.logDir().resolve("KernelCifsIT-" + smbPort + ".log");
        Path target = E2eEnvironment.home().resolve("controlplane").resolve("target");
        List<String> cmd = List.of(java(), "@" + target.resolve("jvm.options"), "-jar",
                target.resolve("dittofs.jar").toString(), "start", "--foreground", "--bind", "127.0.0.1",
                "--nfs-port", Integer.toString(freePort()), "--smb-port", Integer.toString(smbPort),
                "--api-bind", "127.0.0.1", "--api-port", Integer.toString(apiPort), "--no-root-squash");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        env(pb.environment());
        server = pb.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.readString(log).contains(" READY ")) {
            assertTrue(server.isAlive(), "server exited: " + Files.readString(log));
            assertTrue(System.nanoTime() < deadline, "no READY within 60 s: " + Files.readString(log));
            Thread.sleep(100);
        }
        Matcher m = Pattern.compile("created user 'admin' with password (\\S+)").matcher(Files.readString(log));
        assertTrue(m.find(), "the first admin's password is printed once");
        dfsctl("login", "--server", "http://127.0.0.1:" + apiPort, "-u", "admin", "-p", m.group(1));
        dfsctl("user", "passwd", "--current", m.group(1), "--new", "kernel-cifs-admin-password");
        dfsctl("user", "create", "kuser", "-p", PASSWORD, "--uid", "4300", "--gid", "4300");
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.destroy();
            if (!server.waitFor(30, TimeUnit.SECONDS)) {
                server.destroyForcibly();
            }
        }
        System.out.println("KernelCifsIT server log: " + log);
        ServerProcess.deleteTree(staging);
        ServerProcess.deleteTree(home);
    }

    @ParameterizedTest
    @ValueSource(strings = {"3.1.1", "2.1"})
    void shouldRunTheWorkoutWithEightMebibyteIo(String vers) throws IOException {
        KernelClient.Result r = KernelClient.cifs(smbPort, "export", "kuser", PASSWORD, vers,
                "rsize=8388608,wsize=8388608,mfsymlinks").add(staging).run(resource("cifs-workout.sh"));
        assertTrue(r.ok() && r.output().contains("WORKOUT-OK"), r.describe() + "\nserver log " + log);
        assertTrue(r.output().contains("vers=" + vers), r.describe());
        assertTrue(r.output().contains("rsize=8388608") && r.output().contains("wsize=8388608"),
                "the client took the 8 MiB sizes: " + r.describe());
        assertTrue(r.output().contains("copy_file_range ok") && r.output().contains("ln -s ok"), r.describe());
        assertTrue(ioctls(r.output(), "after") - ioctls(r.output(), "before") >= 2,
                "copy_file_range went to the server as RESUME_KEY + COPYCHUNK_WRITE IOCTLs: " + r.describe());
        assertTrue(!Files.readString(log).contains("Exception"), "no exception in the server log " + log);
    }

    /** The client's IOCTL counter (/proc/fs/cifs/Stats) the workout printed before or after copy_file_range. */
    private static int ioctls(String output, String when) {
        Matcher m = Pattern.compile(when + " copy_file_range: IOCTLs: (\\d+)").matcher(output);
        assertTrue(m.find(), "no IOCTL count " + when + " copy_file_range");
        return Integer.parseInt(m.group(1));
    }

    private static void dfsctl(String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(E2eEnvironment.home().resolve("dfsctl").toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        env(pb.environment());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "dfsctl hung");
        assertEquals(0, p.exitValue(), "dfsctl " + String.join(" ", args) + ": " + out);
    }

    private static String java() {
        return ProcessHandle.current().info().command().orElseThrow();
    }

    private static void env(Map<String, String> e) {
        e.keySet().removeIf(k -> k.startsWith("DITTOFS_") || k.startsWith("XDG_") || k.startsWith("DFSCTL_"));
        e.put("HOME", home.toString());
        e.put("DFSCTL_JAVA", java());
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static Path resource(String name) {
        URL url = KernelCifsIT.class.getResource("/kclient/" + name);
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
