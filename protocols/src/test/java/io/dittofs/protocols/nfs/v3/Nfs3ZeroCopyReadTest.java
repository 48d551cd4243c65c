package io.dittofs.protocols.nfs.v3;

import io.dittofs.core.FileSystem;
import io.dittofs.core.Share;
import io.dittofs.protocols.RpcTestClient;
import io.dittofs.protocols.RpcTestClient.Cred;
import io.dittofs.protocols.RpcTestClient.RpcReply;
import io.dittofs.protocols.TestNfsServer;
import io.dittofs.protocols.XdrArgs;
import io.dittofs.protocols.nfs.FileHandles;
import io.dittofs.protocols.rpc.RpcServer;
import io.dittofs.storage.block.file.FileBlockStore;
import io.dittofs.storage.cache.WriteBackCache;
import io.dittofs.storage.metadata.memory.MemoryMetadataStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.Arrays;

import static io.dittofs.protocols.RpcTestClient.NFS;
import static io.dittofs.protocols.XdrArgs.xdr;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * NFSv3 READ replies whose data goes from the content file to the socket without a user-space
 * copy ({@code sendfile} after the RPC header): exact bytes at odd offsets and lengths (XDR
 * padding, record mark), holes, short reads at the end of file, reads past it, dirty data behind
 * the write-back cache (served from the cache instead), and a client whose socket is full (the
 * rest of a reply copied piece by piece). The server's counters tell which path each byte took.
 */
@Timeout(60)
class Nfs3ZeroCopyReadTest {
    private static final int OK = 0;
    private static final int FILE_SHARE = 11;
    private static final int WAL_SHARE = 12;

    @TempDir
    Path dir;

    private TestNfsServer server;
    private FileSystem files;
    private FileSystem cached;

