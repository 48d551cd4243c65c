package io.dittofs.e2e;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.dittofs.e2e.FreshServer.Run;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The control plane end to end, through {@code ./dfsctl} only, from an empty configuration (a
 * fresh HOME): the first admin's printed password, a user with a host uid, a store pair and a
 * share created at runtime, per-user permissions enforced by MOUNT and every NFS call (libnfs as
 * that uid), the share deleted and MOUNT refusing it, the NFS adapter stopped and started.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ControlPlaneIT {
    private static final int ALICE = 4242;
    private static final int EROFS = 30;
    private static FreshServer server;
    private static Path log;
    private static int nfsPort;
    private static int apiPort;

    @BeforeAll
    static void startServer() throws Exception {
        E2eEnvironment.requireAptPackage("libnfs13", "ControlPlaneIT mounts with libnfs");
        server = FreshServer.start("ControlPlaneIT");
        log = server.log();
        nfsPort = server.nfsPort();
        apiPort = server.apiPort();
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    private static Run dfsctl(String... args) throws Exception {
        return server.dfsctl(args);
    }

    private static Run ok(String... args) throws Exception {
        return server.dfsctlOk(args);
    }

    private static String initialAdminPassword() throws IOException {
        return server.initialAdminPassword();
    }

    @Test
    void shouldManageSharesAndPermissionsLiveThroughDfsctl() throws Exception {
        String server = "http://127.0.0.1:" + apiPort;
        assertEquals(3, dfsctl("share", "list").rc(), "not logged in yet");
        ok("login", "--server", server, "-u", "admin", "-p", initialAdminPassword());
        Run blocked = dfsctl("share", "list");
        assertEquals(1, blocked.rc());
        assertTrue(blocked.err().contains("password change required"), blocked.err());
        ok("user", "passwd", "--current", initialAdminPassword(), "--new", "admin-new-password");
        assertFalse(Files.readString(log).contains("admin-new-password"), "passwords never reach the log");

        ok("user", "create", "alice", "-p", "alice-password", "--uid", Integer.toString(ALICE), "--gid", Integer.toString(ALICE));
        ok("user", "create", "rootadm", "-p", "rootadm-password", "--uid", "0", "--gid", "0", "--role", "operator");
        ok("store", "metadata", "create", "cp-meta", "--type", "memory");
        ok("store", "block", "create", "cp-blocks", "--type", "memory");
        // root prepares the tree below (mkdir, chown): no root squash on this share
        Run share = ok("share", "create", "/cp", "--metadata", "cp-meta", "--block", "cp-blocks", "--no-root-squash",
                "-o", "json");
        assertTrue(share.out().contains("\"default_permission\" : \"none\""), share.out());
        ok("share", "permission", "grant", "/cp", "--user", "rootadm", "--permission", "read-write");
        ok("share", "permission", "grant", "/cp", "--user", "alice", "--permission", "read-write");
        assertTrue(ok("share", "permission", "list", "/cp").out().contains("alice"));

        // the new share is mounted seconds later; root prepares a directory alice owns
        try (LibNfs root = LibNfs.mount(nfsPort, "/cp", 0, 0)) {
            root.mkdir("/alice", 0755);
            root.chown("/alice", ALICE, ALICE);
        }
        byte[] data = "written through a share made by dfsctl\n".getBytes(StandardCharsets.UTF_8);
        try (LibNfs alice = LibNfs.mount(nfsPort, "/cp", ALICE, ALICE)) {
            try (NfsFile f = alice.creat("/alice/hello.txt", 0644)) {
                f.write(0, data);
            }
            try (NfsFile f = alice.open("/alice/hello.txt", LibNfs.O_RDONLY)) {
                assertArrayEquals(data, f.read(0, 1024));
            }

            // read-only permission: reads work, writes are refused
            ok("share", "permission", "grant", "/cp", "--user", "alice", "--permission", "read");
            try (NfsFile f = alice.open("/alice/hello.txt", LibNfs.O_RDONLY)) {
                assertArrayEquals(data, f.read(0, 1024));
            }
            NfsException ro = assertThrows(NfsException.class, () -> alice.creat("/alice/second.txt", 0644));
            assertEquals(EROFS, ro.errno(), ro.getMessage());

            // revoked: the share's default (none) applies and every call is refused
            ok("share", "permission", "revoke", "/cp", "--user", "alice");
            NfsException denied = assertThrows(NfsException.class, () -> alice.creat("/alice/third.txt", 0644));
            assertEquals(NfsException.EACCES, denied.errno(), denied.getMessage());
        }
        assertThrows(NfsException.class, () -> LibNfs.mount(nfsPort, "/cp", ALICE, ALICE).close(),
                "MOUNT refuses a caller without access");

        // deleted: MOUNT refuses it for everyone
        ok("share", "delete", "/cp");
        assertThrows(NfsException.class, () -> LibNfs.mount(nfsPort, "/cp", 0, 0).close());
        assertEquals(1, dfsctl("share", "get", "/cp").rc());
    }

    @Test
    void shouldStopAndStartTheNfsAdapter() throws Exception {
        ok("login", "--server", "http://127.0.0.1:" + apiPort, "-u", "admin", "-p", loginPassword());
        ok("adapter", "disable", "nfs");
        assertFalse(connects(nfsPort), "a disabled adapter closes its port");
        ok("adapter", "enable", "nfs");
        assertTrue(connects(nfsPort));
        try (LibNfs root = LibNfs.mount(nfsPort, "/export", 0, 0)) {
            assertTrue(root.exists("/"));
        }
    }

    /** The admin password: the changed one if the other test ran first, else change it now. */
    private static String loginPassword() throws Exception {
        Run r = dfsctl("login", "--server", "http://127.0.0.1:" + apiPort, "-u", "admin", "-p", "admin-new-password");
        if (r.rc() == 0) {
            return "admin-new-password";
        }
        ok("login", "--server", "http://127.0.0.1:" + apiPort, "-u", "admin", "-p", initialAdminPassword());
        ok("user", "passwd", "--current", initialAdminPassword(), "--new", "admin-new-password");
        return "admin-new-password";
    }

    private static boolean connects(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
