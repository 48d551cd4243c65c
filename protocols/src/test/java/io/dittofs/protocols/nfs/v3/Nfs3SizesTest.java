package io.dittofs.protocols.nfs.v3;

import io.dittofs.core.FileSystem;
import io.dittofs.core.Share;
import io.dittofs.core.spi.SizeLimitedBlockStore;
import io.dittofs.protocols.RpcTestClient;
import io.dittofs.protocols.RpcTestClient.Cred;
import io.dittofs.protocols.RpcTestClient.RpcReply;
import io.dittofs.protocols.TestNfsServer;
import io.dittofs.protocols.XdrArgs;
import io.dittofs.protocols.nfs.FileHandles;
import io.dittofs.storage.block.memory.MemoryBlockStore;
import io.dittofs.storage.metadata.memory.MemoryMetadataStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.ByteBuffer;

import static io.dittofs.protocols.RpcTestClient.NFS;
import static io.dittofs.protocols.XdrArgs.xdr;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Huge sizes and offsets over NFSv3 on real loopback sockets: FSINFO reports what the share's
 * block store holds, WRITE and SETATTR past it get NFS3ERR_FBIG, READ anywhere up to 2^64 - 1
 * answers (0 bytes and eof past the end), FSSTAT figures are consistent.
 */
@Timeout(20)
class Nfs3SizesTest {
    private static final int OK = 0;
    private static final int FBIG = 27;
    private static final int LIMITED_SHARE = 7;
    private static final long LIMIT = 1L << 40;
    private static final long GIB4 = 1L << 32;

    private static TestNfsServer server;
    private static FileSystem limited;

