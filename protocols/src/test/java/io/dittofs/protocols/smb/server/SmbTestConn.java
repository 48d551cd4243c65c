package io.dittofs.protocols.smb.server;

import io.dittofs.core.FileSystem;
import io.dittofs.core.ShareRegistry;
import io.dittofs.core.lock.LockManager;
import io.dittofs.protocols.smb.ConnState;
import io.dittofs.protocols.smb.NtStatus;
import io.dittofs.protocols.smb.Session;
import io.dittofs.protocols.smb.SmbConfig;
import io.dittofs.protocols.smb.SmbServices;
import io.dittofs.protocols.smb.codec.SmbEncoder;
import io.dittofs.protocols.smb.handler.Handlers;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One SMB client connection (negotiated 3.0.2, a session of uid/gid 1000 and a tree connect to
 * {@code export}) driven through the dispatcher in process; several of them can share one
 * {@link SmbServices} (one server) to test what one open does to another. Replies are returned
 * whole (header at 0, body at 64). Not thread-safe.
 */
final class SmbTestConn {
    static final int GENERIC_READ = 0x8000_0000;
    static final int GENERIC_RW = 0xC000_0000;
    static final int READ_DATA = 0x1;
    static final int WRITE_DATA = 0x2;
    static final int READ_ATTRIBUTES = 0x80;
    static final int DELETE = 0x1_0000;
    static final int SHARE_NONE = 0;
    static final int SHARE_READ = 1;
    static final int SHARE_WRITE = 2;
    static final int SHARE_DELETE = 4;
    static final int SHARE_ALL = 7;
    static final int OPEN = 1;
    static final int CREATE = 2;
    static final int OPEN_IF = 3;
    static final int DIRECTORY = 0x1;
    static final int DELETE_ON_CLOSE = 0x1000;

    private final ConnState conn;
    private final Session session;
    private final SmbDispatcher dispatcher = new SmbDispatcher(Handlers.all());
    private final CreditWindow credits = new CreditWindow(512);
    private long mid = 1;
    private int tree;

    /** A server on memory stores: share {@code /export} (id 1) on a file system with a 01777 root. */
    static FileSystem memoryFs() {
        return SmbFixtures.memoryFs();
    }

    static SmbServices server(FileSystem fs, LockManager locks) {
        return server(SmbFixtures.export(fs), locks);
    }

    static SmbServices server(ShareRegistry shares, LockManager locks) {
        return new SmbServices(SmbConfig.defaults(), shares, SmbFixtures.users(SmbFixtures.ALICE), locks);
    }

    SmbTestConn(SmbServices services) {
        conn = SmbFixtures.connection(services, 0x0302);
        session = SmbFixtures.session(conn, SmbFixtures.ALICE, null);
        credits.consume(0, 1);
        credits.grant(500);
        ByteBuffer r = call(3, SmbFixtures.treeConnect());
        assertEquals(NtStatus.SUCCESS, r.getInt(8));
        tree = r.getInt(36);
    }

    /** This client's connection state (e.g. to drop the connection with {@code Close.closeAll}). */
    ConnState conn() {
        return conn;
    }

