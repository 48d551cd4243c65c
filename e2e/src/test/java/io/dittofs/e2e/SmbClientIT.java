package io.dittofs.e2e;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

import io.dittofs.e2e.FreshServer.Run;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

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
    private static FreshServer server;
    private static Path work;
    private static Path log;
    private static int nfsPort;
    private static int smbPort;

    @BeforeAll
    static void startServer() throws Exception {
        E2eEnvironment.requireAptPackage("smbclient", "SmbClientIT drives the SMB adapter with smbclient");
        E2eEnvironment.requireAptPackage("libnfs13", "SmbClientIT compares SMB with NFS through libnfs");
        server = FreshServer.start("SmbClientIT", "--no-root-squash");
        work = Files.createDirectories(server.home().resolve("work"));
        log = server.log();
        nfsPort = server.nfsPort();
        smbPort = server.smbPort();
        assertTrue(Files.readString(log).contains(" smb=" + smbPort), "the READY line lists the SMB port");
        server.loginAsAdmin("admin-new-password");
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
            server.close();
        }
    }

    private static Run run(List<String> cmd, long timeoutSeconds) throws Exception {
        return server.run(cmd, timeoutSeconds);
    }

    private static Run ok(String... args) throws Exception {
        return server.dfsctlOk(args);
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
    @Order(9)
    void shouldPutAndGetEncryptedWithEveryCipher() throws Exception {
        byte[] data = new byte[(9 << 20) + 12_345];
        new Random(9).nextBytes(data);
        Files.write(work.resolve("sealed.bin"), data);
        String[][] cases = {{"SMB3_11", "AES-128-GCM"}, {"SMB3_11", "AES-128-CCM"}, {"SMB3_11", "AES-256-GCM"},
                {"SMB3_11", "AES-256-CCM"}, {"SMB3_00", "AES-128-CCM"}};
        for (String[] c : cases) {
            String remote = "sealed-" + c[0] + "-" + c[1] + ".bin";
            long before = sessions("may encrypt with " + c[1] + ", signed");
            Run r = run(List.of("smbclient", "//127.0.0.1/export", "-p", Integer.toString(smbPort), "-U",
                    "alice%" + PASSWORD, "-m", c[0], "--client-protection=encrypt",
                    "--option=client smb3 encryption algorithms=" + c[1], "-c",
                    "lcd " + work + "; put sealed.bin " + remote + "; get " + remote + " back.bin; ls; del " + remote), 300);
            assertEquals(0, r.rc(), c[0] + " " + c[1] + ":\n" + r.out());
            assertFalse(r.out().contains("NT_STATUS_"), r.out());
            assertArrayEquals(data, Files.readAllBytes(work.resolve("back.bin")), "read back encrypted, " + c[0] + " " + c[1]);
            assertEquals(before + 1, sessions("may encrypt with " + c[1] + ", signed"), "the session's cipher is " + c[1]);
        }
    }

    @Test
    @Order(10)
    void shouldEncryptEverySessionWhileEncryptionIsRequired() throws Exception {
        ok("adapter", "set", "smb", "--set", "encryption=required");
        try {
            long encrypted = sessions("encrypted with AES-128-GCM, signed");
            Files.writeString(work.resolve("required.txt"), "sealed by the server's demand\n");
            // the client does not ask for encryption: the session flag ENCRYPT_DATA makes it encrypt
            smbOk("SMB3_11", "sign", "lcd " + work + "; put required.txt required.txt; get required.txt required-back.txt");
            assertEquals("sealed by the server's demand\n", Files.readString(work.resolve("required-back.txt")));
            assertEquals(encrypted + 1, sessions("encrypted with AES-128-GCM, signed"));
            Run old = smb("export", "alice", PASSWORD, "SMB2_10", "sign", "ls");
            assertTrue(old.rc() != 0 && old.out().contains("NT_STATUS_ACCESS_DENIED"),
                    "an SMB 2.1 client cannot encrypt, so it is refused:\n" + old.out());
        } finally {
            ok("adapter", "set", "smb", "--set", "encryption=enabled");
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
