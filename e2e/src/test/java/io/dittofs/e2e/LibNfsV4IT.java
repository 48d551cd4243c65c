package io.dittofs.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.MessageDigest;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * libnfs (the system's libnfs 4.0.0 through FFM) mounting the server at NFSv4.0: SETCLIENTID,
 * PUTROOTFH/LOOKUP through the pseudo-filesystem, OPEN/READ/CLOSE, GETATTR, READDIR. Files are
 * written through NFSv3 (libnfs 4.0.0 cannot encode an NFSv4 WRITE, see docs) and read back over
 * v4.0, compared by SHA-256.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class LibNfsV4IT {
    private static final String EXPORT = "/export";

    @RegisterExtension
    static final ServerExtension SERVER = new ServerExtension();

    @BeforeAll
    static void requireLibnfs() {
        E2eEnvironment.requireAptPackage("libnfs13", "the libnfs NFSv3/NFSv4.0 client");
    }

    @Test
    void shouldReadFilesWrittenOverNfs3ThroughANfs40Mount() throws Exception {
        Random random = new Random(11);
        byte[] big = new byte[3 << 20];
        random.nextBytes(big);
        byte[] small = "hello over NFSv4.0\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        try (LibNfs v3 = LibNfs.mount(SERVER.port(), EXPORT, 0, 0)) {
            v3.mkdir("/v40");
            write(v3, "/v40/big.bin", big);
            write(v3, "/v40/small.txt", small);
        }
        try (LibNfs v4 = LibNfs.mountV4(SERVER.port(), EXPORT, 0, 0)) {
            assertEquals(big.length, v4.stat("/v40/big.bin").size());
            assertArrayEquals(sha256(big), sha256(read(v4, "/v40/big.bin", big.length)), "big.bin over v4.0");
            assertArrayEquals(small, read(v4, "/v40/small.txt", small.length));
            List<String> names = v4.list("/v40").stream().map(NfsDirEntry::name).toList();
            assertTrue(names.containsAll(List.of("big.bin", "small.txt")), names.toString());
        }
    }

    private static void write(LibNfs nfs, String path, byte[] data) {
        try (NfsFile f = nfs.creat(path, 0644)) {
            for (int off = 0; off < data.length; off += 1 << 20) {
                int n = Math.min(1 << 20, data.length - off);
                f.write(off, java.util.Arrays.copyOfRange(data, off, off + n));
            }
            f.fsync();
        }
    }

    /** Reads the whole file in 256 KiB chunks. */
    private static byte[] read(LibNfs nfs, String path, int size) {
        byte[] out = new byte[size];
        int chunk = 256 << 10; // libnfs 4.0.0 reports no read size (0) on a v4 context
        try (NfsFile f = nfs.open(path, LibNfs.O_RDONLY)) {
            int off = 0;
            while (off < size) {
                byte[] b = f.read(off, Math.min(chunk, size - off));
                if (b.length == 0) {
                    break;
                }
                System.arraycopy(b, 0, out, off, b.length);
                off += b.length;
            }
            assertEquals(size, off, "bytes read from " + path);
        }
        return out;
    }

    private static byte[] sha256(byte[] b) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(b);
    }
}