    @BeforeAll
    static void startServer() throws IOException {
        server = TestNfsServer.start();
        limited = new FileSystem(new MemoryMetadataStore(), new SizeLimitedBlockStore(new MemoryBlockStore(), LIMIT), false);
        server.shares().add(new Share(LIMITED_SHARE, "/limited", limited, false, 65534, 65534));
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    private static RpcReply call(RpcTestClient c, int proc, byte[] args) throws IOException {
        RpcReply r = c.call(NFS, 3, proc, Cred.root(), args);
        assertTrue(r.isSuccess(), () -> "RPC accepted with SUCCESS: " + r);
        return r;
    }

    private static byte[] create(RpcTestClient c, byte[] dir, String name) throws IOException {
        byte[] args = xdr().opaque(dir).string(name).int32(1 /* GUARDED */)
                .bool(true).int32(0644).bool(false).bool(false).bool(false).int32(0).int32(0).build();
        ByteBuffer b = call(c, Nfs3Program.CREATE, args).body();
        assertEquals(OK, b.getInt(), "CREATE status");
        assertEquals(1, b.getInt(), "handle_follows");
        return XdrArgs.readOpaque(b);
    }

    private static int write(RpcTestClient c, byte[] fh, long offset, byte[] data) throws IOException {
        return call(c, Nfs3Program.WRITE, xdr().opaque(fh).int64(offset).int32(data.length).int32(2).opaque(data).build())
                .body().getInt(0);
    }

    private static int setSize(RpcTestClient c, byte[] fh, long size) throws IOException {
        byte[] args = xdr().opaque(fh).bool(false).bool(false).bool(false).bool(true).int64(size)
                .int32(0).int32(0).bool(false).build();
        return call(c, Nfs3Program.SETATTR, args).body().getInt(0);
    }

    private static long size(RpcTestClient c, byte[] fh) throws IOException {
        ByteBuffer b = call(c, 1 /* GETATTR */, xdr().opaque(fh).build()).body();
        assertEquals(OK, b.getInt(0));
        return b.getLong(4 + 20);
    }

    /** READ3resok: the data, checking status and eof. */
    private static byte[] read(RpcTestClient c, byte[] fh, long offset, int count, boolean eof) throws IOException {
        ByteBuffer b = call(c, Nfs3Program.READ, xdr().opaque(fh).int64(offset).int32(count).build()).body();
        assertEquals(OK, b.getInt(), "READ status at " + Long.toUnsignedString(offset));
        assertEquals(1, b.getInt(), "attributes_follow");
        b.position(b.position() + 84);
        int n = b.getInt();
        assertEquals(eof ? 1 : 0, b.getInt(), "eof at " + Long.toUnsignedString(offset));
        byte[] data = XdrArgs.readOpaque(b);
        assertEquals(n, data.length);
        return data;
    }

    /** FSINFO3resok's maxfilesize (after status, post_op_attr and seven uint32 sizes). */
    private static long maxFileSize(RpcTestClient c, byte[] root) throws IOException {
        ByteBuffer b = call(c, Nfs3Program.FSINFO, xdr().opaque(root).build()).body();
        assertEquals(OK, b.getInt(0));
        return b.getLong(4 + Nfs3Xdr.POST_OP_ATTR_SIZE + 7 * 4);
    }

    @Test
    void shouldReportStoreLimitAndRefusePastItWithFbig() throws IOException {
        byte[] root = FileHandles.encode(LIMITED_SHARE, limited.rootId());
        try (RpcTestClient c = server.client()) {
            assertEquals(LIMIT, maxFileSize(c, root));
            byte[] f = create(c, root, "limited");
            assertEquals(OK, write(c, f, GIB4 - 1, new byte[] {1, 2, 3}));
            assertEquals(FBIG, write(c, f, LIMIT - 1, new byte[] {1, 2}));
            assertEquals(FBIG, setSize(c, f, LIMIT + 1));
            assertEquals(FBIG, setSize(c, f, Long.MAX_VALUE));
            assertEquals(GIB4 + 2, size(c, f), "refused calls change nothing");
            assertEquals(OK, write(c, f, LIMIT - 1, new byte[] {9}));
            assertEquals(LIMIT, size(c, f));
            assertArrayEquals(new byte[] {0, 9}, read(c, f, LIMIT - 2, 100, true));
            assertArrayEquals(new byte[] {1, 2, 3, 0}, read(c, f, GIB4 - 1, 4, false));
        }
    }

    @Test
    void shouldServeLargestSizesOnUnlimitedShare() throws IOException {
        try (RpcTestClient c = server.client()) {
            byte[] root = server.rootHandle();
            assertEquals(Long.MAX_VALUE, maxFileSize(c, root));
            byte[] f = create(c, root, "huge");
            assertEquals(OK, write(c, f, GIB4 + 1, new byte[] {5}));
            assertEquals(OK, setSize(c, f, Long.MAX_VALUE));
            assertEquals(Long.MAX_VALUE, size(c, f));
            assertEquals(FBIG, write(c, f, Long.MAX_VALUE - 1, new byte[] {1, 2}));
            assertEquals(FBIG, write(c, f, -1L /* 2^64 - 1 */, new byte[] {1}));
            assertEquals(OK, write(c, f, Long.MAX_VALUE - 1, new byte[] {6}));
            assertArrayEquals(new byte[] {0, 6}, read(c, f, Long.MAX_VALUE - 2, 100, true));
            assertArrayEquals(new byte[] {0, 5, 0}, read(c, f, GIB4, 3, false));
            assertEquals(0, read(c, f, Long.MAX_VALUE, 100, true).length);
            assertEquals(0, read(c, f, 1L << 63, 100, true).length);
            assertEquals(0, read(c, f, -1L, 100, true).length);
        }
    }

    @Test
    void shouldReportConsistentFsstat() throws IOException {
        try (RpcTestClient c = server.client()) {
            ByteBuffer b = call(c, 18 /* FSSTAT */, xdr().opaque(server.rootHandle()).build()).body();
            assertEquals(OK, b.getInt());
            b.position(4 + Nfs3Xdr.POST_OP_ATTR_SIZE);
            long tbytes = b.getLong();
            long fbytes = b.getLong();
            long abytes = b.getLong();
            assertTrue(tbytes > 0 && fbytes >= 0 && fbytes <= tbytes && abytes <= fbytes, tbytes + "/" + fbytes + "/" + abytes);
        }
    }
}
