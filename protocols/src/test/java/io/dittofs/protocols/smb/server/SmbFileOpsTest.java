package io.dittofs.protocols.smb.server;

import io.dittofs.core.AuthContext;
import io.dittofs.core.FileSystem;
import io.dittofs.core.ShareAccess;
import io.dittofs.core.ShareRegistry;
import io.dittofs.protocols.smb.ConnState;
import io.dittofs.protocols.smb.NtStatus;
import io.dittofs.protocols.smb.Session;
import io.dittofs.protocols.smb.SmbConfig;
import io.dittofs.protocols.smb.SmbServices;
import io.dittofs.protocols.smb.codec.SmbEncoder;
import io.dittofs.protocols.smb.handler.Handlers;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The file commands through the dispatcher on memory stores, with a session established directly
 * (authentication is covered elsewhere): dispositions, read/write, delete-on-close, rename,
 * directory enumeration with resume, related compounds, share access levels, credit charges.
 */
class SmbFileOpsTest {
    private static final int GENERIC_RW = 0xC000_0000;
    private static final int DELETE = 0x1_0000;
    private FileSystem fs;
    private ShareRegistry shares;
    private ConnState conn;
    private Session session;
    private SmbDispatcher dispatcher;
    private CreditWindow credits;
    private long mid = 1;
    private int tree;
    private ShareAccess access = ShareAccess.READ_WRITE;
    private long sessionId;

    @BeforeEach
    void setUp() {
        fs = SmbFixtures.memoryFs();
        shares = SmbFixtures.export(fs, c -> access);
        conn = SmbFixtures.connection(new SmbServices(SmbConfig.defaults(), shares,
                SmbFixtures.users(SmbFixtures.ALICE)), 0x0302);
        session = SmbFixtures.session(conn, SmbFixtures.ALICE, null);
        dispatcher = new SmbDispatcher(Handlers.all());
        credits = new CreditWindow(512);
        credits.consume(0, 1);
        credits.grant(500);
        ByteBuffer r = call(3, 1, SmbFixtures.treeConnect());
        assertEquals(NtStatus.SUCCESS, r.getInt(8));
        tree = r.getInt(36);
    }

    private static ByteBuffer body(int n) {
        return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    }

    private ByteBuffer header(int cmd, int charge, int flags, int next) {
        ByteBuffer h = body(64);
        h.putInt(0x424D53FE).putShort((short) 64).putShort((short) charge).putInt(0).putShort((short) cmd)
                .putShort((short) 1).putInt(flags).putInt(next).putLong(mid).putInt(0xFEFF).putInt(tree)
                .putLong(sessionId != 0 ? sessionId : session.id()).put(new byte[16]);
        mid += Math.max(1, charge);
        return h.flip();
    }

    /** Runs one message of the given elements; returns the reply. */
    private ByteBuffer run(byte[] msg) {
        MemorySegment seg = MemorySegment.ofArray(msg);
        var elems = SmbDispatcher.split(seg, 64);
        for (var e : elems) {
            assertTrue(credits.consume(e.header().messageId(), Math.max(1, e.header().creditCharge())));
        }
        byte[] out = new byte[2 << 20];
        SmbDispatcher.Result res = dispatcher.process(conn, credits, seg, elems, new SmbEncoder(MemorySegment.ofArray(out)));
        credits.grant(10);
        return ByteBuffer.wrap(out, 0, res.length()).slice().order(ByteOrder.LITTLE_ENDIAN);
    }

    private ByteBuffer call(int cmd, int charge, ByteBuffer b) {
        byte[] bb = java.util.Arrays.copyOf(b.array(), b.position());
        ByteBuffer m = body(64 + bb.length).put(header(cmd, charge, 0, 0)).put(bb);
        return run(m.array());
    }

    private ByteBuffer create(String name, int access, int disposition, int options) {
        return call(5, 1, SmbFixtures.createBody(name, access, disposition, options, 2));
    }

    private static long fid(ByteBuffer createReply) {
        return createReply.getLong(64 + 72);
    }