    @BeforeEach
    void startServer() {
        try {
            server = TestNfsServer.start();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        files = new FileSystem(new MemoryMetadataStore(), new FileBlockStore(dir.resolve("blocks")), false);
        server.shares().add(new Share(FILE_SHARE, "/files", files, false, 65534, 65534));
        cached = new FileSystem(new MemoryMetadataStore(), new WriteBackCache(new FileBlockStore(dir.resolve("wb")),
                new WriteBackCache.Options(dir.resolve("wal"), 8L << 20, 8, 60_000)), false);
        server.shares().add(new Share(WAL_SHARE, "/cached", cached, false, 65534, 65534));
    }

    @AfterEach
    void stopServer() {
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

    private static void write(RpcTestClient c, byte[] fh, long offset, byte[] data, int stable) throws IOException {
        ByteBuffer b = call(c, Nfs3Program.WRITE, xdr().opaque(fh).int64(offset).int32(data.length).int32(stable)
                .opaque(data).build()).body();
        assertEquals(OK, b.getInt(0), "WRITE status");
    }

    private static byte[] readArgs(byte[] fh, long offset, int count) {
        return xdr().opaque(fh).int64(offset).int32(count).build();
    }

    /** READ3resok's data, checking status, eof and that nothing follows the padded data. */
    private static byte[] parseRead(RpcReply r, boolean eof) {
        ByteBuffer b = r.body();
        assertEquals(OK, b.getInt(), "READ status");
        assertEquals(1, b.getInt(), "attributes_follow");
        b.position(b.position() + 84);
        int n = b.getInt();
        assertEquals(eof ? 1 : 0, b.getInt(), "eof");
        byte[] data = XdrArgs.readOpaque(b);
        assertEquals(n, data.length, "count and data length");
        assertEquals(0, b.remaining(), "the record ends after the padded data");
        return data;
    }

    private static byte[] read(RpcTestClient c, byte[] fh, long offset, int count, boolean eof) throws IOException {
        return parseRead(call(c, Nfs3Program.READ, readArgs(fh, offset, count)), eof);
    }

    private static byte[] pattern(int len, int seed) {
        byte[] b = new byte[len];
        for (int i = 0; i < len; i++) {
            b[i] = (byte) (i * 31 + seed);
        }
        return b;
    }

    private RpcServer rpc() {
        return server.rpcServer();
    }

    @Test
    void shouldSendReadDataFromFileWithoutCopyWhenStoreOffersRegion() throws IOException {
        byte[] data = pattern(300_001, 1);
        try (RpcTestClient c = server.client()) {
            byte[] fh = create(c, FileHandles.encode(FILE_SHARE, files.rootId()), "f");
            write(c, fh, 0, data, 0 /* UNSTABLE */);
            long sent = rpc().tailBytesSent();
            long copied = rpc().tailBytesCopied();
            assertArrayEquals(data, read(c, fh, 0, data.length, true));
            assertEquals(data.length, rpc().tailBytesSent() - sent, "every data byte sent from the file by sendfile");
            assertEquals(copied, rpc().tailBytesCopied(), "nothing copied through a buffer");
        }
    }

    @Test
    void shouldReturnExactBytesWhenReadAtOddOffsetsAndAcrossEnd() throws IOException {
        byte[] data = pattern(300_003, 2);
        try (RpcTestClient c = server.client()) {
            byte[] fh = create(c, FileHandles.encode(FILE_SHARE, files.rootId()), "odd");
            write(c, fh, 0, data, 2 /* FILE_SYNC */);
            long sent = rpc().tailBytesSent();
            long expected = 0;
            for (int[] oc : new int[][]{{12_345, 100_001}, {1, 65_537}, {2, 70_002}, {3, 16_387}, {0, 16_384}}) {
                byte[] want = Arrays.copyOfRange(data, oc[0], oc[0] + oc[1]);
                assertArrayEquals(want, read(c, fh, oc[0], oc[1], false), "offset " + oc[0] + " count " + oc[1]);
                expected += oc[1];
            }
            assertArrayEquals(Arrays.copyOfRange(data, 299_000, 300_003), read(c, fh, 299_000, 65_536, true),
                    "a short read at the end of file");
            expected += 1003;
            assertArrayEquals(new byte[0], read(c, fh, 300_003, 65_536, true), "at the end: nothing, eof");
            assertArrayEquals(new byte[0], read(c, fh, 1L << 40, 65_536, true), "past the end: nothing, eof");
            assertEquals(expected, rpc().tailBytesSent() - sent, "bytes sent from the file");
        }
    }

    @Test
    void shouldCopySmallReadsIntoReplyWhenBelowRegionMinimum() throws IOException {
        byte[] data = pattern(20_000, 7);
        try (RpcTestClient c = server.client()) {
            byte[] fh = create(c, FileHandles.encode(FILE_SHARE, files.rootId()), "small");
            write(c, fh, 0, data, 0);
            long sent = rpc().tailBytesSent();
            assertArrayEquals(Arrays.copyOfRange(data, 5, 4101), read(c, fh, 5, 4096, false));
            assertArrayEquals(Arrays.copyOfRange(data, 7, 10), read(c, fh, 7, 3, false));
            assertEquals(sent, rpc().tailBytesSent(), "a few KiB go out with the header in one write");
        }
    }

    @Test
    void shouldReadZerosFromHolesWhenFileSparse() throws IOException {
        byte[] head = pattern(1000, 3);
        byte[] tail = pattern(1000, 4);
        try (RpcTestClient c = server.client()) {
            byte[] fh = create(c, FileHandles.encode(FILE_SHARE, files.rootId()), "sparse");
            write(c, fh, 0, head, 0);
            write(c, fh, 500_000, tail, 0);
            byte[] got = read(c, fh, 0, 501_000, true);
            byte[] want = new byte[501_000];
            System.arraycopy(head, 0, want, 0, 1000);
            System.arraycopy(tail, 0, want, 500_000, 1000);
            assertArrayEquals(want, got);
        }
    }

    @Test
    void shouldServeDirtyDataFromCacheWhenWriteBackCacheHoldsIt() throws IOException {
        byte[] data = pattern(70_001, 5);
        try (RpcTestClient c = server.client()) {
            byte[] fh = create(c, FileHandles.encode(WAL_SHARE, cached.rootId()), "dirty");
            write(c, fh, 0, data, 0);
            long sent = rpc().tailBytesSent();
            assertArrayEquals(data, read(c, fh, 0, data.length, true));
            assertEquals(sent, rpc().tailBytesSent(), "dirty data is not in the file yet: read from the WAL");
        }
    }

    @Test
    void shouldCompleteRepliesWhenClientSocketFillsUp() throws Exception {
        byte[] data = pattern(1 << 20, 6);
        byte[] fh;
        try (RpcTestClient c = server.client()) {
            fh = create(c, FileHandles.encode(FILE_SHARE, files.rootId()), "big");
            write(c, fh, 0, data, 0);
        }
        int reads = 24;
        long sent = rpc().tailBytesSent();
        long copied = rpc().tailBytesCopied();
        try (SocketChannel s = SocketChannel.open()) {
            s.setOption(StandardSocketOptions.SO_RCVBUF, 16 * 1024);
            s.connect(new InetSocketAddress("127.0.0.1", server.port()));
            for (int i = 0; i < reads; i++) { // pipelined, none of the replies read yet
                byte[] msg = RpcTestClient.callMessage(1000 + i, 2, NFS, 3, Nfs3Program.READ, Cred.root(),
                        readArgs(fh, 0, data.length));
                ByteBuffer rec = ByteBuffer.allocate(4 + msg.length).putInt(0x8000_0000 | msg.length).put(msg).flip();
                while (rec.hasRemaining()) {
                    s.write(rec);
                }
            }
            Thread.sleep(500); // the server fills the socket and its sends stall
            DataInputStream in = new DataInputStream(Channels.newInputStream(s));
            for (int i = 0; i < reads; i++) {
                int mark = in.readInt();
                assertTrue(mark < 0, "one fragment per reply");
                byte[] rec = new byte[mark & 0x7fff_ffff];
                in.readFully(rec);
                assertArrayEquals(data, parseRead(RpcReply.parse(rec), true), "reply " + i);
            }
        }
        long viaFile = rpc().tailBytesSent() - sent;
        long viaCopy = rpc().tailBytesCopied() - copied;
        System.out.printf("24 pipelined 1 MiB READs to a full socket: %d bytes by sendfile, %d copied%n", viaFile,
                viaCopy);
        assertEquals((long) reads * data.length, viaFile + viaCopy, "every data byte went one of the two ways");
        assertTrue(viaCopy > 0, "the socket filled up, so some pieces were copied while waiting for it");
    }
}
