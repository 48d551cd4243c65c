package io.dittofs.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Runs the whole {@link PosixScript} with the same static {@code posixop} binary inside the
 * kernel-client guest ({@link KernelClient}), on an NFSv3 mount of the server, and returns its
 * result lines (one per script line, in posixop's format). posixop switches users itself in the
 * guest, so the Linux client sends each actor's uid, gid and supplementary gids (AUTH_SYS) and
 * applies its own VFS checks first, as for any user of a mount. Not thread-safe (one run).
 */
final class PosixKernelRunner {

    private static final String BEGIN = "===POSIX-BEGIN===";
    private static final String END = "===POSIX-END";

    private PosixKernelRunner() {
    }

    /**
     * Runs {@code script} in the guest under {@code /mnt/DIR} (an existing directory). {@code protectedHardlinks} is the
     * host's {@code fs.protected_hardlinks}, set in the guest too so that both kernels apply the same
     * VFS rule to link(2) (the busybox guest has no sysctl defaults and would run with 0).
     */
    static List<String> run(int port, Path posixop, List<String> script, String dir, String protectedHardlinks,
                            Path work) throws IOException {
        Path add = Files.createDirectories(work.resolve("add/posix"));
        Files.copy(posixop, add.resolve("posixop"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        add.resolve("posixop").toFile().setExecutable(true, false);
        Files.write(add.resolve("script.txt"), script);
        Path test = work.resolve("posix-test.sh");
        Files.writeString(test, String.join("\n",
                "echo " + protectedHardlinks + " > /proc/sys/fs/protected_hardlinks || exit 3",
                "echo " + BEGIN,
                "/posix/posixop /mnt/" + dir + " < /posix/script.txt; rc=$?",
                "echo \"" + END + " rc=$rc===\"",
                "exit $rc", ""));
        KernelClient.Result r = KernelClient.nfs3(port).add(work.resolve("add")).timeout(Duration.ofMinutes(8)).run(test);
        assertTrue(r.ok(), r.describe());
        String out = r.output();
        int b = out.indexOf(BEGIN);
        int e = out.indexOf(END);
        assertTrue(b >= 0 && e > b, "no posixop output between the markers; " + r.describe());
        List<String> lines = out.substring(b + BEGIN.length(), e).lines().filter(l -> !l.isBlank()).toList();
        assertEquals(script.size(), lines.size(), "one result line per script line from the guest");
        System.err.println("[posix] kernel client: " + script.size() + " calls in " + r.elapsed().toSeconds() + " s");
        return lines;
    }
}
