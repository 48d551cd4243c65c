package io.dittofs.e2e;

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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Files the kernel-client tests hand to the qemu guest ({@code e2e/kclient}, {@link KernelClient}):
 * the scripts and C sources under the test resources' {@code kclient/}, programs compiled static
 * from them on the host (no binaries in the repository), and host binaries copied with their
 * shared libraries. Stateless; thread-safe.
 */
final class GuestFiles {
    private static final Pattern LIB = Pattern.compile("=> (/\\S+)|^\\s*(/\\S+ld-linux\\S*)");

    private GuestFiles() {
    }

    /** The test resource {@code kclient/name} as a file. */
    static Path resource(String name) {
        URL url = GuestFiles.class.getResource("/kclient/" + name);
        if (url == null) {
            throw new IllegalStateException("test resource kclient/" + name + " is missing");
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Compiles each {@code kclient/<program>.c} with {@code gcc -static -O1} into {@code bin/<program>}
     * (the caller has checked for apt gcc and libc6-dev); fails the test with gcc's output.
     */
    static void compileStatic(Path bin, String... programs) throws IOException, InterruptedException {
        for (String prog : programs) {
            Process p = new ProcessBuilder("gcc", "-static", "-O1", "-o", bin.resolve(prog).toString(),
                    resource(prog + ".c").toString()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            assertEquals(0, p.waitFor(), "gcc " + prog + ".c: " + out);
        }
    }

    /**
     * Copies host binaries into {@code tree/sbin} and the libraries {@code ldd} names for them into
     * {@code tree/lib64} (the loader) and {@code tree/lib/x86_64-linux-gnu}.
     */
    static void copyWithLibraries(Path tree, List<String> binaries) throws IOException, InterruptedException {
        for (String d : List.of("sbin", "lib64", "lib/x86_64-linux-gnu")) {
            Files.createDirectories(tree.resolve(d));
        }
        Set<String> libs = new LinkedHashSet<>();
        for (String b : binaries) {
            Files.copy(Path.of(b), tree.resolve("sbin").resolve(Path.of(b).getFileName()),
                    StandardCopyOption.COPY_ATTRIBUTES);
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
            Files.copy(Path.of(lib).toRealPath(), tree.resolve(dir).resolve(Path.of(lib).getFileName()),
                    StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
