package io.dittofs.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A real Linux NFSv3 client (Debian's kernel under qemu, see {@code e2e/kclient}) against the
 * packaged server, in two guest boots: the first runs the commands users run on a mount (cp, ls,
 * mv, ln, ln -s, chmod, chown, touch, rm -r, a deep tree, untar of a source tree) and leaves its
 * results, which the host then checks through libnfs; the second removes everything.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KernelClientIT {

    private static final String EXPORT = "/export";
    private static final String HOST_TEXT = "written-by-libnfs-on-the-host";
    /** Source trees packed into the tarball the guest unpacks (those that exist). */
    private static final List<String> SOURCE_TREES = List.of("core/src", "protocols/src", "storage/src", "controlplane/src");

    @RegisterExtension
    static final ServerExtension SERVER = new ServerExtension();

    private static Path staging;
    /** Relative path inside the tarball to the SHA-256 of the host file. */
    private static Map<String, String> sourceSums;

    @BeforeAll
    static void prepare() throws IOException {
        KernelClient.requirePrerequisites();
        E2eEnvironment.requireAptPackage("libnfs13", "the libnfs NFSv3 client (host-side checks)");
        staging = Files.createTempDirectory(E2eEnvironment.logDir(), "kclient-payload-");
        Path payload = Files.createDirectories(staging.resolve("payload"));
        sourceSums = packSources(payload);
    }

    @AfterAll
    static void cleanUp() {
        ServerProcess.deleteTree(staging);
    }

    @Test
    @Order(1)
    void shouldRunEverydayCommandsAndUnpackASourceTree() throws Exception {
        try (LibNfs nfs = LibNfs.mount(SERVER.port(), EXPORT, 0, 0)) {
            nfs.mkdir("/from-host");
            try (NfsFile f = nfs.creat("/from-host/hello.txt", 0644)) {
                f.write(0, HOST_TEXT.getBytes(StandardCharsets.UTF_8));
            }
        }

        KernelClient.Result r = KernelClient.nfs3(SERVER.port())
                .add(staging)
                .scriptEnv("PAYLOAD", "/payload")
                .scriptEnv("HOST_TEXT", HOST_TEXT)
                .run(GuestFiles.resource("posix-commands.sh"));
        assertTrue(r.ok() && r.output().contains("POSIX-COMMANDS-OK"), r.describe());

        // what the guest left, seen by another client
        try (LibNfs nfs = LibNfs.mount(SERVER.port(), EXPORT, 0, 0)) {
            NfsStat hello = nfs.stat("/kc/hello.txt");
            assertEquals(2, hello.nlink(), "nlink of hello.txt (hard link hard.txt)");
            assertEquals(hello.ino(), nfs.stat("/kc/hard.txt").ino());
            assertEquals(0640, hello.permissions());
            assertEquals(1234, hello.uid());
            assertEquals(5678, hello.gid());
            assertEquals("hello.txt", nfs.readlink("/kc/sym.txt"));
            assertTrue(nfs.lstat("/kc/sym.txt").isSymlink());
            assertEquals(2 * 1024 * 1024, nfs.stat("/kc/rand.bin").size());
            NfsStat big = nfs.stat("/kc/big.bin");
            assertEquals(32 * 1024 * 1024, big.size());
            assertEquals(readString(nfs, "/kc/big.sha256").trim(), sha256(nfs, "/kc/big.bin", big.size()),
                    "SHA-256 of the 32 MiB the guest wrote, read through libnfs");
            assertTrue(nfs.stat("/kc/deep/l1/l2/l3/l4/l5").isDirectory());
            assertEquals("deep/l1/l2/l3/l4/l5\n", readString(nfs, "/kc/deep/l1/l2/l3/l4/l5/marker"));
            assertTrue(!nfs.exists("/kc/dir2") && !nfs.exists("/kc/copy.txt"));

            Map<String, String> onServer = new TreeMap<>();
            walkFiles(nfs, "/kc/src", "", onServer);
            assertEquals(sourceSums.keySet(), onServer.keySet(), "files unpacked from the tarball");
            assertEquals(sourceSums, onServer, "SHA-256 of every unpacked file, read through libnfs");
        }
    }

    @Test
    @Order(2)
    void shouldSeeAnEmptyShareAfterRemovingEverything() {
        KernelClient.Result r = KernelClient.nfs3(SERVER.port()).run(GuestFiles.resource("remove-all.sh"));
        assertTrue(r.ok() && r.output().contains("REMOVE-ALL-OK"), r.describe());
        try (LibNfs nfs = LibNfs.mount(SERVER.port(), EXPORT, 0, 0)) {
            assertEquals(List.of(), nfs.listNames("/"), "share seen through libnfs");
        }
    }

    /** Tars the source trees with numeric root ownership and writes {@code sha256sum -c} input. */
    private static Map<String, String> packSources(Path payload) throws IOException {
        Path home = E2eEnvironment.home();
        List<String> trees = SOURCE_TREES.stream().filter(t -> Files.isDirectory(home.resolve(t))).toList();
        if (trees.isEmpty()) {
            throw new IllegalStateException("none of " + SOURCE_TREES + " exists under " + home);
        }
        List<String> cmd = new ArrayList<>(List.of("tar", "--owner=0", "--group=0", "--numeric-owner",
                "-C", home.toString(), "-cf", payload.resolve("src.tar").toString()));
        cmd.addAll(trees);
        run(cmd);
        Map<String, String> sums = new TreeMap<>();
        for (String tree : trees) {
            try (Stream<Path> files = Files.walk(home.resolve(tree))) {
                for (Path p : files.filter(Files::isRegularFile).toList()) {
                    sums.put(home.relativize(p).toString(), sha256(Files.readAllBytes(p)));
                }
            }
        }
        StringBuilder list = new StringBuilder();
        sums.forEach((path, sum) -> list.append(sum).append("  ").append(path).append('\n'));
        Files.writeString(payload.resolve("src.sha256"), list);
        return sums;
    }

    private static void walkFiles(LibNfs nfs, String dir, String rel, Map<String, String> out) {
        for (NfsDirEntry e : nfs.list(dir)) {
            String path = LibNfs.child(dir, e.name());
            String relPath = rel.isEmpty() ? e.name() : rel + "/" + e.name();
            NfsStat st = nfs.lstat(path);
            if (st.isDirectory()) {
                walkFiles(nfs, path, relPath, out);
            } else {
                out.put(relPath, sha256(nfs, path, st.size()));
            }
        }
    }

    private static String sha256(LibNfs nfs, String path, long size) {
        MessageDigest md = sha256();
        try (NfsFile f = nfs.open(path, LibNfs.O_RDONLY); Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(1 << 20);
            long off = 0;
            while (off < size) {
                long got = f.preadFully(off, buf);
                if (got == 0) {
                    break;
                }
                md.update(buf.asSlice(0, got).asByteBuffer());
                off += got;
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static String sha256(byte[] data) {
        return HexFormat.of().formatHex(sha256().digest(data));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String readString(LibNfs nfs, String path) {
        try (NfsFile f = nfs.open(path, LibNfs.O_RDONLY)) {
            return new String(f.read(0, 1 << 16), StandardCharsets.UTF_8);
        }
    }

    private static void run(List<String> cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out;
        try (InputStream in = p.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException(cmd + " failed: " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UncheckedIOException(new IOException("interrupted", e));
        }
    }
}