    private ByteBuffer write(long fid, long off, byte[] data) {
        ByteBuffer b = body(48 + data.length);
        b.putShort((short) 49).putShort((short) 112).putInt(data.length).putLong(off).putLong(fid).putLong(fid)
                .putInt(0).putInt(0).putShort((short) 0).putShort((short) 0).putInt(0).put(data);
        return call(9, Math.max(1, (data.length + 65535) / 65536), b);
    }

    private ByteBuffer read(long fid, long off, int len, int charge) {
        return read(fid, off, len, charge, 0);
    }

    private ByteBuffer read(long fid, long off, int len, int charge, int minimum) {
        ByteBuffer b = body(49);
        b.putShort((short) 49).put((byte) 0).put((byte) 0).putInt(len).putLong(off).putLong(fid).putLong(fid)
                .putInt(minimum).putInt(0).putInt(0).putShort((short) 0).putShort((short) 0).put((byte) 0);
        return call(8, charge, b);
    }

    private ByteBuffer close(long fid) {
        ByteBuffer b = body(24);
        b.putShort((short) 24).putShort((short) 1).putInt(0).putLong(fid).putLong(fid);
        return call(6, 1, b);
    }

    private ByteBuffer setInfo(long fid, int cls, byte[] buf) {
        ByteBuffer b = body(32 + buf.length);
        b.putShort((short) 33).put((byte) 1).put((byte) cls).putInt(buf.length).putShort((short) 96)
                .putShort((short) 0).putInt(0).putLong(fid).putLong(fid).put(buf);
        return call(0x11, 1, b);
    }

    private ByteBuffer queryDir(long fid, int flags, String pattern, int outLen) {
        byte[] p = pattern.getBytes(StandardCharsets.UTF_16LE);
        ByteBuffer b = body(32 + p.length);
        b.putShort((short) 33).put((byte) 37).put((byte) flags).putInt(0).putLong(fid).putLong(fid)
                .putShort((short) 96).putShort((short) p.length).putInt(outLen).put(p);
        return call(0x0E, 1, b);
    }

    @Test
    void shouldCreateWriteReadAndCloseAFile() {
        ByteBuffer c = create("a.bin", GENERIC_RW, 2, 0x40);
        assertEquals(NtStatus.SUCCESS, c.getInt(8));
        assertEquals(2, c.getInt(64 + 4), "FILE_CREATED");
        long f = fid(c);
        byte[] data = new byte[200_000];
        new java.util.Random(1).nextBytes(data);
        assertEquals(NtStatus.SUCCESS, write(f, 0, data).getInt(8));
        ByteBuffer r = read(f, 0, data.length, 4);
        assertEquals(NtStatus.SUCCESS, r.getInt(8));
        int len = r.getInt(64 + 4);
        byte[] back = new byte[len];
        r.get(r.get(64 + 2) & 0xFF, back);
        assertArrayEquals(data, back);
        assertEquals(NtStatus.END_OF_FILE, read(f, data.length, 10, 1).getInt(8));
        ByteBuffer cl = close(f);
        assertEquals(NtStatus.SUCCESS, cl.getInt(8));
        assertEquals(data.length, cl.getLong(64 + 48), "post-query EndOfFile");
        assertEquals(NtStatus.FILE_CLOSED, read(f, 0, 1, 1).getInt(8));
    }

    @Test
    void shouldRefuseAMultiCreditReadWithoutTheCharge() {
        long f = fid(create("b.bin", GENERIC_RW, 2, 0));
        write(f, 0, new byte[300_000]);
        assertEquals(NtStatus.INVALID_PARAMETER, read(f, 0, 300_000, 1).getInt(8));
        assertEquals(NtStatus.SUCCESS, read(f, 0, 300_000, 5).getInt(8));
        assertEquals(NtStatus.INVALID_PARAMETER, read(f, 0, (8 << 20) + 1, 129).getInt(8), "over MaxReadSize");
    }

