package io.dittofs.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * POSIX ownership and mode rules, differentially (issue 8, point 12): the {@link PosixScript} of
 * chown/chgrp/chmod/truncate/write/utimes/link/rename/unlink calls by root, the owner, group
 * members and a stranger on every file type runs once with {@code posixop} (a static C program
 * under {@code e2e/src/test/c}) against a fresh tmpfs on the host — the oracle — and then through
 * NFSv3 twice: via libnfs ({@link PosixLibNfsRunner}) and via the Linux kernel client, the same
 * posixop binary inside the qemu guest ({@link PosixKernelRunner}). Every errno and every resulting
 * mode/uid/gid must match, except the deviations listed in {@link #LIBNFS_DEVIATIONS} and
 * {@link #KERNEL_DEVIATIONS}. Needs root (posixop switches users) and gcc with a static libc.
 */
@Timeout(value = 15, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class PosixDifferentialIT {

    private static final String EXPORT = "/export";

    @RegisterExtension
    static final ServerExtension SERVER = new ServerExtension();

    /**
     * A known difference of a client, not of the server: the call, regexes that the oracle's and the
     * client's result lines must both match, and why.
     */
    record Deviation(String call, String oracleRegex, String clientRegex, String reason) {
    }

    /** Client-side behaviours of libnfs 4.0.0 (see docs/nfs.md); everything else must match. */
    static final List<Deviation> LIBNFS_DEVIATIONS = List.of(
            new Deviation("write", "21 .*", "1[34] .*", "open(2) of a directory for writing fails EISDIR in the "
                    + "caller's VFS before any permission check; libnfs's nfs_open asks ACCESS first (EACCES when the "
                    + "caller may not write the directory) and otherwise sends WRITE, which the server refuses with "
                    + "NFS3ERR_ISDIR and libnfs reports as EFAULT"),
            new Deviation("link", "[01] \\S+=120777:.*", "2 .*", "nfs_link follows a final symlink of the existing path "
                    + "(the script's symlinks dangle: ENOENT) where link(2) links the symlink itself (or, for a non-owner "
                    + "under fs.protected_hardlinks=1, refuses it with EPERM) — a libnfs client choice, not the server's"),
            new Deviation("link", "1 \\S+=[0-9]+:1000:1000 \\S+=-", "0 .*", "the host's fs.protected_hardlinks=1 "
                    + "refuses a non-owner's link in linkat(2), a VFS check of the calling kernel; libnfs has no such check "
                    + "and knfsd, like this server, does not apply it (the kernel-client run sets the same sysctl in the guest "
                    + "and matches)"));

    /** Client-side behaviours of the Linux NFS client; everything else must match. */
    static final List<Deviation> KERNEL_DEVIATIONS = List.of(
            new Deviation("truncate", "0 \\S+=100755:1000:1000", "0 \\S+=10[246]755:1000:1000",
                    "truncate(2) by the owner of an empty set-id file to size 0: Linux's nfs_setattr drops an ATTR_SIZE "
                    + "equal to the cached size, and drops ATTR_MODE when ATTR_KILL_SUID/SGID is set (the server is to "
                    + "clear the bits), so no SETATTR is sent at all and the bits stay; tmpfs clears them. The server's "
                    + "rule is checked by the same line through libnfs (which sends SETATTR size 0) and by "
                    + "'truncate P 1' through both clients"));

    private static Path posixop;
    private static List<String> oracle;

    @BeforeAll
    static void runOracle() throws Exception {
        requireRoot();
        posixop = compilePosixop();
        oracle = runOnHost(posixop, script());
    }

    @Test
    void shouldMatchTheLinuxOracleThroughLibnfs() {
        E2eEnvironment.requireAptPackage("libnfs13", "the libnfs NFSv3 client");
        requireNoRootSquash("/posix");
        Tally tally = new Tally("libnfs", LIBNFS_DEVIATIONS);
        try (PosixLibNfsRunner nfs = new PosixLibNfsRunner(SERVER.port(), EXPORT, "/posix")) {
            int i = 0;
            for (String line : PosixScript.prologue()) {
                tally.check("prologue", line, false, oracle.get(i++), nfs.run(line));
            }
            for (PosixScript.Case c : PosixScript.cases()) {
                if (c.actor().supplementary()) { // libnfs sends no supplementary gids
                    i += c.lines().size();
                    tally.skipped++;
                    continue;
                }
                for (int k = 0; k < c.lines().size(); k++) {
                    String line = c.lines().get(k);
                    tally.check(c.actor().name(), line, k == c.lines().size() - 1, oracle.get(i++), nfs.run(line));
                }
            }
        }
        tally.assertNoMismatch();
    }

    @Test
    void shouldMatchTheLinuxOracleThroughTheKernelClient() throws Exception {
        KernelClient.requirePrerequisites();
        requireNoRootSquash("/posix-k");
        Path work = Files.createTempDirectory(E2eEnvironment.logDir(), "posix-kclient-");
        try {
            String hardlinks = Files.readString(Path.of("/proc/sys/fs/protected_hardlinks")).trim();
            List<String> got = PosixKernelRunner.run(SERVER.port(), posixop, script(), "posix-k", hardlinks, work);
            Tally tally = new Tally("kernel client", KERNEL_DEVIATIONS);
            int i = 0;
            for (String line : PosixScript.prologue()) {
                tally.check("prologue", line, false, oracle.get(i), got.get(i));
                i++;
            }
            for (PosixScript.Case c : PosixScript.cases()) {
                for (int k = 0; k < c.lines().size(); k++) {
                    tally.check(c.actor().name(), c.lines().get(k), k == c.lines().size() - 1, oracle.get(i), got.get(i));
                    i++;
                }
            }
            tally.assertNoMismatch();
        } finally {
            ServerProcess.deleteTree(work);
        }
    }

    /** Counts of one run against the oracle; a deviation is only accepted on a case's last line. */
    private static final class Tally {
        private final String client;
        private final List<Deviation> deviations;
        private final List<String> mismatches = new ArrayList<>();
        private int compared;
        private int deviated;
        int skipped;

        Tally(String client, List<Deviation> deviations) {
            this.client = client;
            this.deviations = deviations;
        }

        void check(String actor, String line, boolean last, String want, String got) {
            if (want.equals(got)) {
                compared++;
                return;
            }
            if (last && deviation(deviations, line, want, got) != null) {
                deviated++;
                return;
            }
            compared++;
            mismatches.add(actor + ": " + line + "\n    linux: " + want + "\n    nfs:   " + got);
        }

        void assertNoMismatch() {
            System.err.println("[posix] " + client + ": " + compared + " calls compared, " + deviated
                    + " expected deviations, " + skipped + " cases skipped (supplementary groups), "
                    + mismatches.size() + " mismatches");
            assertTrue(mismatches.isEmpty(), client + ": " + mismatches.size() + " mismatches with the Linux oracle:\n"
                    + String.join("\n", mismatches.subList(0, Math.min(300, mismatches.size()))));
        }
    }

    private static Deviation deviation(List<Deviation> deviations, String line, String want, String got) {
        for (Deviation d : deviations) {
            if (line.split(" ")[3].equals(d.call()) && want.matches(d.oracleRegex()) && got.matches(d.clientRegex())) {
                return d;
            }
        }
        return null;
    }

    static List<String> script() {
        List<String> lines = new ArrayList<>(PosixScript.prologue());
        PosixScript.cases().forEach(c -> lines.addAll(c.lines()));
        return lines;
    }

    static void requireRoot() throws IOException {
        for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (l.startsWith("Uid:") && !l.split("\\s+")[1].equals("0")) {
                throw new AssertionError("PosixDifferentialIT must run as root: its oracle (posixop) switches "
                        + "users with setresuid and creates device nodes (CI runs as root)");
            }
        }
    }

    /** Compiles e2e/src/test/c/posixop.c statically (the same binary runs in the kernel-client guest). */
    static Path compilePosixop() throws Exception {
        Path src = E2eEnvironment.home().resolve("e2e/src/test/c/posixop.c");
        Path out = E2eEnvironment.home().resolve("e2e/target/posixop");
        Process p = new ProcessBuilder("gcc", "-O1", "-Wall", "-static", "-o", out.toString(), src.toString())
                .redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), "gcc -static posixop.c failed (install the apt packages gcc and libc6-dev):\n" + log);
        return out;
    }

    /** Runs the script with posixop on a fresh tmpfs (a plain temporary directory when mount fails). */
    static List<String> runOnHost(Path posixop, List<String> script) throws Exception {
        Path dir = Files.createTempDirectory("dittofs-posix-oracle-");
        boolean mounted = exec("mount", "-t", "tmpfs", "-o", "mode=0755,size=16m", "tmpfs", dir.toString()) == 0;
        try {
            Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
            Path in = Files.createTempFile("posix-script-", ".txt");
            Files.write(in, script);
            Process p = new ProcessBuilder(posixop.toString(), dir.toString()).redirectInput(in.toFile())
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            List<String> out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
            assertEquals(0, p.waitFor(), "posixop failed on the host");
            assertEquals(script.size(), out.size(), "one result line per script line");
            Files.delete(in);
            System.err.println("[posix] oracle: " + script.size() + " calls on " + (mounted ? "tmpfs" : "the temp dir's fs"));
            return out;
        } finally {
            if (mounted) {
                exec("umount", dir.toString());
            }
            ServerProcess.deleteTree(dir);
        }
    }

    private static int exec(String... cmd) throws Exception {
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start().waitFor();
    }

    /** Creates the run's directory as root; fails clearly when the server's default share squashes root. */
    private static void requireNoRootSquash(String dir) {
        try (LibNfs root = LibNfs.mount(SERVER.port(), EXPORT, 0, 0)) {
            root.mkdir(dir, 0755);
            root.chmod(dir, 0755);
            int uid = root.lstat(dir).uid();
            assertEquals(0, uid, "the test server squashes root (uid 0 became " + uid
                    + "); start it with root squash off for PosixDifferentialIT");
        }
    }
}
