package io.dittofs.protocols.nfs.v3;

import io.dittofs.core.AuthContext;
import io.dittofs.core.FileSystem;
import io.dittofs.core.Share;
import io.dittofs.protocols.RpcTestClient;
import io.dittofs.protocols.RpcTestClient.Cred;
import io.dittofs.protocols.RpcTestClient.RpcReply;
import io.dittofs.protocols.TestNfsServer;
import io.dittofs.protocols.XdrArgs;
import io.dittofs.protocols.nfs.FileHandles;
import io.dittofs.storage.block.file.FileBlockStore;
import io.dittofs.storage.metadata.memory.MemoryMetadataStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;

import static io.dittofs.protocols.RpcTestClient.NFS;
import static io.dittofs.protocols.XdrArgs.xdr;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * NFSv3 GETATTR {@code used} (RFC 1813 section 2.6, fattr3) on the local file block store is the
 * disk space the content takes: it drops when a hole is punched (NFSv4.2 DEALLOCATE on the same
 * file, here through the file system) and counts only the written block of a sparse file.
 */
@Timeout(60)
class Nfs3SpaceUsedTest {
    private static final int SHARE = 21;
    private static final int MIB = 1 << 20;

    @TempDir
    Path dir;

    private TestNfsServer server;
    private FileSystem fs;

    @BeforeEach
    void startServer() throws IOException {
        server = TestNfsServer.start();
        fs = new FileSystem(new MemoryMetadataStore(), new FileBlockStore(dir.resolve("blocks")), false);
        server.shares().add(new Share(SHARE, "/files", fs, false, 65534, 65534));
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    private static ByteBuffer call(RpcTestClient c, int proc, byte[] args) throws IOException {
        RpcReply r = c.call(NFS, 3, proc, Cred.root(), args);
        assertTrue(r.isSuccess(), () -> "RPC accepted with SUCCESS: " + r);
        ByteBuffer b = r.body();
        assertEquals(0, b.getInt(b.position()), "NFS3_OK");
        return b;
    }

    private byte[] create(RpcTestClient c, String name) throws IOException {
        byte[] args = xdr().opaque(FileHandles.encode(SHARE, fs.rootId())).string(name).int32(1 /* GUARDED */)
                .bool(true).int32(0644).bool(false).bool(false).bool(false).int32(0).int32(0).build();
        ByteBuffer b = call(c, Nfs3Program.CREATE, args);
        b.getInt();
        assertEquals(1, b.getInt(), "handle_follows");
        return XdrArgs.readOpaque(b);
    }

    private static void write(RpcTestClient c, byte[] fh, long offset, int len) throws IOException {
        byte[] data = new byte[len];
        Arrays.fill(data, (byte) 9);
        call(c, Nfs3Program.WRITE, xdr().opaque(fh).int64(offset).int32(len).int32(2 /* FILE_SYNC */).opaque(data)
                .build());
    }

    /** fattr3's {@code size} and {@code used}. */
    private static long[] sizeAndUsed(RpcTestClient c, byte[] fh) throws IOException {
        ByteBuffer b = call(c, Nfs3Program.GETATTR, xdr().opaque(fh).build());
        b.getInt(); // status
        b.position(b.position() + 20); // type, mode, nlink, uid, gid
        return new long[] {b.getLong(), b.getLong()};
    }

    @Test
    void shouldReportLessUsedWhenAHoleIsPunched() throws IOException {
        try (RpcTestClient c = server.client()) {
            byte[] fh = create(c, "f");
            for (int i = 0; i < 4; i++) {
                write(c, fh, (long) i * MIB, MIB);
            }
            long before = sizeAndUsed(c, fh)[1];
            assertTrue(before >= 4L * MIB, "4 MiB written take at least 4 MiB: " + before);

            long id = fs.lookup(AuthContext.ROOT, fs.rootId(), "f").id();
            fs.deallocate(AuthContext.ROOT, id, MIB, 2L * MIB);

            long[] after = sizeAndUsed(c, fh);
            assertEquals(4L * MIB, after[0], "the size stays");
            assertTrue(after[1] <= before - 2L * MIB,
                    "used drops by the 2 MiB punched (the file system must punch holes, as ext4, xfs and tmpfs do): "
                            + before + " -> " + after[1]);
        }
    }

    @Test
    void shouldCountOnlyWrittenBlocksWhenFileIsSparse() throws IOException {
        try (RpcTestClient c = server.client()) {
            byte[] fh = create(c, "sparse");
            write(c, fh, 64L * MIB, 4096);
            long[] attrs = sizeAndUsed(c, fh);
            assertEquals(64L * MIB + 4096, attrs[0]);
            assertTrue(attrs[1] >= 4096 && attrs[1] < MIB, "one 4 KiB block written: " + attrs[1]);
        }
    }
}