    @Test
    void shouldHonourCreateDispositions() {
        close(fid(create("d.txt", GENERIC_RW, 2, 0)));
        assertEquals(NtStatus.OBJECT_NAME_COLLISION, create("d.txt", GENERIC_RW, 2, 0).getInt(8));
        assertEquals(NtStatus.OBJECT_NAME_NOT_FOUND, create("missing", GENERIC_RW, 1, 0).getInt(8));
        assertEquals(NtStatus.OBJECT_PATH_NOT_FOUND, create("nodir\\x", GENERIC_RW, 3, 0).getInt(8));
        long f = fid(create("d.txt", GENERIC_RW, 1, 0));
        write(f, 0, new byte[100]);
        close(f);
        ByteBuffer o = create("d.txt", GENERIC_RW, 5, 0);
        assertEquals(3, o.getInt(64 + 4), "FILE_OVERWRITTEN");
        assertEquals(0, o.getLong(64 + 48), "truncated");
        assertEquals(NtStatus.NOT_A_DIRECTORY, create("d.txt", GENERIC_RW, 1, 0x1).getInt(8));
        ByteBuffer dir = create("sub", GENERIC_RW, 2, 0x1);
        assertEquals(NtStatus.SUCCESS, dir.getInt(8));
        assertEquals(0x10, dir.getInt(64 + 56) & 0x10, "a directory");
        assertEquals(NtStatus.FILE_IS_A_DIRECTORY, create("sub", GENERIC_RW, 1, 0x40).getInt(8));
    }

    @Test
    void shouldDeleteOnClose() {
        close(fid(create("gone.txt", GENERIC_RW, 2, 0)));
        long f = fid(create("gone.txt", DELETE, 1, 0x1000));
        assertEquals(NtStatus.SUCCESS, close(f).getInt(8));
        assertEquals(NtStatus.OBJECT_NAME_NOT_FOUND, create("gone.txt", GENERIC_RW, 1, 0).getInt(8));
        long d = fid(create("full", GENERIC_RW | DELETE, 2, 0x1));
        close(fid(create("full\\x", GENERIC_RW, 2, 0)));
        assertEquals(NtStatus.DIRECTORY_NOT_EMPTY, setInfo(d, 13, new byte[] {1}).getInt(8));
    }

    @Test
    void shouldRenameWithAndWithoutReplace() {
        close(fid(create("src.txt", GENERIC_RW, 2, 0)));
        close(fid(create("dst.txt", GENERIC_RW, 2, 0)));
        long f = fid(create("src.txt", GENERIC_RW | DELETE, 1, 0));
        assertEquals(NtStatus.OBJECT_NAME_COLLISION, setInfo(f, 10, rename(false, "dst.txt")).getInt(8));
        assertEquals(NtStatus.SUCCESS, setInfo(f, 10, rename(true, "dst.txt")).getInt(8));
        close(f);
        assertEquals(NtStatus.OBJECT_NAME_NOT_FOUND, create("src.txt", GENERIC_RW, 1, 0).getInt(8));
        assertEquals(NtStatus.SUCCESS, create("dst.txt", GENERIC_RW, 1, 0).getInt(8));
    }

    private static byte[] rename(boolean replace, String target) {
        byte[] n = target.getBytes(StandardCharsets.UTF_16LE);
        return body(20 + n.length).put((byte) (replace ? 1 : 0)).put(new byte[7]).putLong(0).putInt(n.length).put(n)
                .array();
    }

