package io.dittofs.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Linux kernel NFSv3 client with locking (no {@code nolock}) against the server process:
 * the guest runs Debian's {@code rpcbind} and {@code rpc.statd} (copied from the host with their
 * shared libraries into the guest by KC_ADD), finds the server's NLM through the embedded
 * portmapper, and two processes {@code flock} one file: the second is refused while the first
 * holds it, a blocking wait is granted once it is released, shared locks coexist.
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class KernelLockingIT {
    private static final List<String> BINARIES = List.of("/usr/sbin/rpcbind", "/usr/sbin/rpc.statd", "/usr/bin/flock");
    private static final Pattern LIB = Pattern.compile("=> (/\\S+)|^\\s*(/\\S+ld-linux\\S*)");

    @Test
    void shouldLockThroughNlmFromTwoProcessesOfAKernelClient() throws Exception {
        KernelClient.requirePrerequisites();
        E2eEnvironment.requireAptPackage("rpcbind", "rpcbind in the kernel-client guest (NLM needs it)");
        E2eEnvironment.requireAptPackage("nfs-common", "rpc.statd in the kernel-client guest (NLM needs it)");
        E2eEnvironment.requireAptPackage("util-linux", "flock(1) in the kernel-client guest");
        Path tree = Files.createTempDirectory("kclient-nlm-");
        int portmap = freePort();
        try (ServerProcess server = ServerProcess.start("KernelLockingIT", Map.of(
                "DITTOFS_ADAPTERS_NFS_PORTMAP_PORT", Integer.toString(portmap),
                "DITTOFS_ADAPTERS_NFS_GRACE_PERIOD", "0s"))) {
            guestTree(tree);
            KernelClient.Result r = KernelClient.nfs3(server.port()).add(tree)
                    .rigEnv("KC_PORTMAP", Integer.toString(portmap)).timeout(Duration.ofMinutes(5))
                    .run(E2eEnvironment.kclientScripts().resolve("tests").resolve("nlm-locks.sh"));
            if (!r.ok() || !r.output().contains("LOCKS-OK")) {
                server.dumpLog("KernelLockingIT failed", 150);
            }
            assertTrue(r.ok() && r.output().contains("LOCKS-OK"), r.describe());
            System.err.println("[e2e] kernel NLM locking: " + r.elapsed().toSeconds() + " s");
        } finally {
            deleteTree(tree);
        }
    }

    /** rpcbind, rpc.statd, flock and their libraries, the files they read, and the pre-mount hook. */
    static void guestTree(Path t) throws IOException, InterruptedException {
        for (String d : List.of("sbin", "lib64", "lib/x86_64-linux-gnu", "etc", "run/rpcbind", "var/lib/nfs/sm",
                "var/lib/nfs/sm.bak", "test")) {
            Files.createDirectories(t.resolve(d));
        }
        Set<String> libs = new LinkedHashSet<>();
        for (String b : BINARIES) {
            Files.copy(Path.of(b), t.resolve("sbin").resolve(Path.of(b).getFileName()), StandardCopyOption.COPY_ATTRIBUTES);
            Process p = new ProcessBuilder("ldd", b).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor();
            for (String line : out.split("\n")) {
                Matcher m = LIB.matcher(line);
                if (m.find()) {
                    libs.add(m.group(1) != null ? m.group(1) : m.group(2));
                }
            }
        }
        for (String lib : libs) {
            String dir = lib.contains("ld-linux") ? "lib64" : "lib/x86_64-linux-gnu";
            Files.copy(Path.of(lib).toRealPath(), t.resolve(dir).resolve(Path.of(lib).getFileName()),
                    StandardCopyOption.REPLACE_EXISTING);
        }
        for (String f : List.of("netconfig", "services", "protocols")) {
            Files.copy(Path.of("/etc", f), t.resolve("etc").resolve(f));
        }
        Files.writeString(t.resolve("etc/passwd"), String.join("\n", "root:x:0:0:root:/root:/bin/sh",
                "_rpc:x:100:65534::/run/rpcbind:/bin/false", "statd:x:101:65534::/var/lib/nfs:/bin/false",
                "nobody:x:65534:65534:nobody:/nonexistent:/bin/false", ""));
        Files.writeString(t.resolve("etc/hosts"), "127.0.0.1 localhost\n");
        Files.writeString(t.resolve("test/pre-mount.sh"), String.join("\n",
                "rpcbind -w || echo 'rpcbind failed'",
                "rpc.statd --no-notify || echo 'rpc.statd failed'",
                "i=0; while [ $i -lt 40 ] && ! grep -q rpc.statd /proc/*/comm 2>/dev/null; do usleep 50000; i=$((i+1)); done",
                ""));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void deleteTree(Path t) throws IOException {
        try (var walk = Files.walk(t)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
