package io.dittofs.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * NFSv3 through libnfs 4.0.0 (the C client library fio and QEMU use) against the packaged server:
 * bulk data, trees, renames, links, permissions, truncation, a large directory, and finally an
 * empty share. Each test works in its own top-level directory; the last one removes everything.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LibNfsIT {

    private static final String EXPORT = "/export";
    private static final int MIB = 1 << 20;

    @RegisterExtension
    static final ServerExtension SERVER = new ServerExtension();

    private static LibNfs root;

    @BeforeAll
    static void mount() {
        E2eEnvironment.requireAptPackage("libnfs13", "the libnfs NFSv3 client");
        root = LibNfs.mount(SERVER.port(), EXPORT, 0, 0);
    }

    @AfterAll
    static void unmount() {
        if (root != null) {
            root.close();
        }
    }

    @Test
    @Order(1)
    void shouldReadBackHundredMebibytesWithTheSameSha256() throws Exception {
        root.mkdir("/big");
        MessageDigest written = MessageDigest.getInstance("SHA-256");
        MessageDigest read = MessageDigest.getInstance("SHA-256");
        SplittableRandom random = new SplittableRandom(42);
        byte[] chunk = new byte[MIB];
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(MIB, 4096);
            try (NfsFile f = root.creat("/big/100m.bin", 0644)) {
                for (int i = 0; i < 100; i++) {
                    random.nextBytes(chunk);
                    written.update(chunk);
                    MemorySegment.copy(chunk, 0, buf, ValueLayout.JAVA_BYTE, 0, MIB);
                    f.pwriteFully((long) i * MIB, buf);
                }
                f.fsync();
            }
            assertEquals(100L * MIB, root.stat("/big/100m.bin").size());
            try (NfsFile f = root.open("/big/100m.bin", LibNfs.O_RDONLY)) {
                for (int i = 0; i < 100; i++) {
                    buf.fill((byte) 0);
                    assertEquals(MIB, f.preadFully((long) i * MIB, buf), "short read of MiB " + i);
                    read.update(buf.asByteBuffer());
                }
                assertEquals(0, f.preadFully(100L * MIB, buf.asSlice(0, 16)), "read past end of file");
            }
        }
        assertEquals(HexFormat.of().formatHex(written.digest()), HexFormat.of().formatHex(read.digest()));
    }

    @Test
    @Order(2)
    void shouldCreateAndWalkATreeFiveLevelsDeep() {
        String dir = "/tree";
        for (int level = 1; level <= 5; level++) {
            dir = dir + "/l" + level;
        }
        root.mkdirs(dir);
        String p = "/tree";
        for (int level = 1; level <= 5; level++) {
            p = p + "/l" + level;
            assertTrue(root.stat(p).isDirectory(), p + " is a directory");
            write(p + "/file" + level + ".txt", "level " + level);
        }
        p = "/tree";
        for (int level = 1; level <= 5; level++) {
            p = p + "/l" + level;
            List<String> names = root.listNames(p);
            Set<String> expected = new HashSet<>(Set.of("file" + level + ".txt"));
            if (level < 5) {
                expected.add("l" + (level + 1));
            }
            assertEquals(expected, new HashSet<>(names), "entries of " + p);
            assertEquals("level " + level, readString(p + "/file" + level + ".txt"));
        }
        assertThrows(NfsException.class, () -> root.rmdir("/tree/l1"), "rmdir of a non-empty directory");
    }

    @Test
    @Order(3)
    void shouldRenameWithinAndAcrossDirectories() {
        root.mkdirs("/ren/a");
        root.mkdirs("/ren/b");
        write("/ren/a/one", "payload");
        root.rename("/ren/a/one", "/ren/a/two");
        assertFalse(root.exists("/ren/a/one"));
        assertEquals("payload", readString("/ren/a/two"));

        root.rename("/ren/a/two", "/ren/b/three");
        assertEquals(List.of(), root.listNames("/ren/a"));
        assertEquals(List.of("three"), root.listNames("/ren/b"));
        assertEquals("payload", readString("/ren/b/three"));

        write("/ren/b/victim", "old");
        root.rename("/ren/b/three", "/ren/b/victim");
        assertEquals("payload", readString("/ren/b/victim"), "rename replaces an existing target");
        assertFalse(root.exists("/ren/b/three"));

        root.mkdirs("/ren/a/sub");
        write("/ren/a/sub/f", "in sub");
        root.rename("/ren/a/sub", "/ren/b/moved");
        assertEquals("in sub", readString("/ren/b/moved/f"), "directory moved with its contents");
        assertFalse(root.exists("/ren/a/sub"));
    }

    @Test
    @Order(4)
    void shouldCountHardLinksInNlink() {
        root.mkdir("/links");
        write("/links/orig", "shared");
        assertEquals(1, root.stat("/links/orig").nlink());
        root.link("/links/orig", "/links/hard");
        NfsStat a = root.stat("/links/orig");
        NfsStat b = root.stat("/links/hard");
        assertEquals(2, a.nlink());
        assertEquals(2, b.nlink());
        assertEquals(a.ino(), b.ino(), "both names refer to the same file");
        write("/links/hard", "SHARED");
        assertEquals("SHARED", readString("/links/orig"));
        root.unlink("/links/orig");
        assertEquals(1, root.stat("/links/hard").nlink());
        assertEquals("SHARED", readString("/links/hard"));
    }

    @Test
    @Order(5)
    void shouldReadBackASymlinkTarget() {
        root.mkdir("/sym");
        write("/sym/target.txt", "through the link");
        root.symlink("target.txt", "/sym/link");
        root.symlink("../does/not/exist", "/sym/dangling");
        assertEquals("target.txt", root.readlink("/sym/link"));
        assertEquals("../does/not/exist", root.readlink("/sym/dangling"));
        assertTrue(root.lstat("/sym/link").isSymlink());
        assertTrue(root.lstat("/sym/dangling").isSymlink());
    }

    @Test
    @Order(6)
    void shouldApplyChmodAndChownAsRoot() {
        root.mkdir("/perm");
        write("/perm/f", "x");
        root.chmod("/perm/f", 0640);
        assertEquals(0640, root.stat("/perm/f").permissions());
        root.chown("/perm/f", 1234, 5678);
        NfsStat st = root.stat("/perm/f");
        assertEquals(1234, st.uid());
        assertEquals(5678, st.gid());
        root.chmod("/perm/f", 0755);
        assertEquals(0755, root.stat("/perm/f").permissions());
    }

    @Test
    @Order(7)
    void shouldRefuseANonOwnerWriteAndChmod() {
        root.mkdir("/acl", 0755);
        write("/acl/rootfile", "root's");
        root.chown("/acl/rootfile", 0, 0);
        root.chmod("/acl/rootfile", 0644);
        try (LibNfs user = LibNfs.mount(SERVER.port(), EXPORT, 1000, 1000)) {
            assertEquals("root's", readString(user, "/acl/rootfile"), "others may read a 0644 file");
            NfsException write = assertThrows(NfsException.class, () -> {
                try (NfsFile f = user.open("/acl/rootfile", LibNfs.O_WRONLY)) {
                    f.write(0, "mallory".getBytes(StandardCharsets.UTF_8));
                }
            }, "uid 1000 writing a 0644 file of uid 0");
            assertDenied(write);
            NfsException chmod = assertThrows(NfsException.class, () -> user.chmod("/acl/rootfile", 0666),
                    "uid 1000 chmod of a file of uid 0");
            assertDenied(chmod);
            NfsException chown = assertThrows(NfsException.class, () -> user.chown("/acl/rootfile", 1000, 1000),
                    "uid 1000 chown of a file of uid 0");
            assertDenied(chown);
            NfsException create = assertThrows(NfsException.class, () -> user.creat("/acl/new", 0644).close(),
                    "uid 1000 creating in a 0755 directory of uid 0");
            assertDenied(create);
        }
        assertEquals("root's", readString("/acl/rootfile"));
        assertEquals(0644, root.stat("/acl/rootfile").permissions());
    }

    @Test
    @Order(8)
    void shouldReadZerosAfterTruncatingUpAndLoseTheTailWhenTruncatingDown() {
        root.mkdir("/trunc");
        byte[] data = "0123456789".getBytes(StandardCharsets.UTF_8);
        write("/trunc/f", "0123456789");
        root.truncate("/trunc/f", 100_000);
        assertEquals(100_000, root.stat("/trunc/f").size());
        try (NfsFile f = root.open("/trunc/f", LibNfs.O_RDONLY)) {
            byte[] all = f.read(0, 100_000);
            assertEquals(100_000, all.length);
            assertArrayEquals(data, java.util.Arrays.copyOf(all, 10));
            for (int i = 10; i < all.length; i++) {
                if (all[i] != 0) {
                    throw new AssertionError("byte " + i + " after truncate up is " + all[i] + ", not 0");
                }
            }
        }
        root.truncate("/trunc/f", 4);
        assertEquals(4, root.stat("/trunc/f").size());
        assertEquals("0123", readString("/trunc/f"));
        // extend again: the cut bytes must not come back
        root.truncate("/trunc/f", 10);
        try (NfsFile f = root.open("/trunc/f", LibNfs.O_RDONLY)) {
            assertArrayEquals(new byte[] {'0', '1', '2', '3', 0, 0, 0, 0, 0, 0}, f.read(0, 64));
        }
        root.truncate("/trunc/f", 0);
        assertEquals(0, root.stat("/trunc/f").size());
    }

    @Test
    @Order(11)
    void shouldListATenThousandEntryDirectoryCompletely() {
        int count = 10_000;
        root.mkdir("/many");
        for (int i = 0; i < count; i++) {
            root.creat("/many/" + name(i), 0644).close();
        }
        List<NfsDirEntry> entries = root.list("/many");
        Set<String> names = new HashSet<>();
        for (NfsDirEntry e : entries) {
            assertTrue(names.add(e.name()), "duplicate entry " + e.name());
        }
        assertEquals(count, entries.size(), "number of entries");
        for (int i = 0; i < count; i++) {
            assertTrue(names.contains(name(i)), "missing " + name(i));
        }
    }

    @Test
    @Order(9)
    void shouldAnswerInvalidNamespaceOperationsWithTheirPosixErrors() {
        root.mkdirs("/err/sub");
        root.mkdirs("/err/full/x");
        root.creat("/err/f", 0644).close();
        assertErrno(NfsException.ENOTEMPTY, () -> root.rmdir("/err"), "rmdir of a non-empty directory");
        assertErrno(NfsException.EINVAL, () -> root.rename("/err", "/err/sub/x"), "rename of a directory into itself");
        assertErrno(NfsException.EEXIST, () -> root.open("/err/f", LibNfs.O_CREAT | LibNfs.O_EXCL | LibNfs.O_RDWR, 0644).close(),
                "exclusive create of an existing name");
        assertErrno(NfsException.EEXIST, () -> root.mkdir("/err/sub"), "mkdir of an existing name");
        assertErrno(NfsException.EISDIR, () -> root.unlink("/err/sub"), "unlink of a directory");
        assertErrno(NfsException.ENOTDIR, () -> root.rmdir("/err/f"), "rmdir of a file");
        assertErrno(NfsException.ENOTDIR, () -> root.stat("/err/f/x"), "lookup below a file");
        assertErrno(NfsException.ENOENT, () -> root.stat("/err/none"), "lookup of a missing name");
        assertErrno(NfsException.EPERM, () -> root.link("/err/sub", "/err/sublink"), "hard link to a directory (EPERM, as Linux)");
        assertErrno(NfsException.EISDIR, () -> root.rename("/err/f", "/err/sub"), "rename of a file over a directory");
        assertErrno(NfsException.ENOTDIR, () -> root.rename("/err/sub", "/err/f"), "rename of a directory over a file");
        assertErrno(NfsException.ENOTEMPTY, () -> root.rename("/err/sub", "/err/full"), "rename over a non-empty directory");
        assertErrno(NfsException.EINVAL, () -> root.readlink("/err/f"), "readlink of a file");
        assertErrno(NfsException.ENAMETOOLONG, () -> root.creat("/err/" + "n".repeat(256), 0644).close(), "a 256-byte name");
        root.creat("/err/" + "n".repeat(255), 0644).close();
        assertEquals(4, root.stat("/err").nlink(), "nlink of a directory with two subdirectories");
    }

    @Test
    @Order(10)
    void shouldServeFourClientsWritingAndReadingAtOnce() throws Exception {
        int clients = 4;
        int mib = 16;
        root.mkdir("/multi");
        try (ExecutorService pool = Executors.newFixedThreadPool(clients)) {
            List<Future<String>> results = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int id = c;
                results.add(pool.submit(() -> writeAndReadBack(id, mib)));
            }
            for (Future<String> r : results) {
                String problem = r.get(4, TimeUnit.MINUTES);
                assertEquals("", problem);
            }
        }
        assertEquals(clients, root.listNames("/multi").size());
        for (int c = 0; c < clients; c++) {
            assertEquals((long) mib * MIB, root.stat("/multi/client-" + c).size());
        }
    }

    /** One client on its own connection; returns "" or what went wrong. */
    private static String writeAndReadBack(int id, int mib) throws Exception {
        String path = "/multi/client-" + id;
        try (LibNfs nfs = LibNfs.mount(SERVER.port(), EXPORT, 0, 0); Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(MIB);
            SplittableRandom random = new SplittableRandom(id);
            byte[] chunk = new byte[MIB];
            MessageDigest written = MessageDigest.getInstance("SHA-256");
            try (NfsFile f = nfs.creat(path, 0644)) {
                for (int i = 0; i < mib; i++) {
                    random.nextBytes(chunk);
                    written.update(chunk);
                    MemorySegment.copy(chunk, 0, buf, ValueLayout.JAVA_BYTE, 0, MIB);
                    f.pwriteFully((long) i * MIB, buf);
                }
                f.fsync();
            }
            MessageDigest read = MessageDigest.getInstance("SHA-256");
            try (NfsFile f = nfs.open(path, LibNfs.O_RDONLY)) {
                for (int i = 0; i < mib; i++) {
                    if (f.preadFully((long) i * MIB, buf) != MIB) {
                        return path + ": short read at MiB " + i;
                    }
                    read.update(buf.asByteBuffer());
                }
            }
            return MessageDigest.isEqual(written.digest(), read.digest()) ? "" : path + ": SHA-256 differs";
        }
    }

    @Test
    @Order(100)
    void shouldLeaveTheShareEmptyWhenEverythingIsRemoved() {
        for (NfsDirEntry e : root.list("/")) {
            root.removeTree("/" + e.name());
        }
        assertEquals(List.of(), root.listNames("/"));
        try (LibNfs fresh = LibNfs.mount(SERVER.port(), EXPORT, 0, 0)) {
            assertEquals(List.of(), fresh.listNames("/"), "a new mount sees an empty share");
        }
    }

    private static String name(int i) {
        return String.format("entry-%05d-%s", i, "x".repeat(i % 40));
    }

    private static void assertErrno(int errno, org.junit.jupiter.api.function.Executable op, String what) {
        NfsException e = assertThrows(NfsException.class, op, what);
        assertEquals(NfsException.name(errno), NfsException.name(e.errno()), what + ": " + e.getMessage());
    }

    private static void assertDenied(NfsException e) {
        assertTrue(e.errno() == NfsException.EACCES || e.errno() == NfsException.EPERM,
                "expected EACCES or EPERM, got " + e.getMessage());
    }

    private static void write(String path, String content) {
        try (NfsFile f = root.open(path, LibNfs.O_WRONLY | LibNfs.O_CREAT | LibNfs.O_TRUNC, 0644)) {
            f.write(0, content.getBytes(StandardCharsets.UTF_8));
        }
    }

    private static String readString(String path) {
        return readString(root, path);
    }

    private static String readString(LibNfs nfs, String path) {
        try (NfsFile f = nfs.open(path, LibNfs.O_RDONLY)) {
            return new String(f.read(0, 1 << 16), StandardCharsets.UTF_8);
        }
    }
}