    @Test
    void shouldEnumerateALargeDirectoryAcrossCallsAndRestart() {
        close(fid(create("big", GENERIC_RW, 2, 0x1)));
        for (int i = 0; i < 300; i++) {
            close(fid(create("big\\file-" + i + ".dat", GENERIC_RW, 2, 0)));
        }
        long d = fid(create("big", 0x1, 1, 0x1));
        Set<String> seen = new HashSet<>();
        int calls = 0;
        int flags = 0;
        while (true) {
            ByteBuffer r = queryDir(d, flags, "*", 4096);
            flags = 0;
            if (r.getInt(8) == NtStatus.NO_MORE_FILES) {
                assertEquals(9, r.getShort(64), "NO_MORE_FILES carries the ERROR body");
                break;
            }
            assertEquals(NtStatus.SUCCESS, r.getInt(8));
            calls++;
            int off = 64 + (r.getShort(64 + 2) & 0xFFFF) - 64;
            while (true) {
                int nameLen = r.getInt(off + 60);
                byte[] nb = new byte[nameLen];
                r.get(off + 104, nb);
                assertTrue(seen.add(new String(nb, StandardCharsets.UTF_16LE)), "each name once");
                int next = r.getInt(off);
                if (next == 0) {
                    break;
                }
                off += next;
            }
        }
        assertEquals(302, seen.size(), ". .. and 300 files");
        assertTrue(calls > 1, "resumed over several calls");
        ByteBuffer again = queryDir(d, 0x1, "file-29?.dat", 65536);
        assertEquals(NtStatus.SUCCESS, again.getInt(8), "restart with a pattern");
        ByteBuffer none = queryDir(d, 0x1, "nothing*", 65536);
        assertEquals(NtStatus.NO_SUCH_FILE, none.getInt(8));
    }

    @Test
    void shouldRunARelatedCompoundOnTheCreatedFile() {
        byte[] n = "comp.txt".getBytes(StandardCharsets.UTF_16LE);
        ByteBuffer cb = body(56 + n.length + 8 - (56 + n.length) % 8);
        cb.putShort((short) 57).put((byte) 0).put((byte) 0).putInt(2).putLong(0).putLong(0).putInt(GENERIC_RW)
                .putInt(0).putInt(7).putInt(2).putInt(0).putShort((short) 120).putShort((short) n.length)
                .putInt(0).putInt(0).put(n);
        byte[] data = "related".getBytes(StandardCharsets.UTF_8);
        ByteBuffer wb = body(48 + data.length + 1);
        wb.putShort((short) 49).putShort((short) 112).putInt(data.length).putLong(0).putLong(-1).putLong(-1)
                .putInt(0).putInt(0).putShort((short) 0).putShort((short) 0).putInt(0).put(data).put((byte) 0);
        ByteBuffer clb = body(24).putShort((short) 24).putShort((short) 1).putInt(0).putLong(-1).putLong(-1);
        int l1 = 64 + cb.capacity();
        int l2 = 64 + wb.capacity() + (8 - (64 + wb.capacity()) % 8) % 8;
        ByteBuffer m = body(l1 + l2 + 64 + 24);
        m.put(header(5, 1, 0, l1)).put(cb.array());
        m.put(header(9, 1, 0x4, l2)).put(wb.array());
        m.position(l1 + l2);
        m.put(header(6, 1, 0x4, 0)).put(clb.array());
        ByteBuffer r = run(m.array());
        int off = 0;
        for (int i = 0; i < 3; i++) {
            assertEquals(NtStatus.SUCCESS, r.getInt(off + 8), "element " + i);
            off += r.getInt(off + 20);
        }
        assertEquals(data.length, fs.lookup(AuthContext.ROOT, fs.rootId(), "comp.txt").size());
    }

    @Test
    void shouldFailRelatedElementsAfterAFailure() {
        byte[] n = "none.txt".getBytes(StandardCharsets.UTF_16LE);
        ByteBuffer cb = body(56 + n.length);
        cb.putShort((short) 57).put((byte) 0).put((byte) 0).putInt(2).putLong(0).putLong(0).putInt(GENERIC_RW)
                .putInt(0).putInt(7).putInt(1).putInt(0).putShort((short) 120).putShort((short) n.length)
                .putInt(0).putInt(0).put(n);
        ByteBuffer clb = body(24).putShort((short) 24).putShort((short) 0).putInt(0).putLong(-1).putLong(-1);
        ByteBuffer m = body(64 + 72 + 64 + 24);
        m.put(header(5, 1, 0, 136)).put(cb.array());
        m.put(header(6, 1, 0x4, 0)).put(clb.array());
        ByteBuffer r = run(m.array());
        assertEquals(NtStatus.OBJECT_NAME_NOT_FOUND, r.getInt(8));
        assertEquals(NtStatus.OBJECT_NAME_NOT_FOUND, r.getInt(r.getInt(20) + 8), "the related CLOSE fails alike");
    }

