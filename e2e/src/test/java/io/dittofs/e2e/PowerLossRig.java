package io.dittofs.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A file system that forgets what was not synced when the power is cut: {@code powerfs}, the
 * FUSE 3 passthrough in {@code src/test/resources/powerloss/powerfs.c} (what it models is
 * described at its top), compiled here with gcc against libfuse3 into {@code e2e/target/powerfs}
 * and mounted over a backing directory ("the disk"). {@link #cutPower} makes it drop every
 * unsynced byte and roll back every namespace change whose directory was not fsync'ed, then
 * unmounts it; {@link #mount} mounts a fresh one over what the disk kept. {@link #unmount}
 * is a clean shutdown (everything is written). Needs root and {@code /dev/fuse}.
 *
 * <p>Not thread-safe: one test thread drives it.
 */
final class PowerLossRig implements AutoCloseable {
    private static final Pattern DROPPED = Pattern.compile("cut: dropped (\\d+) dirty bytes .* (\\d+)/(\\d+) namespace");
    private static final Pattern UNDID = Pattern.compile("cut: undid (\\d+) namespace changes \\((\\d+) could not");

    private final Path root;
    private final Path backing;
    private final Path limbo;
    private final Path mountpoint;
    private final Path log;
    private final Path binary;
    private Process daemon;
    private int mounts;

    /** What the rig reported about one power cut. */
    record Cut(long droppedBytes, int undoneChanges, int undoFailures) {
    }

    private PowerLossRig(String name) throws IOException {
        binary = build();
        root = Files.createTempDirectory("dittofs-powerloss-" + name + "-");
        backing = Files.createDirectories(root.resolve("disk"));
        limbo = Files.createDirectories(root.resolve("limbo"));
        mountpoint = Files.createDirectories(root.resolve("mnt"));
        String ts = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        log = E2eEnvironment.logDir().resolve(name + "-" + ts + "-powerfs.log");
    }

    /** Checks the prerequisites, builds the rig if needed and mounts it over a new, empty disk. */
    static PowerLossRig start(String name) {
        requirePrerequisites();
        PowerLossRig rig;
        try {
            rig = new PowerLossRig(name);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            rig.mount();
        } catch (RuntimeException | Error e) {
            rig.close();
            throw e;
        }
        return rig;
    }

    static void requirePrerequisites() {
        E2eEnvironment.requireAptPackage("fuse3", "the power-loss rig (fusermount3, FUSE 3)");
        E2eEnvironment.requireAptPackage("libfuse3-dev", "building the power-loss rig");
        E2eEnvironment.requireAptPackage("pkg-config", "building the power-loss rig");
        E2eEnvironment.requireAptPackage("gcc", "building the power-loss rig");
        if (!Files.exists(Path.of("/dev/fuse"))) {
            throw new AssertionError("/dev/fuse is missing: the power-loss rig needs FUSE");
        }
    }

    /** The mounted file system: everything under it is subject to power cuts. */
    Path mountpoint() {
        return mountpoint;
    }

    /** The disk under the rig (what survives a cut); look, don't touch while mounted. */
    Path disk() {
        return backing;
    }

    Path logFile() {
        return log;
    }

    /** Starts a rig daemon over the disk and waits until it is mounted. */
    void mount() {
        if (daemon != null) {
            throw new IllegalStateException("the rig is mounted");
        }
        mounts++;
        note("mount #" + mounts);
        try {
            daemon = new ProcessBuilder(binary.toString(), backing.toString(), limbo.toString(), mountpoint.toString())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + binary, e);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!mounted()) {
            if (!daemon.isAlive() || System.nanoTime() > deadline) {
                String why = daemon.isAlive() ? "not mounted after 20 s" : "exited with " + daemon.exitValue();
                daemon.destroyForcibly();
                daemon = null;
                throw new AssertionError("the power-loss rig did not mount " + mountpoint + ": " + why + "\n" + logTail());
            }
            sleep(20);
        }
    }

    /**
     * Cuts the power: unsynced data and namespace changes are dropped, the rig unmounts. Stop
     * every process using the mount first (a server is killed with SIGKILL before the cut).
     */
    Cut cutPower() {
        Process p = requireMounted();
        note("power cut");
        signal(p.pid(), "USR1");
        awaitExit(p);
        daemon = null;
        if (mounted()) {
            run(List.of("umount", "-l", mountpoint.toString()));
        }
        return lastCut();
    }

    /** Clean unmount: everything written so far reaches the disk (a clean shutdown). */
    void unmount() {
        Process p = requireMounted();
        note("clean unmount");
        run(List.of("fusermount3", "-u", mountpoint.toString()));
        awaitExit(p);
        daemon = null;
    }

    /** Cuts the power if still mounted and removes the disk. */
    @Override
    public void close() {
        try {
            if (daemon != null) {
                cutPower();
            }
        } finally {
            if (!mounted()) {
                ServerProcess.deleteTree(root);
            }
        }
    }

    /** The figures of the last cut, from the rig's log. */
    Cut lastCut() {
        long dropped = -1;
        int undone = -1;
        int failed = -1;
        try {
            for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
                Matcher d = DROPPED.matcher(line);
                if (d.find()) {
                    dropped = Long.parseLong(d.group(1));
                }
                Matcher u = UNDID.matcher(line);
                if (u.find()) {
                    undone = Integer.parseInt(u.group(1));
                    failed = Integer.parseInt(u.group(2));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Cut(dropped, undone, failed);
    }

    String logTail() {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - 40), all.size()));
        } catch (IOException e) {
            return "(no rig log: " + e + ")";
        }
    }

    private boolean mounted() {
        try {
            String target = " " + mountpoint + " ";
            return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream().anyMatch(l -> l.contains(target));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Process requireMounted() {
        if (daemon == null) {
            throw new IllegalStateException("the rig is not mounted");
        }
        return daemon;
    }

    private void awaitExit(Process p) {
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("the power-loss rig did not exit within 60 s\n" + logTail());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void note(String line) {
        try {
            Files.writeString(log, "[e2e " + LocalDateTime.now() + "] " + line + System.lineSeparator(),
                    StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.APPEND);
        } catch (IOException e) {
            System.err.println("[e2e] " + line);
        }
    }

    private static void signal(long pid, String sig) {
        run(List.of("kill", "-" + sig, Long.toString(pid)));
    }

    private static String run(List<String> cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(String.join(" ", cmd) + " did not finish");
            }
            if (p.exitValue() != 0) {
                throw new AssertionError(String.join(" ", cmd) + " failed (" + p.exitValue() + "): " + out);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + cmd, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Compiles powerfs.c into e2e/target/powerfs unless the binary is newer than the source. */
    private static synchronized Path build() throws IOException {
        Path src = E2eEnvironment.home().resolve("e2e/src/test/resources/powerloss/powerfs.c");
        Path dir = Files.createDirectories(E2eEnvironment.home().resolve("e2e/target/powerfs"));
        Path bin = dir.resolve("powerfs");
        if (Files.isExecutable(bin) && Files.getLastModifiedTime(bin).compareTo(Files.getLastModifiedTime(src)) > 0) {
            return bin;
        }
        Path tmp = dir.resolve("powerfs.tmp");
        String flags = run(List.of("pkg-config", "--cflags", "--libs", "fuse3")).trim();
        List<String> cmd = new java.util.ArrayList<>(List.of("gcc", "-O2", "-Wall", "-Werror", "-o", tmp.toString(),
                src.toString()));
        cmd.addAll(List.of(flags.split("\\s+")));
        run(cmd);
        Files.move(tmp, bin, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return bin;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
