package io.dittofs.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;

/**
 * The packaged DittoFS server running as a separate OS process on a free loopback port with a
 * temporary data directory. Started as
 * {@code java @jvm.options -jar dittofs.jar start --foreground --bind 127.0.0.1 --no-root-squash --nfs-port PORT --data-dir DIR};
 * its stdout and stderr go to a log file under {@code e2e/target/e2e-logs} which is kept across
 * restarts. Not thread-safe: one test thread drives it.
 */
final class ServerProcess implements AutoCloseable {

    static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
    private static final String LOOPBACK = "127.0.0.1";

    private final String name;
    private final Path home;
    private final int port;
    private final Path dataDir;
    private final Path logFile;
    /** False when the caller gave the data directory: {@link #close} then leaves it alone. */
    private final boolean ownsDataDir;
    /** Extra environment variables of the server process (e.g. {@code DITTOFS_METRICS_ENABLED}). */
    private final java.util.Map<String, String> env = new java.util.HashMap<>();
    private Process process;
    private int starts;
    /** Starts whose process was killed with SIGKILL: their JFR recording was never written. */
    private final Set<Integer> killedStarts = new HashSet<>();

    private ServerProcess(String name, Path dataDir) throws IOException {
        this.name = name;
        this.home = E2eEnvironment.home();
        requireBuilt(home);
        this.port = freePort();
        this.ownsDataDir = dataDir == null;
        this.dataDir = dataDir != null ? dataDir : Files.createTempDirectory("dittofs-e2e-" + name + "-");
        String ts = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        this.logFile = E2eEnvironment.logDir().resolve(name + "-" + ts + "-" + port + ".log");
    }

    /**
     * Starts a server and waits until its port accepts TCP connections.
     *
     * @param name used in the log file name, e.g. the test class
     */
    static ServerProcess start(String name) {
        return start(name, (Path) null);
    }

    /**
     * Starts a server on {@code dataDir} (an existing directory the caller owns and removes; null:
     * a fresh temporary one, removed by {@link #close}).
     */
    static ServerProcess start(String name, Path dataDir) {
        return start(name, dataDir, java.util.Map.of());
    }

    /**
     * Starts a server with extra environment variables (fresh temporary data directory).
     */
    static ServerProcess start(String name, java.util.Map<String, String> env) {
        return start(name, null, env);
    }