    @Test
    void shouldRefuseWritesWithReadOnlyShareAccess() {
        close(fid(create("ro.txt", GENERIC_RW, 2, 0)));
        access = ShareAccess.READ;
        assertEquals(NtStatus.ACCESS_DENIED, create("ro.txt", GENERIC_RW, 1, 0).getInt(8));
        assertEquals(NtStatus.ACCESS_DENIED, create("new.txt", 0x1, 2, 0).getInt(8));
        assertEquals(NtStatus.SUCCESS, create("ro.txt", 0x8000_0000, 1, 0).getInt(8));
        access = ShareAccess.NONE;
        assertEquals(NtStatus.ACCESS_DENIED, create("ro.txt", 0x8000_0000, 1, 0).getInt(8));
    }

    private byte[] echo(Session s, boolean signed) {
        ByteBuffer h = body(68);
        h.putInt(0x424D53FE).putShort((short) 64).putShort((short) 1).putInt(0).putShort((short) 0x0D)
                .putShort((short) 1).putInt(signed ? 0x8 : 0).putInt(0).putLong(mid++).putInt(0xFEFF).putInt(0)
                .putLong(s.id()).put(new byte[16]).putShort((short) 4).putShort((short) 0);
        byte[] msg = h.array();
        if (signed) {
            s.signer().sign(ByteBuffer.wrap(msg), 0, msg.length);
        }
        return msg;
    }

    @Test
    void shouldRefuseUnsignedAndBadlySignedRequestsOnASigningSession() {
        byte[] key = new byte[16];
        new java.util.Random(3).nextBytes(key);
        Session s = conn.newSession();
        s.established("alice", new AuthContext(1000, 1000, new int[0], "test"), false,
                io.dittofs.protocols.smb.crypto.Signers.forDialect(0x0302, 0, key), true);
        assertEquals(NtStatus.ACCESS_DENIED, run(echo(s, false)).getInt(8), "unsigned");
        byte[] bad = echo(s, true);
        bad[60] ^= 1;
        assertEquals(NtStatus.ACCESS_DENIED, run(bad).getInt(8), "bad signature");
        ByteBuffer ok = run(echo(s, true));
        assertEquals(NtStatus.SUCCESS, ok.getInt(8), "signed");
        assertEquals(0x8, ok.getInt(16) & 0x8, "the response is signed");
        byte[] resp = new byte[ok.remaining()];
        ok.get(0, resp);
        assertTrue(s.signer().verify(ByteBuffer.wrap(resp), 0, resp.length), "with the session's key");
    }

    @Test
    void shouldRefuseAReadWhoseMinimumCountExceedsItsLength() {
        long f = fid(create("min.bin", GENERIC_RW, 2, 0));
        write(f, 0, new byte[100]);
        assertEquals(NtStatus.END_OF_FILE, read(f, 100, 0, 1, 1).getInt(8), "zero bytes at EOF, one wanted");
        assertEquals(NtStatus.END_OF_FILE, read(f, 0, 5, 1, 10).getInt(8), "MinimumCount over Length");
        assertEquals(NtStatus.SUCCESS, read(f, 100, 0, 1, 0).getInt(8), "zero bytes at EOF, none wanted");
    }

    @Test
    void shouldRefuseCreateWithALeadingBackslashOrABadImpersonationLevel() {
        assertEquals(NtStatus.INVALID_PARAMETER, create("\\lead.txt", GENERIC_RW, 3, 0).getInt(8));
        assertEquals(NtStatus.BAD_IMPERSONATION_LEVEL,
                call(5, 1, SmbFixtures.createBody("imp.txt", GENERIC_RW, 3, 0, 4)).getInt(8));
        assertEquals(NtStatus.SUCCESS, call(5, 1, SmbFixtures.createBody("imp.txt", GENERIC_RW, 3, 0, 3)).getInt(8));
    }

