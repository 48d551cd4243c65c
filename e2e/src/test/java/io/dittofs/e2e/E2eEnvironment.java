package io.dittofs.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Where the e2e tests find the repository, the packaged server and the kernel-client rig, and
 * the prerequisite checks that fail a test with a message naming the missing apt package.
 * Stateless; thread-safe.
 */
final class E2eEnvironment {

    private E2eEnvironment() {
    }

    /** The repository root: system property {@code dittofs.home} (set by failsafe), else {@code ..}. */
    static Path home() {
        String home = System.getProperty("dittofs.home");
        Path p = home != null ? Path.of(home) : Path.of("..");
        return p.toAbsolutePath().normalize();
    }

    /** The kernel-client rig scripts: the copy in {@code e2e/kclient} of this repository. */
    static Path kclientScripts() {
        return home().resolve("e2e").resolve("kclient");
    }

    /** Where the rig keeps its built kernel and initramfs (the rig's own default). */
    static Path kclientBuildDir() {
        String dir = System.getenv("KCLIENT_DIR");
        return Path.of(dir != null ? dir : "/var/tmp/kclient");
    }

    /** Directory for server logs and other artifacts of this run: {@code e2e/target/e2e-logs}. */
    static Path logDir() {
        Path dir = home().resolve("e2e").resolve("target").resolve("e2e-logs");
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new IllegalStateException("cannot create " + dir, e);
        }
        return dir;
    }

    /**
     * Fails unless the Debian package is installed.
     *
     * @param pkg  the apt package name, e.g. {@code libnfs13}
     * @param why  what the test needs it for
     */
    static void requireAptPackage(String pkg, String why) {
        String status;
        try {
            Process p = new ProcessBuilder("dpkg-query", "-W", "-f=${Status}", pkg)
                    .redirectErrorStream(true).start();
            status = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("dpkg-query " + pkg + " did not finish");
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run dpkg-query to check for apt package " + pkg, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while checking apt package " + pkg, e);
        }
        if (!status.contains("install ok installed")) {
            throw new AssertionError("missing apt package '" + pkg + "' (needed for " + why
                    + "): apt-get install " + pkg);
        }
    }
}
