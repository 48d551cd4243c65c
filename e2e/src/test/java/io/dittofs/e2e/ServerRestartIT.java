package io.dittofs.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A libnfs client across server restarts (a new process on the same port and data directory):
 * libnfs reconnects its TCP connection by itself and retries, so a mounted context keeps
 * working; files and the file handles the client holds from before the restart stay valid.
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
    void shouldReconnectTheSameContextAfterAGracefulRestart() {
        try (LibNfs nfs = LibNfs.mount(SERVER.port(), EXPORT, 0, 0).autoreconnect(-1)) {
            nfs.mkdir("/reconnect-before");
            restart(true);
            // the same context, without remounting: its connection is gone and libnfs reconnects
            nfs.mkdir("/reconnect-after");
            try (NfsFile f = nfs.creat("/reconnect-after/data", 0644)) {
                f.write(0, "written after the restart".getBytes(StandardCharsets.UTF_8));
            }
            assertEquals("written after the restart", read(nfs, "/reconnect-after/data"));
        }
    }

    @Test
    void shouldKeepFilesAndOpenHandlesAcrossAGracefulRestart() {
        assumePersistentStores();
        try (LibNfs nfs = LibNfs.mount(SERVER.port(), EXPORT, 0, 0).autoreconnect(-1)) {
            nfs.mkdir("/before");
            try (NfsFile f = nfs.creat("/before/data", 0644)) {
                f.write(0, "written before the restart".getBytes(StandardCharsets.UTF_8));
                f.fsync();
            }
            try (NfsFile open = nfs.open("/before/data", LibNfs.O_RDWR)) {
                restart(true);
                // the handle opened before the restart, used through the reconnected context
                assertEquals("written before the restart", new String(open.read(0, 4096), StandardCharsets.UTF_8),
                        "reading through a file handle from before the restart");
                open.write(0, "WRITTEN".getBytes(StandardCharsets.UTF_8));
                open.fsync();
            }
            assertEquals("WRITTEN before the restart", read(nfs, "/before/data"));
        }
        try (LibNfs fresh = LibNfs.mount(SERVER.port(), EXPORT, 0, 0)) {
            assertEquals("WRITTEN before the restart", read(fresh, "/before/data"), "seen by a new mount");
        }
    }

    @Test
    void shouldKeepCommittedDataAcrossAKill() {
        assumePersistentStores();
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

    /**
     * Persistence across restarts is only expected when the server keeps the share on persistent
     * stores; with memory stores it says so at start ("on memory stores (contents are lost when the
     * server stops)") and answers NFS3ERR_STALE for the handles of the previous process.
     */
    private static void assumePersistentStores() {
        String log = SERVER.server().logTail(10_000);
        assumeFalse(log.contains("on memory stores"),
                "the server keeps /export on memory stores (see its log), so nothing survives a restart");
    }

    private static void restart(boolean graceful) {
        long oldPid = SERVER.server().pid();
        SERVER.server().restart(graceful);
        assertNotEquals(oldPid, SERVER.server().pid(), "a new server process");
    }

    private static String read(LibNfs nfs, String path) {
        try (NfsFile f = nfs.open(path, LibNfs.O_RDONLY)) {
            return new String(f.read(0, 4096), StandardCharsets.UTF_8);
        }
    }
}