    /** Elements joined into one compound (8-byte aligned), the later ones related when {@code related}. */
    private byte[] compound(boolean firstRelated, int[] cmds, ByteBuffer... bodies) {
        int[] lens = new int[bodies.length];
        int total = 0;
        for (int i = 0; i < bodies.length; i++) {
            lens[i] = (64 + bodies[i].position() + 7) & ~7;
            total += lens[i];
        }
        ByteBuffer m = body(total);
        for (int i = 0; i < bodies.length; i++) {
            int start = m.position();
            boolean rel = i > 0 || firstRelated;
            m.put(header(cmds[i], 1, rel ? 0x4 : 0, i + 1 < bodies.length ? lens[i] : 0));
            m.put(bodies[i].array(), 0, bodies[i].position());
            m.position(start + lens[i]);
        }
        return java.util.Arrays.copyOf(m.array(), total - (lens[lens.length - 1] - 64 - bodies[bodies.length - 1].position()));
    }

    private static ByteBuffer relatedWrite(byte[] data) {
        return body(48 + data.length).putShort((short) 49).putShort((short) 112).putInt(data.length).putLong(0)
                .putLong(-1).putLong(-1).putInt(0).putInt(0).putShort((short) 0).putShort((short) 0).putInt(0)
                .put(data);
    }

    private static ByteBuffer relatedRead() {
        return body(49).putShort((short) 49).put((byte) 0).put((byte) 0).putInt(1).putLong(0).putLong(-1)
                .putLong(-1).putInt(0).putInt(0).putInt(0).putShort((short) 0).putShort((short) 0).put((byte) 0);
    }

    private static ByteBuffer relatedClose() {
        return body(24).putShort((short) 24).putShort((short) 0).putInt(0).putLong(-1).putLong(-1);
    }

    private static int[] statuses(ByteBuffer r) {
        java.util.List<Integer> out = new java.util.ArrayList<>();
        int off = 0;
        while (true) {
            out.add(r.getInt(off + 8));
            int next = r.getInt(off + 20);
            if (next == 0) {
                return out.stream().mapToInt(Integer::intValue).toArray();
            }
            off += next;
        }
    }

    @Test
    void shouldFailOnlyTheFailedElementWhenARelatedRequestOtherThanCreateFails() {
        long f = fid(create("ro6.dat", GENERIC_RW, 2, 0));
        write(f, 0, new byte[64]);
        close(f);
        ByteBuffer r = run(compound(false, new int[] {5, 9, 8, 6}, SmbFixtures.createBody("ro6.dat", 0x1, 3, 0, 2),
                relatedWrite(new byte[8]), relatedRead(), relatedClose()));
        assertArrayEquals(new int[] {NtStatus.SUCCESS, NtStatus.ACCESS_DENIED, NtStatus.SUCCESS, NtStatus.SUCCESS},
                statuses(r), "a WRITE refused on a read-only open does not fail the READ and CLOSE after it");
    }

    @Test
    void shouldSignTheRefusalsOfARelatedCompoundOnASigningSession() {
        byte[] key = new byte[16];
        new java.util.Random(4).nextBytes(key);
        Session s = SmbFixtures.session(conn, SmbFixtures.ALICE,
                io.dittofs.protocols.smb.crypto.Signers.forDialect(0x0302, 0, key));
        sessionId = s.id();
        ByteBuffer t = run(signed(s, compound(false, new int[] {3}, SmbFixtures.treeConnect())));
        assertEquals(NtStatus.SUCCESS, t.getInt(8));
        tree = t.getInt(36);
        // the first element may not be related (MS-SMB2 3.3.5.2.7.2); the CLOSE after the failed CREATE fails alike
        ByteBuffer r = run(signed(s, compound(true, new int[] {5, 6}, SmbFixtures.createBody("sig.dat", GENERIC_RW, 3, 0, 2),
                relatedClose())));
        assertArrayEquals(new int[] {NtStatus.INVALID_PARAMETER, NtStatus.INVALID_PARAMETER}, statuses(r));
        int off = 0;
        for (int i = 0; i < 2; i++) {
            int len = i == 0 ? r.getInt(20) : r.limit() - off;
            assertEquals(0x8, r.getInt(off + 16) & 0x8, "element " + i + " is signed");
            byte[] el = new byte[len];
            r.get(off, el);
            assertTrue(s.signer().verify(ByteBuffer.wrap(el), 0, len), "element " + i + " with the session's key");
            off += len;
        }
    }

