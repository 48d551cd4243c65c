package io.dittofs.e2e;

import java.io.IOException;
import java.net.ServerSocket;
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
 * The packaged server started the way a new user starts it, and administered with {@code dfsctl}:
 * a fresh HOME (no configuration, no {@code DITTOFS_*}, {@code XDG_*} or {@code DFSCTL_*}
 * variables), NFS, SMB and API ports on loopback chosen at run time, the first admin's password
 * printed once in its log (under {@code e2e/target/e2e-logs}). Every command run through it
 * ({@link #dfsctl}, {@link #run}) sees the same HOME. {@link #close} stops the server and removes
 * the HOME. Not thread-safe: one test thread drives it.
 */
final class FreshServer implements AutoCloseable {
    private static final Pattern ADMIN = Pattern.compile("created user 'admin' with password (\\S+)");

    /** A finished command: exit code, stdout and stderr (stderr is empty when it went to stdout). */
    record Run(int rc, String out, String err) {
    }

    private final String name;
    private final Path home;
    private final int nfsPort;
    private final int smbPort;
    private final int apiPort;
    private final Path log;
    private Process server;

    private FreshServer(String name) throws IOException {
        this.name = name;
        this.home = Files.createTempDirectory("dittofs-" + name + "-home-");
        this.nfsPort = freePort();
        this.smbPort = freePort();
        this.apiPort = freePort();
        this.log = E2eEnvironment.logDir().resolve(name + "-" + smbPort + ".log");
    }

    /**
     * Starts {@code dittofs.jar start --foreground} on loopback with {@code extraArgs} (e.g.
     * {@code --no-root-squash}) and waits up to 60 s for its READY line.
     *
     * @param name the test class: the HOME's and the log file's name
     */
    static FreshServer start(String name, String... extraArgs) throws Exception {
        FreshServer s = new FreshServer(name);
        try {
            s.launch(extraArgs);
        } catch (Exception | Error e) {
            s.close();
            throw e;
        }
        return s;
    }

    private void launch(String... extraArgs) throws Exception {
        Path target = E2eEnvironment.home().resolve("controlplane").resolve("target");
        List<String> cmd = new ArrayList<>(List.of(java(), "@" + target.resolve("jvm.options"), "-jar",
                target.resolve("dittofs.jar").toString(), "start", "--foreground", "--bind", "127.0.0.1",
                "--nfs-port", Integer.toString(nfsPort), "--smb-port", Integer.toString(smbPort),
                "--api-bind", "127.0.0.1", "--api-port", Integer.toString(apiPort)));
        cmd.addAll(List.of(extraArgs));
        server = environment(new ProcessBuilder(cmd)).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.readString(log).contains(" READY ")) {
            assertTrue(server.isAlive(), "server exited: " + Files.readString(log));
            assertTrue(System.nanoTime() < deadline, "no READY within 60 s: " + Files.readString(log));
            Thread.sleep(100);
        }
    }

    int nfsPort() {
        return nfsPort;
    }

    int smbPort() {
        return smbPort;
    }

    int apiPort() {
        return apiPort;
    }

    /** The control-plane URL for {@code dfsctl login --server}. */
    String api() {
        return "http://127.0.0.1:" + apiPort;
    }

    Path home() {
        return home;
    }

    /** The server's stdout and stderr. */
    Path log() {
        return log;
    }

    /** The first admin's password, printed once in the log. */
    String initialAdminPassword() throws IOException {
        Matcher m = ADMIN.matcher(Files.readString(log));
        assertTrue(m.find(), "the first admin's password is printed once");
        return m.group(1);
    }

    /** Logs in as the first admin and changes its password to {@code newPassword}, as the server asks. */
    void loginAsAdmin(String newPassword) throws Exception {
        String first = initialAdminPassword();
        dfsctlOk("login", "--server", api(), "-u", "admin", "-p", first);
        dfsctlOk("user", "passwd", "--current", first, "--new", newPassword);
    }

    /** Runs {@code ./dfsctl args} (60 s at most) and prints the command and its output. */
    Run dfsctl(String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(E2eEnvironment.home().resolve("dfsctl").toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = environment(new ProcessBuilder(cmd));
        Path out = Files.createTempFile(home, "out", ".txt");
        Path err = Files.createTempFile(home, "err", ".txt");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "dfsctl " + String.join(" ", args) + " hung");
        Run r = new Run(p.exitValue(), Files.readString(out), Files.readString(err));
        System.out.println("$ dfsctl " + String.join(" ", args) + " -> " + r.rc() + "\n" + r.out() + r.err());
        return r;
    }

    /** {@link #dfsctl} that must exit 0. */
    Run dfsctlOk(String... args) throws Exception {
        Run r = dfsctl(args);
        assertEquals(0, r.rc(), "dfsctl " + String.join(" ", args) + ": " + r.out() + r.err());
        return r;
    }

    /**
     * Runs {@code cmd} (e.g. smbclient) in this HOME with stderr merged into stdout; it is killed
     * and the test fails when it takes longer than {@code timeoutSeconds}.
     */
    Run run(List<String> cmd, long timeoutSeconds) throws Exception {
        Path out = Files.createTempFile(home, "out", ".txt");
        Process p = environment(new ProcessBuilder(cmd)).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", cmd) + " hung; server log " + log);
        }
        Run r = new Run(p.exitValue(), Files.readString(out), "");
        System.out.println("$ " + String.join(" ", cmd) + " -> " + r.rc() + "\n" + r.out());
        return r;
    }

    /** Gives {@code pb} this server's environment: the fresh HOME, and dfsctl's java. */
    ProcessBuilder environment(ProcessBuilder pb) {
        Map<String, String> e = pb.environment();
        e.keySet().removeIf(k -> k.startsWith("DITTOFS_") || k.startsWith("XDG_") || k.startsWith("DFSCTL_"));
        e.put("HOME", home.toString());
        e.put("DFSCTL_JAVA", java());
        return pb;
    }

    /** Stops the server (SIGTERM, SIGKILL after 30 s), names its log and removes the HOME. */
    @Override
    public void close() throws InterruptedException {
        if (server != null) {
            server.destroy();
            if (!server.waitFor(30, TimeUnit.SECONDS)) {
                server.destroyForcibly();
            }
            server = null;
        }
        System.out.println(name + " server log: " + log);
        ServerProcess.deleteTree(home);
    }

    /** The JDK that runs the tests, which runs the server and dfsctl too. */
    static String java() {
        return ProcessHandle.current().info().command().orElseThrow();
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