    static ByteBuffer body(int n) {
        return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Sends one request; returns the reply. */
    ByteBuffer call(int cmd, ByteBuffer b) {
        byte[] bb = java.util.Arrays.copyOf(b.array(), b.position());
        ByteBuffer h = body(64 + bb.length);
        h.putInt(0x424D53FE).putShort((short) 64).putShort((short) 1).putInt(0).putShort((short) cmd)
                .putShort((short) 1).putInt(0).putInt(0).putLong(mid).putInt(0xFEFF).putInt(tree)
                .putLong(session.id()).put(new byte[16]).put(bb);
        MemorySegment seg = MemorySegment.ofArray(h.array());
        var elems = SmbDispatcher.split(seg, 64);
        assertTrue(credits.consume(mid, 1));
        mid++;
        byte[] out = new byte[1 << 20];
        SmbDispatcher.Result res = dispatcher.process(conn, credits, seg, elems,
                new SmbEncoder(MemorySegment.ofArray(out)));
        credits.grant(10);
        return ByteBuffer.wrap(out, 0, res.length()).slice().order(ByteOrder.LITTLE_ENDIAN);
    }

    static int status(ByteBuffer reply) {
        return reply.getInt(8);
    }

    static long fid(ByteBuffer createReply) {
        assertEquals(NtStatus.SUCCESS, status(createReply), "CREATE status");
        return createReply.getLong(64 + 72);
    }

    ByteBuffer create(String name, int access, int share, int disposition, int options) {
        return create(name, access, share, disposition, options, null);
    }

    /** CREATE with at most one create context ({@code tag}, {@code data}). */
    ByteBuffer create(String name, int access, int share, int disposition, int options, String tag, byte[] data) {
        byte[] ctx = null;
        if (tag != null) {
            ByteBuffer c = body(24 + data.length);
            c.putInt(0).putShort((short) 16).putShort((short) 4).putShort((short) 0).putShort((short) 24)
                    .putInt(data.length).put(tag.getBytes(StandardCharsets.US_ASCII)).putInt(0).put(data);
            ctx = c.array();
        }
        return create(name, access, share, disposition, options, ctx);
    }

    private ByteBuffer create(String name, int access, int share, int disposition, int options, byte[] ctx) {
        byte[] n = name.getBytes(StandardCharsets.UTF_16LE);
        int nameLen = (Math.max(n.length, 1) + 7) & ~7;
        ByteBuffer b = body(56 + nameLen + (ctx == null ? 0 : ctx.length));
        b.putShort((short) 57).put((byte) 0).put((byte) 0).putInt(2).putLong(0).putLong(0).putInt(access).putInt(0)
                .putInt(share).putInt(disposition).putInt(options).putShort((short) 120).putShort((short) n.length)
                .putInt(ctx == null ? 0 : 120 + nameLen).putInt(ctx == null ? 0 : ctx.length).put(n);
        b.position(56 + nameLen);
        if (ctx != null) {
            b.put(ctx);
        }
        return call(5, b);
    }

    ByteBuffer close(long fid) {
        ByteBuffer b = body(24);
        b.putShort((short) 24).putShort((short) 1).putInt(0).putLong(fid).putLong(fid);
        return call(6, b);
    }

    ByteBuffer write(long fid, long off, byte[] data) {
        ByteBuffer b = body(48 + data.length);
        b.putShort((short) 49).putShort((short) 112).putInt(data.length).putLong(off).putLong(fid).putLong(fid)
                .putInt(0).putInt(0).putShort((short) 0).putShort((short) 0).putInt(0).put(data);
        return call(9, b);
    }

    ByteBuffer setInfo(long fid, int type, int cls, int additional, byte[] buf) {
        ByteBuffer b = body(32 + buf.length);
        b.putShort((short) 33).put((byte) type).put((byte) cls).putInt(buf.length).putShort((short) 96)
                .putShort((short) 0).putInt(additional).putLong(fid).putLong(fid).put(buf);
        return call(0x11, b);
    }

    ByteBuffer queryInfo(long fid, int type, int cls, int additional, int outLen) {
        ByteBuffer b = body(40);
        b.putShort((short) 41).put((byte) type).put((byte) cls).putInt(outLen).putShort((short) 0)
                .putShort((short) 0).putInt(0).putInt(additional).putInt(0).putLong(fid).putLong(fid);
        return call(0x10, b);
    }

    /** The output buffer of a QUERY_INFO reply. */
    static byte[] infoBuffer(ByteBuffer reply) {
        int off = reply.getShort(64 + 2) & 0xFFFF;
        byte[] out = new byte[reply.getInt(64 + 4)];
        reply.get(off, out);
        return out;
    }

    /** FileRenameInformation (MS-FSCC 2.4.37.2). */
    static byte[] rename(boolean replace, String target) {
        byte[] n = target.getBytes(StandardCharsets.UTF_16LE);
        return body(20 + n.length).put((byte) (replace ? 1 : 0)).put(new byte[7]).putLong(0).putInt(n.length).put(n)
                .array();
    }
}
