package io.dittofs.controlplane.cli;

import io.dittofs.controlplane.config.Config;
import io.dittofs.controlplane.config.ConfigKey;
import io.dittofs.controlplane.model.ShareDef;
import io.dittofs.controlplane.runtime.ServerRuntime;
import io.dittofs.controlplane.store.ControlPlaneStore;
import io.dittofs.controlplane.store.Databases;
import io.dittofs.protocols.rpc.RpcServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.BindException;
import java.net.ServerSocket;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The defaults of a server started like {@code dfs start} (the first-start bootstrap, the runtime,
 * the default share on LMDB + content files) driven over the wire: root squash, the secure port
 * check, client lists, and the modes of the files the server creates.
 */
@Timeout(60)
class SafeDefaultsTest {
    private static final int NOBODY = 65534;

    @TempDir
    Path dir;

    private ControlPlaneStore db;
    private ServerRuntime runtime;
    private int port;

    /** Starts the server as {@code dfs start ARGS} would on first start. */
    private void start(String... args) throws IOException {
        ServerStart options = new ServerStart();
        new CommandLine(options).parseArgs(args);
        port = freePort();
        Map<String, String> env = Map.of("DITTOFS_ADMIN_INITIAL_PASSWORD", "initial-password-1");
        Config c = Config.load(dir.resolve("absent.yaml"), env, Map.of(ConfigKey.ADAPTERS_NFS_PORT, Integer.toString(port)));
        db = Databases.open(c, dir.resolve("state"), env);
        Bootstrap.seed(db, c, dir.resolve("data"), options.share, options.rootSquash, env,
                new PrintStream(OutputStream.nullOutputStream()));
        runtime = new ServerRuntime(db, "127.0.0.1", -1, RpcServer.Options.defaults().withDrainTimeoutMillis(100));
        runtime.start();
    }

    @AfterEach
    void stop() {
        if (runtime != null) {
            runtime.close();
        }
        if (db != null) {
            db.close();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private void setExport(boolean secure, List<String> clients) {
        ShareDef d = db.share("/export").orElseThrow();
        ShareDef n = new ShareDef(d.id(), d.name(), d.metadataStore(), d.blockStore(), d.readOnly(), d.defaultPermission(),
                d.enabled(), d.rootSquash(), d.anonUid(), d.anonGid(), secure, clients);
        db.updateShare(n);
        runtime.applyShare(n);
    }

    @Test
    void shouldSquashRootOnTheDefaultShareSoNoSetuidRootFileCanBeMade() throws Exception {
        start();
        try (NfsWire root = new NfsWire(port, 0, 0)) {
            byte[] top = root.mnt("/export");
            byte[] f = root.create(top, "suid", 0755);
            assertEquals(new NfsWire.Attr(0755, NOBODY, NOBODY), root.getattr(f), "root's file belongs to nobody");
            root.chmod(f, 04755);
            NfsWire.Attr a = root.getattr(f);
            assertFalse(a.uid() == 0 && (a.mode() & 04000) != 0, "a setuid-root file was made: " + a);
            assertEquals(NOBODY, a.uid());
        }
        assertEquals(List.of(), ServerStart.openRootShares(db.shares()), "nothing to warn about");
    }

    @Test
    void shouldLeaveRootAloneWhenStartedWithNoRootSquash() throws Exception {
        start("--no-root-squash");
        try (NfsWire root = new NfsWire(port, 0, 0)) {
            byte[] f = root.create(root.mnt("/export"), "mine", 0644);
            assertEquals(0, root.getattr(f).uid());
        }
        assertEquals(List.of("/export"), ServerStart.openRootShares(db.shares()), "dfs start warns about it");
    }

    @Test
    void shouldRefuseUnprivilegedSourcePortsOnASecureShare() throws Exception {
        start();
        try (NfsWire before = new NfsWire(port, 1000, 1000)) {
            byte[] top = before.mnt("/export");
            setExport(true, List.of());
            assertTrue(before.localPort() >= 1024);
            assertEquals(NfsWire.NFS3ERR_PERM, before.getattrStatus(top), "knfsd answers nfserr_perm");
            try (NfsWire c = new NfsWire(port, 1000, 1000)) {
                assertEquals(NfsWire.MNT3ERR_ACCES, c.mntStatus("/export"), "mountd answers MNT3ERR_ACCES");
            }
            setExport(false, List.of());
            assertEquals(0, before.getattrStatus(top), "secure off: any port");
        }
    }

    @Test
    void shouldAcceptAPrivilegedSourcePortOnASecureShare() throws Exception {
        start();
        setExport(true, List.of());
        NfsWire c = null;
        for (int p = 1023; p > 600 && c == null; p--) {
            try {
                c = new NfsWire(port, 1000, 1000, p);
            } catch (BindException e) {
                // in use, or not allowed: try the next one
            } catch (SocketException e) {
                assumeTrue(false, "binding a port below 1024 needs root: " + e.getMessage());
            }
        }
        assumeTrue(c != null, "binding a port below 1024 needs root (CI runs as root)");
        try (NfsWire priv = c) {
            byte[] top = priv.mnt("/export");
            assertEquals(0, priv.getattrStatus(top));
        }
    }

    @Test
    void shouldRefuseClientsOutsideTheShareListAndServeThoseInIt() throws Exception {
        start();
        try (NfsWire c = new NfsWire(port, 1000, 1000)) {
            byte[] top = c.mnt("/export");
            setExport(false, List.of("10.0.0.0/8", "fd00:0:0:0:0:0:0:0/8"));
            assertEquals(NfsWire.MNT3ERR_ACCES, c.mntStatus("/export"));
            assertEquals(NfsWire.NFS3ERR_ACCES, c.getattrStatus(top));
            setExport(false, List.of("10.0.0.0/8", "127.0.0.0/8"));
            assertEquals(0, c.mntStatus("/export"));
            assertEquals(0, c.getattrStatus(top));
            setExport(false, List.of("127.0.0.1"));
            assertEquals(0, c.getattrStatus(top));
        }
    }

    @Test
    void shouldCreateEveryDataAndDatabaseFileOwnerOnly() throws Exception {
        start();
        try (NfsWire root = new NfsWire(port, 0, 0)) {
            byte[] f = root.create(root.mnt("/export"), "data.bin", 0644);
            root.write(f, new byte[100_000]);
        }
        runtime.close();
        runtime = null;
        List<String> wrong = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (Path top : List.of(dir.resolve("state"), dir.resolve("data"))) {
            try (Stream<Path> s = Files.walk(top)) {
                for (Path p : s.toList()) {
                    Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p);
                    String want = Files.isDirectory(p) ? "rwx------" : "rw-------";
                    if (!PosixFilePermissions.toString(perms).equals(want)) {
                        wrong.add(dir.relativize(p) + " " + PosixFilePermissions.toString(perms));
                    }
                    if (Files.isRegularFile(p)) {
                        seen.add(dir.relativize(p).getName(1).toString());
                    }
                }
            }
        }
        assertEquals(List.of(), wrong, "directories 0700, files 0600");
        assertTrue(seen.containsAll(Set.of("db.sqlite", "metadata", "blocks")),
                "the database, LMDB and content files were all there: " + seen);
    }
}