    /**
     * Starts a server on {@code dataDir} (null: a fresh temporary one) with extra environment
     * variables, kept for every relaunch.
     */
    static ServerProcess start(String name, Path dataDir, java.util.Map<String, String> env) {
        ServerProcess server;
        try {
            server = new ServerProcess(name, dataDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.env.putAll(env);
        try {
            server.launch();
        } catch (RuntimeException | Error e) {
            server.close();
            throw e;
        }
        return server;
    }

    int port() {
        return port;
    }

    Path dataDir() {
        return dataDir;
    }

    Path logFile() {
        return logFile;
    }

    boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** The pid of the current server process, or -1 when it is not running. */
    long pid() {
        return process != null ? process.pid() : -1;
    }

    /**
     * Stops the server and starts it again on the same port and data directory.
     *
     * @param graceful SIGTERM (and wait for a clean exit) when true, SIGKILL when false
     */
    void restart(boolean graceful) {
        if (graceful) {
            int rc = stop();
            note("server stopped by SIGTERM, exit code " + rc);
        } else {
            kill();
        }
        launch();
    }

    /**
     * Sends SIGTERM and waits up to {@link #STOP_TIMEOUT} for the process to exit; kills it with
     * SIGKILL after that and fails.
     *
     * @return the exit code, or -1 when it was not running
     */
    int stop() {
        Process p = process;
        if (p == null) {
            return -1;
        }
        process = null;
        p.destroy();
        try {
            if (!p.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                killedStarts.add(starts);
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                throw new AssertionError("server pid " + p.pid() + " did not exit within " + STOP_TIMEOUT
                        + " of SIGTERM; killed. Log: " + logFile);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IllegalStateException("interrupted while stopping the server", e);
        }
        return p.exitValue();
    }

    /** Starts the server again after {@link #kill} or {@link #stop}, same port and data directory. */
    void relaunch() {
        if (process != null) {
            throw new IllegalStateException("the server is still running");
        }
        launch();
    }

    /** Kills the server with SIGKILL (a crash) and waits for it to be gone. */
    void kill() {
        Process p = process;
        if (p == null) {
            return;
        }
        process = null;
        killedStarts.add(starts);
        p.destroyForcibly();
        try {
            p.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        note("server killed by SIGKILL");
    }

    /** Stops the server (SIGTERM, then SIGKILL) and deletes the data directory. */
    @Override
    public void close() {
        try {
            if (process != null) {
                try {
                    stop();
                } catch (AssertionError e) {
                    System.err.println(e.getMessage());
                }
            }
        } finally {
            if (ownsDataDir) {
                deleteTree(dataDir);
            }
        }
    }

    /** The JFR recording of the {@code start}-th server process (1-based), written at its exit. */
    Path jfrFile(int start) {
        String log = logFile.getFileName().toString();
        return logFile.resolveSibling(log.substring(0, log.length() - ".log".length()) + "-" + start + ".jfr");
    }

    /**
     * The {@code jdk.VirtualThreadPinned} events (20 ms or more) in the recordings of the server
     * processes that have exited; one line each with its duration and top frames.
     */
    List<String> pinnedEvents() {
        List<String> found = new ArrayList<>();
        for (int i = 1; i <= starts; i++) {
            Path jfr = jfrFile(i);
            try {
                if (killedStarts.contains(i) || !Files.isRegularFile(jfr) || Files.size(jfr) == 0) {
                    continue;
                }
                for (RecordedEvent e : RecordingFile.readAllEvents(jfr)) {
                    if (e.getEventType().getName().equals("jdk.VirtualThreadPinned")) {
                        found.add(describe(e) + " (" + jfr.getFileName() + ")");
                    }
                }
            } catch (IOException e) {
                found.add("cannot read " + jfr + ": " + e);
            }
        }
        return found;
    }

    private static String describe(RecordedEvent e) {
        StringBuilder sb = new StringBuilder("pinned " + e.getDuration().toMillis() + " ms");
        if (e.getStackTrace() != null) {
            e.getStackTrace().getFrames().stream().limit(8).forEach(f -> sb.append("\n    at ")
                    .append(f.getMethod().getType().getName()).append('.').append(f.getMethod().getName())
                    .append(':').append(f.getLineNumber()));
        }
        return sb.toString();
    }

    /** The last {@code lines} lines of the server log. */
    String logTail(int lines) {
        try {
            if (!Files.exists(logFile)) {
                return "(no server log at " + logFile + ")";
            }
            List<String> all = Files.readAllLines(logFile, StandardCharsets.UTF_8);
            List<String> tail = all.subList(Math.max(0, all.size() - lines), all.size());
            return String.join(System.lineSeparator(), tail);
        } catch (IOException e) {
            return "(cannot read " + logFile + ": " + e + ")";
        }
    }

    /** Prints the tail of the server log to stderr, framed with the log file's path. */
    void dumpLog(String reason, int lines) {
        System.err.println("===== DittoFS server log (" + reason + "), last " + lines + " lines of " + logFile + " =====");
        System.err.println(logTail(lines));
        System.err.println("===== end of server log =====");
    }

    @Override
    public String toString() {
        return "DittoFS server '" + name + "' on " + LOOPBACK + ":" + port + " (data " + dataDir + ", log " + logFile + ")";
    }

    private void launch() {
        starts++;
        List<String> cmd = command();
        note("start #" + starts + ": " + String.join(" ", cmd));
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .directory(home.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        pb.environment().putAll(env);
        try {
            process = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + cmd, e);
        }
        awaitListening();
    }

    private List<String> command() {
        // called after starts++, so the recording of this start is number `starts`
        String java = ProcessHandle.current().info().command()
                .orElseThrow(() -> new IllegalStateException("cannot tell which java runs the tests"));
        Path target = home.resolve("controlplane").resolve("target");
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.add("@" + target.resolve("jvm.options"));
        // JFR with the default settings records jdk.VirtualThreadPinned events of 20 ms or more
        // (STYLE 6); the recording is written when the JVM exits after SIGTERM
        cmd.add("-XX:StartFlightRecording:settings=default,dumponexit=true,filename=" + jfrFile(starts));
        cmd.add("-jar");
        cmd.add(target.resolve("dittofs.jar").toString());
        // the tests act as root (chown, setuid, devices): the default share keeps uid 0 as it is
        // DITTOFS_ADAPTERS_NFS_BIND in the env (e.g. 0.0.0.0 for a guest on a tap device) replaces loopback
        String bind = env.getOrDefault("DITTOFS_ADAPTERS_NFS_BIND", LOOPBACK);
        cmd.addAll(List.of("start", "--foreground", "--bind", bind, "--no-root-squash",
                "--nfs-port", Integer.toString(port), "--data-dir", dataDir.toString()));
        return cmd;
    }

    private void awaitListening() {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                int rc = process.exitValue();
                process = null;
                throw new AssertionError("DittoFS server exited with code " + rc + " before listening on port "
                        + port + "; log " + logFile + ":\n" + logTail(80));
            }
            if (accepts()) {
                note("listening on " + LOOPBACK + ":" + port + " (pid " + process.pid() + ")");
                return;
            }
            sleep(100);
        }
        process.destroyForcibly();
        process = null;
        killedStarts.add(starts);
        throw new AssertionError("DittoFS server did not accept TCP connections on " + LOOPBACK + ":" + port
                + " within " + START_TIMEOUT + "; log " + logFile + ":\n" + logTail(80));
    }

    private boolean accepts() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getByName(LOOPBACK), port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Appends a harness line ({@code [e2e time] line}) to the server log. */
    void note(String line) {
        try {
            Files.writeString(logFile, "[e2e " + LocalDateTime.now() + "] " + line + System.lineSeparator(),
                    StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.APPEND);
        } catch (IOException e) {
            System.err.println("[e2e] " + line);
        }
    }

    private static void requireBuilt(Path home) {
        Path target = home.resolve("controlplane").resolve("target");
        for (Path p : List.of(target.resolve("dittofs.jar"), target.resolve("jvm.options"))) {
            if (!Files.isRegularFile(p)) {
                throw new IllegalStateException("the DittoFS server is not built: " + p
                        + " is missing. Run `./mvnw -q -DskipTests package` in " + home + " first.");
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(LOOPBACK))) {
            return s.getLocalPort();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    static void deleteTree(Path root) {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    System.err.println("[e2e] cannot delete " + p + ": " + e);
                }
            });
        } catch (IOException e) {
            System.err.println("[e2e] cannot delete " + root + ": " + e);
        }
    }
}
