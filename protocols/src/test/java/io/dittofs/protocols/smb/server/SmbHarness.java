package io.dittofs.protocols.smb.server;

import io.dittofs.core.FileSystem;
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
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One connection's worth of state on memory stores driven through the real dispatcher and
 * handlers, with a session established directly and a tree connected to {@code \\x\export};
 * requests are built byte by byte. For READ/WRITE/IOCTL tests. Not thread-safe.
 */
final class SmbHarness {
    static final int GENERIC_RW = 0xC000_0000;
    static final int GENERIC_READ = 0x8000_0000;
    static final int GENERIC_WRITE = 0x4000_0000;
    final FileSystem fs;
    final ConnState conn;
    private final Session session;
    private final SmbDispatcher dispatcher = new SmbDispatcher(Handlers.all());
    private final CreditWindow credits = new CreditWindow(1024);
    private final int tree;
    private long mid = 1;

    SmbHarness(int dialect) {
        fs = SmbFixtures.memoryFs();
        conn = SmbFixtures.connection(new SmbServices(SmbConfig.defaults(), SmbFixtures.export(fs),
                SmbFixtures.users(SmbFixtures.ALICE)), dialect);
        session = SmbFixtures.session(conn, SmbFixtures.ALICE, null);
        credits.consume(0, 1);
        credits.grant(1000);
        ByteBuffer r = call(3, 1, SmbFixtures.treeConnect(), 0);
        assertEquals(NtStatus.SUCCESS, r.getInt(8));
        tree = r.getInt(36);
    }

    static ByteBuffer body(int n) {
        return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Runs one request; returns the reply (header at 0, body at 64). */
    ByteBuffer call(int cmd, int charge, ByteBuffer b) {
        return call(cmd, charge, b, tree);
    }

    private ByteBuffer call(int cmd, int charge, ByteBuffer b, int treeId) {
        byte[] bb = Arrays.copyOf(b.array(), b.position());
        ByteBuffer h = body(64 + bb.length);
        h.putInt(0x424D53FE).putShort((short) 64).putShort((short) charge).putInt(0).putShort((short) cmd)
                .putShort((short) 1).putInt(0).putInt(0).putLong(mid).putInt(0xFEFF).putInt(treeId)
                .putLong(session.id()).put(new byte[16]).put(bb);
        mid += Math.max(1, charge);
        MemorySegment seg = MemorySegment.ofArray(h.array());
        var elems = SmbDispatcher.split(seg, 64);
        for (var e : elems) {
            assertTrue(credits.consume(e.header().messageId(), Math.max(1, e.header().creditCharge())));
        }
        byte[] out = new byte[(8 << 20) + (128 << 10)];
        SmbDispatcher.Result res = dispatcher.process(conn, credits, seg, elems, new SmbEncoder(MemorySegment.ofArray(out)));
        credits.grant(Math.max(1, charge));
        return ByteBuffer.wrap(Arrays.copyOf(out, res.length())).order(ByteOrder.LITTLE_ENDIAN);
    }

    ByteBuffer create(String name, int access, int disposition, int options) {
        return call(5, 1, SmbFixtures.createBody(name, access, disposition, options));
    }

    /** Creates (or opens) a file and returns its FileId. */
    long open(String name, int access) {
        ByteBuffer r = create(name, access, 3, 0x40);
        assertEquals(NtStatus.SUCCESS, r.getInt(8), "create " + name);
        return r.getLong(64 + 72);
    }

    ByteBuffer write(long fid, long off, byte[] data, int charge) {
        ByteBuffer b = body(48 + data.length);
        b.putShort((short) 49).putShort((short) 112).putInt(data.length).putLong(off).putLong(fid).putLong(fid)
                .putInt(0).putInt(0).putShort((short) 0).putShort((short) 0).putInt(0).put(data);
        return call(9, charge, b);
    }

    ByteBuffer read(long fid, long off, int len, int charge) {
        ByteBuffer b = body(49);
        b.putShort((short) 49).put((byte) 0).put((byte) 0).putInt(len).putLong(off).putLong(fid).putLong(fid)
                .putInt(0).putInt(0).putInt(0).putShort((short) 0).putShort((short) 0).put((byte) 0);
        return call(8, charge, b);
    }

    /** The data of a successful READ reply. */
    static byte[] data(ByteBuffer readReply) {
        byte[] back = new byte[readReply.getInt(64 + 4)];
        readReply.get(readReply.get(64 + 2) & 0xFF, back);
        return back;
    }

    ByteBuffer close(long fid) {
        ByteBuffer b = body(24);
        b.putShort((short) 24).putShort((short) 0).putInt(0).putLong(fid).putLong(fid);
        return call(6, 1, b);
    }

    /** An FSCTL on {@code fid} with the given input, allowing {@code maxOut} bytes of output. */
    ByteBuffer ioctl(int code, long fid, byte[] input, int maxOut) {
        ByteBuffer b = body(56 + input.length);
        b.putShort((short) 57).putShort((short) 0).putInt(code).putLong(fid).putLong(fid)
                .putInt(input.length == 0 ? 0 : 64 + 56).putInt(input.length).putInt(0).putInt(0).putInt(0)
                .putInt(maxOut).putInt(1).putInt(0).put(input);
        return call(0x0B, 1, b);
    }

    /** The output of a successful IOCTL reply. */
    static byte[] output(ByteBuffer ioctlReply) {
        int off = ioctlReply.getInt(64 + 32);
        byte[] out = new byte[ioctlReply.getInt(64 + 36)];
        if (out.length > 0) {
            ioctlReply.get(off, out);
        }
        return out;
    }
}
