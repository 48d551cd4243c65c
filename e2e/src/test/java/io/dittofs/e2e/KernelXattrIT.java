package io.dittofs.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The Linux kernel NFSv4.2 client (Debian's kernel under qemu, {@code e2e/kclient}) with
 * {@code setfattr}/{@code getfattr} (Debian's {@code attr}, copied with its shared libraries into
 * the guest) against the packaged server: user xattrs set, read back (text, binary, 60,000 bytes),
 * listed, set on a directory and removed, through GETXATTR, SETXATTR, LISTXATTRS and REMOVEXATTR.
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class KernelXattrIT {
    private static final List<String> BINARIES = List.of("/usr/bin/setfattr", "/usr/bin/getfattr");
    private static final Pattern LIB = Pattern.compile("=> (/\\S+)|^\\s*(/\\S+ld-linux\\S*)");

    @RegisterExtension
    static final ServerExtension SERVER = new ServerExtension();

    private static Path staging;

    @BeforeAll
    static void prepare() throws IOException, InterruptedException {
        KernelClient.requirePrerequisites();
        E2eEnvironment.requireAptPackage("attr", "setfattr/getfattr in the kernel-client guest");
        staging = Files.createTempDirectory(E2eEnvironment.logDir(), "kclient-xattr-");
        guestTree(staging);
    }

    @AfterAll
    static void cleanUp() {
        ServerProcess.deleteTree(staging);
    }

    @Test
    void shouldSetGetListAndRemoveUserXattrsThroughKernelClient() {
        KernelClient.Result r = KernelClient.nfs4(SERVER.port(), "4.2").add(staging).run(resource("xattr-workout.sh"));
        assertTrue(r.ok() && r.output().contains("XATTR-OK"), r.describe());
        assertTrue(r.output().contains("vers=4.2"), r.describe());
        System.err.println("[e2e] kernel NFSv4.2 xattr workout: " + r.elapsed().toSeconds() + " s");
    }

    /** setfattr, getfattr and the libraries ldd names for them. */
    private static void guestTree(Path t) throws IOException, InterruptedException {
        for (String d : List.of("sbin", "lib64", "lib/x86_64-linux-gnu")) {
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
    }

    private static Path resource(String name) {
        URL url = KernelXattrIT.class.getResource("/kclient/" + name);
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
