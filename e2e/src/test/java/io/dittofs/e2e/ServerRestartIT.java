package io.dittofs.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A libnfs client keeps working across a server restart (SIGTERM, then a new process on the same
 * port and data directory): libnfs reconnects its TCP connection by itself and retries, and the
 * file handles it holds from before the restart must still be valid.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ServerRestartIT {

    private static final String EXPORT = "/export";

    @RegisterExtension
    static final ServerExtension SERVER = new ServerExtension();

    @BeforeAll
    static void requireLibnfs() {
        E2eEnvironment.requireAptPackage("libnfs13", "the libnfs NFSv3 client");
    }

    @Test
    void shouldContinueWithTheSameClientAfterAGracefulRestart() {
        try (LibNfs nfs = LibNfs.mount(SERVER.port(), EXPORT, 0, 0).autoreconnect(-1)) {
            nfs.mkdir("/before");
            try (NfsFile f = nfs.creat("/before/data", 0644)) {
                f.write(0, "written before the restart".getBytes(StandardCharsets.UTF_8));
                f.fsync();
            }
            try (NfsFile open = nfs.open("/before/data", LibNfs.O_RDWR)) {
                long oldPid = SERVER.server().pid();
                SERVER.server().restart(true);
                assertNotEquals(oldPid, SERVER.server().pid(), "a new server process");

                // the handle opened before the restart, used through the reconnected context
                assertEquals("written before the restart",
                        new String(open.read(0, 4096), StandardCharsets.UTF_8));
                open.write(0, "WRITTEN".getBytes(StandardCharsets.UTF_8));
                open.fsync();
            }
            assertTrue(nfs.listNames("/").contains("before"), "listing after the restart");
            nfs.mkdir("/after");
            try (NfsFile f = nfs.creat("/after/data", 0644)) {
                f.write(0, "written after the restart".getBytes(StandardCharsets.UTF_8));
            }
            assertEquals("WRITTEN before the restart", read(nfs, "/before/data"));
        }
        try (LibNfs fresh = LibNfs.mount(SERVER.port(), EXPORT, 0, 0)) {
            assertEquals("written after the restart", read(fresh, "/after/data"));
        }
    }

    @Test
    void shouldKeepCommittedDataAcrossAKill() {
        try (LibNfs nfs = LibNfs.mount(SERVER.port(), EXPORT, 0, 0)) {
            nfs.mkdir("/crash");
            try (NfsFile f = nfs.creat("/crash/data", 0644)) {
                f.write(0, "committed".getBytes(StandardCharsets.UTF_8));
                f.fsync();
            }
        }
        SERVER.server().restart(false);
        try (LibNfs nfs = LibNfs.mount(SERVER.port(), EXPORT, 0, 0)) {
            assertEquals("committed", read(nfs, "/crash/data"), "data after fsync survives SIGKILL");
        }
    }

    private static String read(LibNfs nfs, String path) {
        try (NfsFile f = nfs.open(path, LibNfs.O_RDONLY)) {
            return new String(f.read(0, 4096), StandardCharsets.UTF_8);
        }
    }
}
