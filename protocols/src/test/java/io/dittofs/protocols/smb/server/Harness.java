package io.dittofs.protocols.smb.server;

import io.dittofs.core.FileSystem;
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
import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A raw SMB2 client on the dispatcher for the async tests: one connection with an established
 * session and a tree on a memory share; every reply's after-send actions run (so waiting requests
 * are armed as on a real connection) and final responses of waiting requests are encoded by the
 * dispatcher's own {@link SmbDispatcher#encodeFinal} into {@link #finals}. Not thread-safe.
 */
final class Harness {
    static final int GENERIC_RW = 0xC000_0000;
    final LockManager locks;
    final FileSystem fs;
    final ConnState conn;
    final Session session;
    final SmbDispatcher dispatcher = new SmbDispatcher(Handlers.all());
    final CreditWindow credits = new CreditWindow(512);
    final BlockingQueue<ByteBuffer> finals = new LinkedBlockingQueue<>();
    long mid = 1;
    int tree;

    Harness(LockManager locks, FileSystem fs) {
        this(locks, fs, null);
    }

    /** With {@code signingKey} the session signs (SMB 3.0.2 AES-CMAC) and every request is signed. */
    Harness(LockManager locks, FileSystem fs, byte[] signingKey) {
        this.locks = locks;
        this.fs = fs;
        conn = SmbFixtures.connection(new SmbServices(SmbConfig.defaults(), SmbFixtures.export(fs),
                SmbFixtures.users(SmbFixtures.ALICE), locks), 0x0302);
        conn.async().sink((op, status, b) -> {
            byte[] out = new byte[1 << 16];
            int len = SmbDispatcher.encodeFinal(op, status, b, new SmbEncoder(MemorySegment.ofArray(out)));
            finals.add(ByteBuffer.wrap(out, 0, len).slice().order(ByteOrder.LITTLE_ENDIAN));
        });
        session = SmbFixtures.session(conn, SmbFixtures.ALICE,
                signingKey == null ? null : io.dittofs.protocols.smb.crypto.Signers.forDialect(0x0302, 0, signingKey));
        credits.consume(0, 1);
        credits.grant(500);
        ByteBuffer r = call(3, SmbFixtures.treeConnect());
        assertEquals(NtStatus.SUCCESS, r.getInt(8));
        tree = r.getInt(36);
    }

    static ByteBuffer body(int n) {
        return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** An element: header (flags, NextCommand) and body. */
    byte[] element(int cmd, int flags, long messageId, ByteBuffer b, boolean last) {
        byte[] bb = Arrays.copyOf(b.array(), b.position());
        int len = 64 + bb.length;
        int padded = last ? len : (len + 7) & ~7;
        ByteBuffer m = body(padded);
        m.putInt(0x424D53FE).putShort((short) 64).putShort((short) 1).putInt(0).putShort((short) cmd)
                .putShort((short) 1).putInt(flags | (session.signer() != null ? 0x8 : 0)).putInt(last ? 0 : padded).putLong(messageId).putInt(0xFEFF)
                .putInt(tree).putLong(session.id()).put(new byte[16]).put(bb);
        return m.array();
    }

    /** Runs one message; returns the reply (possibly empty). */
    ByteBuffer run(byte[] msg) {
        MemorySegment seg = MemorySegment.ofArray(msg);
        var elems = SmbDispatcher.split(seg, 64);
        if (session.signer() != null) {
            for (var e : elems) {
                session.signer().sign(ByteBuffer.wrap(msg), (int) e.offset(), (int) e.length());
            }
        }
        for (var e : elems) {
            if (e.header().command() != 12) {
                assertTrue(credits.consume(e.header().messageId(), 1));
            }
        }
        byte[] out = new byte[1 << 16];
        SmbDispatcher.Result res = dispatcher.process(conn, credits, seg, elems,
                new SmbEncoder(MemorySegment.ofArray(out)));
        res.afterSend().forEach(Runnable::run);
        return ByteBuffer.wrap(out, 0, res.length()).slice().order(ByteOrder.LITTLE_ENDIAN);
    }

    ByteBuffer call(int cmd, ByteBuffer b) {
        return run(element(cmd, 0, mid++, b, true));
    }

    /** Sends a CANCEL naming the request by AsyncId ({@code async}) or by MessageId. */
    void cancel(boolean async, long id) {
        byte[] m = element(12, async ? 0x2 : 0, async ? 0 : id, body(4).putShort((short) 4).putShort((short) 0), true);
        if (async) {
            ByteBuffer.wrap(m).order(ByteOrder.LITTLE_ENDIAN).putLong(32, id);
        }
        assertEquals(0, run(m).remaining(), "CANCEL has no response");
    }

    long create(String name, int options) {
        ByteBuffer r = call(5, SmbFixtures.createBody(name, GENERIC_RW, 3, options));
        assertEquals(NtStatus.SUCCESS, r.getInt(8));
        return r.getLong(64 + 72);
    }

    static ByteBuffer lockBody(long fid, long offset, long length, int flags) {
        ByteBuffer b = body(48);
        b.putShort((short) 48).putShort((short) 1).putInt(0).putLong(fid).putLong(fid)
                .putLong(offset).putLong(length).putInt(flags).putInt(0);
        return b;
    }

    ByteBuffer lock(long fid, long offset, long length, int flags) {
        return call(10, lockBody(fid, offset, length, flags));
    }

    int close(long fid) {
        ByteBuffer b = body(24);
        b.putShort((short) 24).putShort((short) 0).putInt(0).putLong(fid).putLong(fid);
        return call(6, b).getInt(8);
    }

    /** The next final response, or null after {@code millis}. */
    ByteBuffer nextFinal(long millis) throws InterruptedException {
        return finals.poll(millis, TimeUnit.MILLISECONDS);
    }
}
