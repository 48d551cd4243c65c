package io.dittofs.e2e;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The release archive as an operator uses it: unpacked into an empty directory, run with a
 * {@code PATH} that has no {@code java} and no {@code JAVA_HOME}, started in the background with
 * {@code dfs start}, written and listed over NFSv3 with libnfs ({@code nfs-cp}, {@code nfs-ls}),
 * then stopped with {@code dfs stop}.
 */
class ReleaseArchiveIT {
    /** The tools the launchers call; the test PATH holds only these (no java). */
    private static final List<String> TOOLS = List.of("bash", "sh", "dirname", "sed", "grep", "cat", "seq", "sleep",
            "rm", "tail", "mkdir", "nohup");

    @TempDir
    Path tmp;

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void shouldRunFromTheUnpackedArchiveWithoutAJdkAndServeNfs() throws Exception {
        E2eEnvironment.requireAptPackage("libnfs-utils", "nfs-cp and nfs-ls against the unpacked server");
        Path archive = archive();
        Path unpack = Files.createDirectories(tmp.resolve("opt"));
        run(List.of("tar", "-xzf", archive.toString(), "-C", unpack.toString()), Map.of(), 120);
        Path home;
        try (Stream<Path> s = Files.list(unpack)) {
            home = s.findFirst().orElseThrow();
        }
        for (String f : List.of("dfs", "dfsctl", "runtime/bin/java", "app/dittofs.jar", "app/jvm.options",
                "dittofs.service", "config.example.yaml", "README.md")) {
            assertTrue(Files.exists(home.resolve(f)), "the archive has no " + f);
        }
        Map<String, String> env = cleanEnvironment();
        int port = freePort();
        Path data = tmp.resolve("data");
        long pid = -1;
        try {
            Result sample = run(List.of(home.resolve("dfs").toString(), "config", "validate", "--config",
                    home.resolve("config.example.yaml").toString()), env, 60);
            assertEquals(0, sample.code(), "the sample config is valid: " + sample.output());

            Result start = run(List.of(home.resolve("dfs").toString(), "start", "--bind", "127.0.0.1", "--nfs-port",
                    Integer.toString(port), "--api-port", "0", "--no-root-squash", "--data-dir", data.toString()), env, 90);
            assertEquals(0, start.code(), start.output());
            assertTrue(start.output().contains("READY"), start.output());
            pid = Long.parseLong(Files.readString(tmp.resolve("state/dfs.pid")).trim());
            Path exe = Path.of("/proc/" + pid + "/exe").toRealPath();
            assertEquals(home.resolve("runtime/bin/java").toRealPath(), exe, "the server runs on the bundled runtime");

            Path hello = Files.writeString(tmp.resolve("hello.txt"), "hello from the release archive\n");
            String url = "nfs://127.0.0.1/export/%s?nfsport=" + port + "&mountport=" + port;
            Result cp = run(List.of("nfs-cp", hello.toString(), url.formatted("hello.txt")), Map.of(), 60);
            assertEquals(0, cp.code(), cp.output());
            Result ls = run(List.of("nfs-ls", url.formatted("")), Map.of(), 60);
            assertEquals(0, ls.code(), ls.output());
            assertTrue(ls.output().contains("hello.txt"), ls.output());

            Result ctl = run(List.of(home.resolve("dfsctl").toString(), "--version"), env, 60);
            assertEquals(0, ctl.code(), ctl.output());

            Result stop = run(List.of(home.resolve("dfs").toString(), "stop"), env, 60);
            assertEquals(0, stop.code(), stop.output());
            assertTrue(stop.output().contains("stopped"), stop.output());
            ProcessHandle h = ProcessHandle.of(pid).orElse(null);
            assertFalse(h != null && h.isAlive(), "the server is still running after dfs stop");
        } finally {
            if (pid > 0) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
            try (Stream<Path> links = Files.list(tmp.resolve("bin"))) {
                for (Path l : links.toList()) {
                    Files.delete(l); // the links, not what they point to
                }
            }
            Path log = tmp.resolve("state/dfs.log");
            if (Files.exists(log)) {
                Files.copy(log, E2eEnvironment.logDir().resolve("ReleaseArchiveIT-" + port + ".log"));
            }
        }
    }

    /** The archive the build made in {@code dist/target}. */
    private static Path archive() throws IOException {
        Path target = E2eEnvironment.home().resolve("dist").resolve("target");
        List<Path> found = new ArrayList<>();
        if (Files.isDirectory(target)) {
            try (Stream<Path> s = Files.list(target)) {
                s.filter(p -> p.getFileName().toString().matches("dittofs-.*-linux-.*\\.tar\\.gz")).forEach(found::add);
            }
        }
        if (found.size() != 1) {
            throw new AssertionError("expected one dist/target/dittofs-VERSION-linux-ARCH.tar.gz, found " + found
                    + ": build it with `./mvnw -DskipTests package` (the dist module)");
        }
        return found.getFirst();
    }

    /** HOME and state under the temp dir; PATH holds links to {@link #TOOLS} only; no JAVA_HOME. */
    private Map<String, String> cleanEnvironment() throws IOException {
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        for (String t : TOOLS) {
            Path real = Stream.of("/usr/bin", "/bin").map(d -> Path.of(d, t)).filter(Files::isExecutable).findFirst()
                    .orElseThrow(() -> new AssertionError("no " + t + " in /usr/bin or /bin"));
            Files.createSymbolicLink(bin.resolve(t), real);
        }
        assertFalse(Files.exists(bin.resolve("java")));
        return Map.of("PATH", bin.toString(), "HOME", Files.createDirectories(tmp.resolve("home")).toString(),
                "DITTOFS_STATE_DIR", tmp.resolve("state").toString(), "LANG", "C.UTF-8");
    }

    record Result(int code, String output) {
    }

    /** Runs {@code cmd}; a non-empty {@code env} replaces the whole environment. */
    private Result run(List<String> cmd, Map<String, String> env, int timeoutSeconds) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(tmp.resolve("out.txt").toFile());
        if (!env.isEmpty()) {
            pb.environment().clear();
            pb.environment().putAll(env);
        }
        Process p = pb.start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(cmd + " did not finish in " + timeoutSeconds + " s: "
                    + Files.readString(tmp.resolve("out.txt")));
        }
        return new Result(p.exitValue(), Files.readString(tmp.resolve("out.txt"), StandardCharsets.UTF_8));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }
}