    /** Signs each element of a compound over its own bytes (padding included), MS-SMB2 3.2.4.1.1. */
    private static byte[] signed(Session s, byte[] msg) {
        ByteBuffer b = ByteBuffer.wrap(msg).order(ByteOrder.LITTLE_ENDIAN);
        int off = 0;
        while (true) {
            int next = b.getInt(off + 20);
            int len = next == 0 ? msg.length - off : next;
            b.putInt(off + 16, b.getInt(off + 16) | 0x8);
            s.signer().sign(ByteBuffer.wrap(msg), off, len);
            if (next == 0) {
                return msg;
            }
            off += next;
        }
    }

    private static ByteBuffer unsupportedIoctl() {
        return body(56).putShort((short) 57).putShort((short) 0).putInt(0x0009_00C0).putLong(-1).putLong(-1)
                .putInt(0).putInt(0).putInt(0).putInt(0).putInt(0).putInt(64).putInt(1).putInt(0);
    }

    @Test
    void shouldForgetTheRelatedFileIdAtAnUnrelatedElement() {
        ByteBuffer r = run(compound(false, new int[] {5, 6}, SmbFixtures.createBody("inv3.dat", GENERIC_RW, 3, 0, 2),
                relatedClose()));
        assertArrayEquals(new int[] {NtStatus.SUCCESS, NtStatus.SUCCESS}, statuses(r));
        byte[] unrelated = compound(false, new int[] {5, 6, 6}, SmbFixtures.createBody("inv3.dat", GENERIC_RW, 3, 0, 2),
                relatedClose(), relatedClose());
        ByteBuffer m = ByteBuffer.wrap(unrelated).order(ByteOrder.LITTLE_ENDIAN);
        int second = m.getInt(20);
        m.putInt(second + 16, m.getInt(second + 16) & ~0x4); // the first CLOSE unrelated, the second related
        assertArrayEquals(new int[] {NtStatus.SUCCESS, NtStatus.FILE_CLOSED, NtStatus.FILE_CLOSED},
                statuses(run(unrelated)), "the all-ones FileId names nothing after an unrelated element");
        ByteBuffer io = run(compound(false, new int[] {0x0B, 6}, unsupportedIoctl(), relatedClose()));
        assertArrayEquals(new int[] {NtStatus.FILE_CLOSED, NtStatus.FILE_CLOSED}, statuses(io),
                "an unsupported FSCTL on no open is FILE_CLOSED");
    }

    @Test
    void shouldFailAChainWhoseFirstElementIsRelated() {
        long f = fid(create("first.dat", GENERIC_RW, 3, 0));
        ByteBuffer cl = body(24).putShort((short) 24).putShort((short) 0).putInt(0).putLong(f).putLong(f);
        ByteBuffer r = run(compound(true, new int[] {6, 6}, relatedClose(), cl));
        assertArrayEquals(new int[] {NtStatus.INVALID_PARAMETER, NtStatus.INVALID_PARAMETER}, statuses(r));
        assertEquals(NtStatus.SUCCESS, close(f).getInt(8), "the open was left alone");
    }

    @Test
    void shouldAnswerInvalidParameterToAnUnknownCommand() {
        assertEquals(NtStatus.INVALID_PARAMETER, call(0xFF, 1, body(4).putShort((short) 4).putShort((short) 0))
                .getInt(8));
    }

    private ByteBuffer queryInfo(long fid, int type, int cls, int outLen) {
        ByteBuffer b = body(40).putShort((short) 41).put((byte) type).put((byte) cls).putInt(outLen)
                .putShort((short) 0).putShort((short) 0).putInt(0).putInt(0).putInt(0).putLong(fid).putLong(fid);
        return call(0x10, 1, b);
    }

