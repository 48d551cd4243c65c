package io.dittofs.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
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

    @RegisterExtension
    static final ServerExtension SERVER = new ServerExtension();

    private static Path staging;

    @BeforeAll
    static void prepare() throws IOException, InterruptedException {
        KernelClient.requirePrerequisites();
        E2eEnvironment.requireAptPackage("attr", "setfattr/getfattr in the kernel-client guest");
        staging = Files.createTempDirectory(E2eEnvironment.logDir(), "kclient-xattr-");
        GuestFiles.copyWithLibraries(staging, BINARIES);
    }

    @AfterAll
    static void cleanUp() {
        ServerProcess.deleteTree(staging);
    }

    @Test
    void shouldSetGetListAndRemoveUserXattrsThroughKernelClient() {
        KernelClient.Result r = KernelClient.nfs4(SERVER.port(), "4.2").add(staging)
                .run(GuestFiles.resource("xattr-workout.sh"));
        assertTrue(r.ok() && r.output().contains("XATTR-OK"), r.describe());
        assertTrue(r.output().contains("vers=4.2"), r.describe());
        System.err.println("[e2e] kernel NFSv4.2 xattr workout: " + r.elapsed().toSeconds() + " s");
    }
}
