package io.dittofs.e2e;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The SMB adapter end to end with Samba's {@code smbclient} (apt {@code smbclient}): a server
 * from an empty configuration, a user made with {@code dfsctl}, then put/get of a 100 MiB file with
 * its checksum, mkdir, rename, del, ls, allinfo and {@code -L} at SMB2_02 and SMB3_11, signed and
 * (after {@code dfsctl adapter set smb --set signing=enabled}) unsigned; per-user share
 * permissions; a wrong password; and the same bytes seen over NFS (libnfs) and SMB.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SmbClientIT {
    private static final int ALICE = 4243;
    private static final String PASSWORD = "alice-smb-password";
    private static final String[] DIALECTS = {"SMB2_02", "SMB3_11"};
    private static Path home;
    private static Path work;
    private static Path log;
    private static Process server;
    private static int nfsPort;
    private static int smbPort;
    private static int apiPort;

    record Run(int rc, String out) {
    }

    @BeforeAll
    static void startServer() throws Exception {
        E2eEnvironment.requireAptPackage("smbclient", "SmbClientIT drives the SMB adapter with smbclient");
        E2eEnvironment.requireAptPackage("libnfs13", "SmbClientIT compares SMB with NFS through libnfs");
        home = Files.createTempDirectory("dittofs-smb-home-");
        work = Files.createDirectories(home.resolve("work"));
        nfsPort = freePort();
        smbPort = freePort();
        apiPort = freePort();
        log = E2eEnvironment.logDir().resolve("SmbClientIT-" + smbPort + ".log");
        Path target = E2eEnvironment.home().resolve("controlplane").resolve("target");
        List<String> cmd = List.of(java(), "@" + target.resolve("jvm.options"), "-jar",
                target.resolve("dittofs.jar").toString(), "start", "--foreground", "--bind", "127.0.0.1",
                "--nfs-port", Integer.toString(nfsPort), "--smb-port", Integer.toString(smbPort),
                "--api-bind", "127.0.0.1", "--api-port", Integer.toString(apiPort), "--no-root-squash");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        env(pb.environment());
        server = pb.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.readString(log).contains(" READY ")) {
            assertTrue(server.isAlive(), "server exited: " + Files.readString(log));
            assertTrue(System.nanoTime() < deadline, "no READY within 60 s: " + Files.readString(log));
            Thread.sleep(100);
        }
        assertTrue(Files.readString(log).contains(" smb=" + smbPort), "the READY line lists the SMB port");
        String api = "http://127.0.0.1:" + apiPort;
        ok("login", "--server", api, "-u", "admin", "-p", initialAdminPassword());
        ok("user", "passwd", "--current", initialAdminPassword(), "--new", "admin-new-password");
        ok("user", "create", "alice", "-p", PASSWORD, "--uid", Integer.toString(ALICE), "--gid", Integer.toString(ALICE));
        ok("user", "create", "bob", "-p", "bob-smb-password", "--uid", "4244", "--gid", "4244");
        ok("store", "metadata", "create", "smb-meta", "--type", "memory");
        ok("store", "block", "create", "smb-blocks", "--type", "memory");
        ok("share", "create", "/locked", "--metadata", "smb-meta", "--block", "smb-blocks");
        ok("share", "permission", "grant", "/locked", "--user", "alice", "--permission", "read");
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (server != null) {
            server.destroy();
            if (!server.waitFor(30, TimeUnit.SECONDS)) {
                server.destroyForcibly();
            }
        }
        System.out.println("SmbClientIT server log: " + log);
        if (home != null) {
            try (var s = Files.walk(home)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static String java() {
        return ProcessHandle.current().info().command().orElseThrow();
    }

    private static void env(Map<String, String> e) {
        e.keySet().removeIf(k -> k.startsWith("DITTOFS_") || k.startsWith("XDG_") || k.startsWith("DFSCTL_"));
        e.put("HOME", home.toString());
        e.put("DFSCTL_JAVA", java());
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static Run run(List<String> cmd, long timeoutSeconds) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        env(pb.environment());
        Path out = Files.createTempFile(home, "out", ".txt");
        Process p = pb.redirectOutput(out.toFile()).start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", cmd) + " hung; server log " + log);
        }
        Run r = new Run(p.exitValue(), Files.readString(out));
        System.out.println("$ " + String.join(" ", cmd) + " -> " + r.rc() + "\n" + r.out());
        return r;
    }

    private static Run ok(String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(E2eEnvironment.home().resolve("dfsctl").toString());
        cmd.addAll(List.of(args));
        Run r = run(cmd, 60);
        assertEquals(0, r.rc(), "dfsctl " + String.join(" ", args) + ": " + r.out());
        return r;
    }

    private static String initialAdminPassword() throws IOException {
        Matcher m = Pattern.compile("created user 'admin' with password (\\S+)").matcher(Files.readString(log));
        assertTrue(m.find(), "the first admin's password is printed once");
        return m.group(1);
    }

    /** smbclient against a share of this server; {@code protection}: sign or off. */
    private static Run smb(String share, String user, String password, String dialect, String protection,
                           String commands) throws Exception {
        return run(List.of("smbclient", "//127.0.0.1/" + share, "-p", Integer.toString(smbPort), "-U",
                user + "%" + password, "-m", dialect, "--client-protection=" + protection, "-c", commands), 300);
    }

    private static Run smbOk(String dialect, String protection, String commands) throws Exception {
        Run r = smb("export", "alice", PASSWORD, dialect, protection, commands);
        assertEquals(0, r.rc(), "smbclient -c '" + commands + "':\n" + r.out());
        assertFalse(r.out().contains("NT_STATUS_"), r.out());
        return r;
    }

    private static String sha256(Path p) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (InputStream in = Files.newInputStream(p)) {
            byte[] buf = new byte[1 << 20];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static Path bigFile() throws IOException {
        Path big = work.resolve("big.bin");
        if (!Files.exists(big)) {
            byte[] chunk = new byte[1 << 20];
            Random rnd = new Random(42);
            try (var out = Files.newOutputStream(big)) {
                for (int i = 0; i < 100; i++) {
                    rnd.nextBytes(chunk);
                    out.write(chunk);
                }
            }
        }
        return big;
    }

    private void putGet(String protection) throws Exception {
        Path big = bigFile();
        String sum = sha256(big);
        for (String d : DIALECTS) {
            String remote = "big-" + d + "-" + protection + ".bin";
            Path back = work.resolve("back-" + remote);
            long t0 = System.nanoTime();
            smbOk(d, protection, "lcd " + work + "; put big.bin " + remote);
            long t1 = System.nanoTime();
            smbOk(d, protection, "lcd " + work + "; get " + remote + " " + back.getFileName());
            long t2 = System.nanoTime();
            System.out.printf("SMB %s %s: put 100 MiB %.1f MB/s, get %.1f MB/s%n", d, protection,
                    104.8576 / ((t1 - t0) / 1e9), 104.8576 / ((t2 - t1) / 1e9));
            assertEquals(100L << 20, Files.size(back));
            assertEquals(sum, sha256(back), "checksum of " + remote + " read back");
            Files.delete(back);
        }
    }

    @Test
    @Order(1)
    void shouldPutAndGet100MiBSignedAtSmb2AndSmb311() throws Exception {
        putGet("sign");
    }

    @Test
    @Order(2)
    void shouldManageFilesAndDirectoriesSigned() throws Exception {
        namespaceWorkout("sign");
    }

    private void namespaceWorkout(String protection) throws Exception {
        Files.writeString(work.resolve("small.txt"), "hello over smb\n");
        for (String d : DIALECTS) {
            String dir = "dir-" + d + "-" + protection;
            smbOk(d, protection, "lcd " + work + "; mkdir " + dir + "; cd " + dir + "; put small.txt a.txt; "
                    + "rename a.txt b.txt; put small.txt c.txt");
            Run ls = smbOk(d, protection, "cd " + dir + "; ls");
            assertTrue(ls.out().contains("b.txt") && ls.out().contains("c.txt") && !ls.out().contains("a.txt"), ls.out());
            Run info = smb("export", "alice", PASSWORD, d, protection, "allinfo " + dir + "\\b.txt");
            assertEquals(0, info.rc(), info.out());
            assertTrue(info.out().contains("write_time:") && info.out().contains("attributes:"), info.out());
            assertTrue(info.out().contains("stream: [::$DATA], 15 bytes"), info.out());
            smbOk(d, protection, "cd " + dir + "; del b.txt; del c.txt; cd ..; rmdir " + dir);
            Run gone = smbOk(d, protection, "ls");
            assertFalse(gone.out().contains(dir), gone.out());
        }
    }

    @Test
    @Order(3)
    void shouldListSharesWithDashL() throws Exception {
        for (String d : DIALECTS) {
            Run r = run(List.of("smbclient", "-L", "127.0.0.1", "-p", Integer.toString(smbPort), "-U",
                    "alice%" + PASSWORD, "-m", d), 60);
            assertEquals(0, r.rc(), r.out());
            assertTrue(r.out().contains("export") && r.out().contains("locked") && r.out().contains("IPC$"), r.out());
        }
    }

    @Test
    @Order(4)
    void shouldApplyPerUserSharePermissions() throws Exception {
        Run bob = smb("locked", "bob", "bob-smb-password", "SMB3_11", "sign", "ls");
        assertTrue(bob.out().contains("NT_STATUS_ACCESS_DENIED"), "no permission: " + bob.out());
        Run alice = smb("locked", "alice", PASSWORD, "SMB3_11", "sign", "ls");
        assertEquals(0, alice.rc(), "read permission lists: " + alice.out());
        Files.writeString(work.resolve("ro.txt"), "x");
        Run write = smb("locked", "alice", PASSWORD, "SMB3_11", "sign", "lcd " + work + "; put ro.txt ro.txt");
        assertTrue(write.out().contains("NT_STATUS_ACCESS_DENIED"), "read-only permission: " + write.out());
    }

    @Test
    @Order(5)
    void shouldRefuseAWrongPassword() throws Exception {
        Run r = smb("export", "alice", "not-the-password", "SMB3_11", "sign", "ls");
        assertNotEquals(0, r.rc());
        assertTrue(r.out().contains("NT_STATUS_LOGON_FAILURE"), r.out());
    }

    private static long sessions(String kind) throws IOException {
        return Files.readAllLines(log).stream().filter(l -> l.contains("SMB session") && l.contains(", " + kind + ")"))
                .count();
    }

    @Test
    @Order(6)
    void shouldSignEverySessionWhileSigningIsRequired() throws Exception {
        long unsigned = sessions("unsigned");
        long signed = sessions("signed");
        smbOk("SMB3_11", "off", "ls");
        assertEquals(unsigned, sessions("unsigned"), "no unsigned session while signing is required");
        assertEquals(signed + 1, sessions("signed"));
    }

    @Test
    @Order(7)
    void shouldPutAndGetUnsignedOnceSigningIsOptional() throws Exception {
        ok("adapter", "set", "smb", "--set", "signing=enabled");
        try {
            long unsigned = sessions("unsigned");
            putGet("off");
            assertTrue(sessions("unsigned") >= unsigned + 4, "the sessions of an unsigned client are unsigned now");
            namespaceWorkout("off");
        } finally {
            ok("adapter", "set", "smb", "--set", "signing=required");
        }
    }

    @Test
    @Order(8)
    void shouldSeeTheSameBytesOverNfsAndSmb() throws Exception {
        byte[] data = new byte[3 << 20];
        new Random(7).nextBytes(data);
        try (LibNfs nfs = LibNfs.mount(nfsPort, "/export", ALICE, ALICE)) {
            try (NfsFile f = nfs.creat("/from-nfs.bin", 0644)) {
                for (int off = 0; off < data.length; off += 1 << 20) {
                    f.write(off, java.util.Arrays.copyOfRange(data, off, off + (1 << 20)));
                }
            }
        }
        smbOk("SMB3_11", "sign", "lcd " + work + "; get from-nfs.bin from-nfs.bin");
        assertArrayEquals(data, Files.readAllBytes(work.resolve("from-nfs.bin")), "NFS write, SMB read");

        Files.write(work.resolve("from-smb.bin"), data);
        smbOk("SMB2_02", "sign", "lcd " + work + "; put from-smb.bin from-smb.bin");
        try (LibNfs nfs = LibNfs.mount(nfsPort, "/export", ALICE, ALICE);
             NfsFile f = nfs.open("/from-smb.bin", LibNfs.O_RDONLY)) {
            byte[] back = new byte[data.length];
            for (int off = 0; off < data.length; off += 1 << 20) {
                System.arraycopy(f.read(off, 1 << 20), 0, back, off, 1 << 20);
            }
            assertArrayEquals(data, back, "SMB write, NFS read");
        }
        smbOk("SMB3_11", "sign", "rename from-smb.bin renamed.bin");
        try (LibNfs nfs = LibNfs.mount(nfsPort, "/export", ALICE, ALICE)) {
            assertTrue(nfs.exists("/renamed.bin") && !nfs.exists("/from-smb.bin"), "an SMB rename is seen over NFS");
        }
    }
}
