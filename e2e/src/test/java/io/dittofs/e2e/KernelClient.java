package io.dittofs.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real Linux kernel NFS client: boots Debian's kernel under qemu with the rig in
 * {@code e2e/kclient} ({@code run-guest.sh PORT PORT VERSION SCRIPT}), mounts the server and runs a
 * shell script in the guest against the mount. Not thread-safe (a builder for one run at a time).
 */
final class KernelClient {

    /** Exit code of run-guest.sh when the guest timed out. */
    static final int RC_TIMEOUT = 124;
    /** Exit code of run-guest.sh when boot or mount failed. */
    static final int RC_INFRA = 125;

    private static final List<String> PACKAGES = List.of(
            "qemu-system-x86", "linux-image-amd64", "busybox-static", "cpio", "kmod", "socat", "xz-utils");

    private final int port;
    private final String version;
    private final Map<String, String> env = new LinkedHashMap<>();
    private final Map<String, String> rigEnv = new LinkedHashMap<>();
    private final List<Path> adds = new ArrayList<>();
    private Duration timeout = Duration.ofMinutes(5);

    private KernelClient(int port, String version) {
        this.port = port;
        this.version = version;
    }

    /** An NFSv3 client of a server whose NFS and MOUNT programs share {@code port}. */
    static KernelClient nfs3(int port) {
        return new KernelClient(port, "3");
    }

    /** An NFSv4 client ({@code version} "4.1" or "4.2") of a server on {@code port}. */
    static KernelClient nfs4(int port, String version) {
        return new KernelClient(port, version);
    }

    /**
     * A Linux CIFS client of the SMB server on {@code port}: share {@code share} as {@code user}
     * with {@code password}, dialect {@code vers} (e.g. "3.1.1", "2.1"), plus mount {@code options}.
     */
    static KernelClient cifs(int port, String share, String user, String password, String vers, String options) {
        KernelClient k = new KernelClient(port, "cifs");
        k.rigEnv("KC_SHARE", share).rigEnv("KC_USER", user).rigEnv("KC_PASS", password).rigEnv("KC_SMBVERS", vers);
        if (!options.isEmpty()) {
            k.rigEnv("KC_OPTS", options);
        }
        return k;
    }

    /** Copies the tree {@code dir} into the guest's {@code /} (KC_ADD). */
    KernelClient add(Path dir) {
        adds.add(dir);
        return this;
    }

    /** Sets an environment variable for the guest script (KC_ENV; no spaces in the value). */
    KernelClient scriptEnv(String name, String value) {
        if (value.contains(" ")) {
            throw new IllegalArgumentException("KC_ENV values cannot contain spaces: " + name + "=" + value);
        }
        env.put(name, value);
        return this;
    }

    /** Sets an environment variable of run-guest.sh itself (e.g. KC_PORTMAP, KC_OPTS). */
    KernelClient rigEnv(String name, String value) {
        rigEnv.put(name, value);
        return this;
    }

    KernelClient timeout(Duration timeout) {
        this.timeout = timeout;
        return this;
    }

    /**
     * Fails with the missing apt package or the setup step when the rig cannot run here.
     */
    static void requirePrerequisites() {
        for (String pkg : PACKAGES) {
            E2eEnvironment.requireAptPackage(pkg, "the kernel NFS client rig (e2e/kclient)");
        }
        Path scripts = E2eEnvironment.kclientScripts();
        if (!Files.isExecutable(scripts.resolve("run-guest.sh"))) {
            throw new AssertionError("kernel-client rig missing: " + scripts.resolve("run-guest.sh"));
        }
        Path build = E2eEnvironment.kclientBuildDir();
        for (String f : List.of("base.cpio", "vmlinux")) {
            if (!Files.isReadable(build.resolve(f))) {
                throw new AssertionError(build.resolve(f) + " is missing: run e2e/kclient/setup.sh (builds the guest kernel and initramfs)");
            }
        }
    }

    /** Runs {@code script} (a host file) in the guest and waits for the result. */
    Result run(Path script) {
        requirePrerequisites();
        Path runGuest = E2eEnvironment.kclientScripts().resolve("run-guest.sh");
        List<String> cmd = List.of("bash", runGuest.toString(), Integer.toString(port), Integer.toString(port),
                version, script.toString());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        Map<String, String> penv = pb.environment();
        penv.put("KC_TIMEOUT", Long.toString(timeout.toSeconds()));
        penv.putAll(rigEnv);
        if (!adds.isEmpty()) {
            penv.put("KC_ADD", String.join(":", adds.stream().map(Path::toString).toList()));
        }
        if (!env.isEmpty()) {
            penv.put("KC_ENV", String.join(" ", env.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList()));
        }
        long t0 = System.nanoTime();
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + cmd, e);
        }
        StringBuilder out = new StringBuilder();
        Thread pump = Thread.ofVirtual().start(() -> pump(p.getInputStream(), out));
        try {
            // run-guest.sh enforces KC_TIMEOUT itself; this is the backstop
            if (!p.waitFor(timeout.toSeconds() + 60, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                pump.join(5_000);
                return new Result(RC_TIMEOUT, out + "\n(e2e: killed run-guest.sh after " + timeout + ")", elapsed(t0));
            }
            pump.join(10_000);
        } catch (InterruptedException e) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the guest ran", e);
        }
        synchronized (out) {
            return new Result(p.exitValue(), out.toString(), elapsed(t0));
        }
    }

    private static Duration elapsed(long t0) {
        return Duration.ofNanos(System.nanoTime() - t0);
    }

    private static void pump(InputStream in, StringBuilder out) {
        try (in) {
            byte[] buf = new byte[8192];
            int r;
            while ((r = in.read(buf)) >= 0) {
                String s = new String(buf, 0, r, StandardCharsets.UTF_8);
                synchronized (out) {
                    out.append(s);
                }
                System.out.print(s);
            }
        } catch (IOException e) {
            synchronized (out) {
                out.append("\n(e2e: output read failed: ").append(e).append(")\n");
            }
        }
    }

    /** Exit code of the guest script (124 timeout, 125 boot/mount failure) and the combined output. */
    record Result(int exitCode, String output, Duration elapsed) {

        boolean ok() {
            return exitCode == 0;
        }

        /** A message for assertions: exit code and the output. */
        String describe() {
            return "kernel client exit code " + exitCode + (exitCode == RC_INFRA ? " (boot or mount failure)"
                    : exitCode == RC_TIMEOUT ? " (timeout)" : "") + " after " + elapsed.toSeconds() + " s; output:\n" + output;
        }
    }
}