    @Test
    void shouldAnswerInfoLengthMismatchBelowTheWindowsMinimumBuffer() {
        long f = fid(create("q.txt", GENERIC_RW, 2, 0));
        assertEquals(NtStatus.INFO_LENGTH_MISMATCH, queryInfo(f, 2, 1, 20).getInt(8), "fs volume needs 24");
        assertEquals(NtStatus.BUFFER_OVERFLOW, queryInfo(f, 2, 1, 24).getInt(8), "label cut from 24 on");
        assertEquals(NtStatus.INFO_LENGTH_MISMATCH, queryInfo(f, 2, 5, 14).getInt(8), "fs attribute needs 16");
        assertEquals(NtStatus.INFO_LENGTH_MISMATCH, queryInfo(f, 1, 18, 102).getInt(8), "all needs 104");
        ByteBuffer ctl = queryInfo(f, 2, 6, 4096);
        assertEquals(NtStatus.SUCCESS, ctl.getInt(8), "FileFsControlInformation");
        assertEquals(48, ctl.getInt(64 + 4));
    }

    @Test
    void shouldServeTheVolumeObjectIdAndTheNormalizedName() {
        long f = fid(create("norm.txt", GENERIC_RW, 2, 0));
        ByteBuffer oid = queryInfo(f, 2, 8, 4096);
        assertEquals(NtStatus.SUCCESS, oid.getInt(8), "FileFsObjectIdInformation");
        assertEquals(64, oid.getInt(64 + 4));
        ByteBuffer n = queryInfo(f, 1, 48, 4096);
        assertEquals(NtStatus.SUCCESS, n.getInt(8), "FileNormalizedNameInformation");
        byte[] name = new byte[n.getInt(64 + 8)];
        n.get(64 + 8 + 4, name);
        assertEquals("norm.txt", new String(name, StandardCharsets.UTF_16LE), "share-relative, no leading backslash");
    }

    @Test
    void shouldRefuseTheTemporaryAttributeOnADirectory() {
        long d = fid(create("tmpdir", GENERIC_RW | 0x100, 2, 0x1));
        byte[] basic = body(40).putLong(32, 0x100).array();
        assertEquals(NtStatus.INVALID_PARAMETER, setInfo(d, 4, basic).getInt(8));
        assertEquals(NtStatus.SUCCESS, setInfo(d, 4, body(40).putInt(32, 0x10).array()).getInt(8));
    }

    @Test
    void shouldRefuseDeleteOnCloseOfAReadOnlyFile() {
        ByteBuffer fresh = SmbFixtures.createBody("ro-new.txt", GENERIC_RW | DELETE, 2, 0x1000, 2).putInt(28, 0x1);
        assertEquals(NtStatus.CANNOT_DELETE, call(5, 1, fresh).getInt(8), "created read-only with delete-on-close");
        long f = fid(create("ro-old.txt", GENERIC_RW, 2, 0));
        close(f);
        long id = fs.lookup(AuthContext.ROOT, fs.rootId(), "ro-old.txt").id();
        fs.setattr(AuthContext.ROOT, id, io.dittofs.core.SetAttr.mode(0444), -1);
        assertEquals(NtStatus.CANNOT_DELETE, create("ro-old.txt", DELETE, 1, 0x1000).getInt(8));
        assertEquals(NtStatus.SUCCESS, create("ro-old.txt", DELETE, 1, 0).getInt(8), "without delete-on-close");
        long g = fid(create("ro-set.txt", GENERIC_RW | DELETE, 2, 0));
        assertEquals(NtStatus.SUCCESS, setInfo(g, 4, body(40).putInt(32, 0x1).array()).getInt(8), "READONLY set");
        assertEquals(0444, fs.lookup(AuthContext.ROOT, fs.rootId(), "ro-set.txt").mode() & 0777, "as the mode");
        assertEquals(NtStatus.CANNOT_DELETE, create("ro-set.txt", DELETE, 1, 0x1000).getInt(8));
        assertEquals(NtStatus.SUCCESS, setInfo(g, 4, body(40).putInt(32, 0x20).array()).getInt(8), "READONLY cleared");
        assertEquals(0644, fs.lookup(AuthContext.ROOT, fs.rootId(), "ro-set.txt").mode() & 0777);
    }
}
