package io.dittofs.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Raw-socket NFSv4 COMPOUNDs (RFC 7530 / 8881) against the packaged server: well-formed ones it
 * must answer over the pseudo-filesystem, malformed ones it must answer with the right status
 * (or GARBAGE_ARGS) and survive. The messages are built by hand here, not with the project's
 * codecs. After each test the server must still answer NFSv3 and NFSv4 NULL and an NFSv3 GETATTR
 * on a new connection.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class MalformedCompoundIT {
    private static final int NFS = 100003;
    private static final int MOUNT = 100005;
    private static final int SUCCESS = 0;
    private static final int GARBAGE_ARGS = 4;
    private static final int OP_GETATTR = 9;
    private static final int OP_LOOKUP = 15;
    private static final int OP_PUTROOTFH = 24;
    private static final int OP_GETFH = 10;
    private static final int OP_ILLEGAL = 10044;
    private static final int NFS4ERR_RESOURCE = 10018;
    private static final int NFS4ERR_OP_ILLEGAL = 10044;
    private static final int NFS4ERR_BADXDR = 10036;
    private static final int NFS4ERR_MINOR_VERS_MISMATCH = 10021;
    private static final int NFS4ERR_OP_NOT_IN_SESSION = 10071;
    private static final int NFS4ERR_TOO_MANY_OPS = 10070;
    private static final int NFS4ERR_NOFILEHANDLE = 10020;

    @RegisterExtension
    static final ServerExtension SERVER = new ServerExtension();

    private int xid = 0x4e340000;

    /** An RPC reply: accept_stat and the bytes after it. */
    private record Reply(int stat, ByteBuffer body) {
    }

    @AfterEach
    void serverStillServes() throws IOException {
        assertTrue(SERVER.server().isAlive(), "server process died");
        try (Socket s = connect()) {
            assertEquals(SUCCESS, call(s, NFS, 3, 0, new byte[0]).stat(), "NFSv3 NULL");
            assertEquals(SUCCESS, call(s, NFS, 4, 0, new byte[0]).stat(), "NFSv4 NULL");
            // MOUNT the export and GETATTR its root over NFSv3
            Reply m = call(s, MOUNT, 3, 1, xdrString("/export"));
            assertEquals(SUCCESS, m.stat());
            assertEquals(0, m.body().getInt(), "MNT status");
            byte[] fh = new byte[m.body().getInt()];
            m.body().get(fh);
            ByteBuffer args = ByteBuffer.allocate(4 + fh.length).putInt(fh.length).put(fh);
            Reply g = call(s, NFS, 3, 1, args.array());
            assertEquals(SUCCESS, g.stat());
            assertEquals(0, g.body().getInt(), "NFSv3 GETATTR status");
        }
    }

    @Test
    void shouldWalkThePseudoFilesystemIntoTheExport() throws IOException {
        ByteBuffer ops = ByteBuffer.allocate(128);
        ops.putInt(OP_PUTROOTFH).putInt(OP_LOOKUP).put(xdrString("export")).putInt(OP_GETFH);
        ops.putInt(OP_GETATTR).putInt(1).putInt(1 << 1); // bitmap: type
        try (Socket s = connect()) {
            ByteBuffer r = compound(s, 0, 4, ops);
            assertEquals(0, r.getInt(), "COMPOUND status");
            skipTag(r);
            assertEquals(4, r.getInt(), "results");
            assertEquals(OP_PUTROOTFH, r.getInt());
            assertEquals(0, r.getInt());
            assertEquals(OP_LOOKUP, r.getInt());
            assertEquals(0, r.getInt());
            assertEquals(OP_GETFH, r.getInt());
            assertEquals(0, r.getInt());
            int fhLen = r.getInt();
            r.position(r.position() + ((fhLen + 3) & ~3));
            assertEquals(OP_GETATTR, r.getInt());
            assertEquals(0, r.getInt());
            assertEquals(1, r.getInt());
            assertEquals(2, r.getInt(), "bitmap word: type");
            assertEquals(4, r.getInt());
            assertEquals(2, r.getInt(), "NF4DIR");
        }
    }

    @Test
    void shouldAnswerOpIllegalToAnUnknownOpNumber() throws IOException {
        try (Socket s = connect()) {
            ByteBuffer r = compound(s, 0, 2, ByteBuffer.allocate(8).putInt(OP_PUTROOTFH).putInt(4242));
            assertEquals(NFS4ERR_OP_ILLEGAL, r.getInt());
            skipTag(r);
            assertEquals(2, r.getInt());
            r.getInt();
            r.getInt();
            assertEquals(OP_ILLEGAL, r.getInt());
            assertEquals(NFS4ERR_OP_ILLEGAL, r.getInt());
        }
    }

    @Test
    void shouldRefuseTenThousandOpsWithoutReadingThem() throws IOException {
        ByteBuffer ops = ByteBuffer.allocate(40_000);
        for (int i = 0; i < 10_000; i++) {
            ops.putInt(OP_PUTROOTFH);
        }
        try (Socket s = connect()) {
            ByteBuffer r = compound(s, 0, 10_000, ops);
            assertEquals(NFS4ERR_RESOURCE, r.getInt());
            skipTag(r);
            assertEquals(0, r.getInt());
            ByteBuffer claimed = compound(s, 2, Integer.MAX_VALUE, ByteBuffer.allocate(0));
            assertEquals(NFS4ERR_TOO_MANY_OPS, claimed.getInt(), "2^31-1 ops claimed, none sent");
        }
    }

    @Test
    void shouldAnswerTheRightStatusToBrokenCompounds() throws IOException {
        try (Socket s = connect()) {
            assertEquals(NFS4ERR_MINOR_VERS_MISMATCH, compound(s, 3, 1, ByteBuffer.allocate(4).putInt(OP_PUTROOTFH))
                    .getInt());
            assertEquals(NFS4ERR_OP_NOT_IN_SESSION, compound(s, 1, 1, ByteBuffer.allocate(4).putInt(OP_PUTROOTFH))
                    .getInt());
            assertEquals(NFS4ERR_NOFILEHANDLE, compound(s, 0, 1, ByteBuffer.allocate(4).putInt(OP_GETFH)).getInt());
            // LOOKUP whose name claims 200 bytes and carries 3
            ByteBuffer cut = ByteBuffer.allocate(16).putInt(OP_PUTROOTFH).putInt(OP_LOOKUP).putInt(200).putInt(0x61626300);
            assertEquals(NFS4ERR_BADXDR, compound(s, 0, 2, cut).getInt());
            // a tag claiming more bytes than the message holds
            Reply g = call(s, NFS, 4, 1, ByteBuffer.allocate(8).putInt(5000).putInt(0).array());
            assertEquals(GARBAGE_ARGS, g.stat());
        }
    }

    @Test
    void shouldSurviveRandomCompoundBodies() throws IOException {
        Random random = new Random(11);
        try (Socket s = connect()) {
            for (int i = 0; i < 300; i++) {
                byte[] junk = new byte[random.nextInt(512)];
                random.nextBytes(junk);
                if (i % 3 == 0 && junk.length >= 12) {
                    // a plausible header: empty tag, minor 0..2, a small op count
                    ByteBuffer.wrap(junk).putInt(0).putInt(random.nextInt(3)).putInt(random.nextInt(8));
                }
                int stat = call(s, NFS, 4, 1, junk).stat();
                assertTrue(stat == SUCCESS || stat == GARBAGE_ARGS, "accept_stat " + stat);
            }
        }
    }

    // ------------------------------------------------------------------ wire helpers

    private static byte[] xdrString(String v) {
        byte[] b = v.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(4 + ((b.length + 3) & ~3)).putInt(b.length).put(b).array();
    }

    private static void skipTag(ByteBuffer r) {
        int len = r.getInt();
        r.position(r.position() + ((len + 3) & ~3));
    }

    /** Sends COMPOUND4args (empty tag) and returns the result body at its status; the call must be accepted. */
    private ByteBuffer compound(Socket s, int minor, int count, ByteBuffer ops) throws IOException {
        ops.flip();
        ByteBuffer a = ByteBuffer.allocate(12 + ops.remaining()).putInt(0).putInt(minor).putInt(count).put(ops);
        Reply r = call(s, NFS, 4, 1, a.array());
        assertEquals(SUCCESS, r.stat(), "COMPOUND accepted");
        return r.body();
    }

    private static Socket connect() throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", SERVER.port()), 5_000);
        s.setSoTimeout(30_000);
        return s;
    }

    /** One AUTH_SYS (uid 0) call; returns accept_stat and the result. */
    private Reply call(Socket s, int prog, int vers, int proc, byte[] args) throws IOException {
        byte[] machine = "e2e".getBytes(StandardCharsets.US_ASCII);
        ByteBuffer b = ByteBuffer.allocate(4 + 80 + args.length);
        int id = ++xid;
        b.putInt(0).putInt(id).putInt(0).putInt(2).putInt(prog).putInt(vers).putInt(proc);
        b.putInt(1).putInt(24).putInt(0).putInt(machine.length).put(machine).put((byte) 0);
        b.putInt(0).putInt(0).putInt(0);
        b.putInt(0).putInt(0);
        b.put(args);
        int len = b.position() - 4;
        b.putInt(0, 0x80000000 | len);
        try {
            s.getOutputStream().write(b.array(), 0, b.position());
            s.getOutputStream().flush();
        } catch (SocketException e) {
            throw new AssertionError("server closed the connection", e);
        }
        DataInputStream in = new DataInputStream(s.getInputStream());
        int marker = in.readInt();
        int rlen = marker & 0x7fffffff;
        assertTrue((marker & 0x80000000) != 0 && rlen >= 12 && rlen < 2 << 20, "reply record " + rlen);
        byte[] body = new byte[rlen];
        in.readFully(body);
        ByteBuffer r = ByteBuffer.wrap(body);
        assertEquals(id, r.getInt(), "xid");
        assertEquals(1, r.getInt(), "REPLY");
        assertEquals(0, r.getInt(), "MSG_ACCEPTED");
        r.getInt();
        int verf = r.getInt();
        r.position(r.position() + ((verf + 3) & ~3));
        return new Reply(r.getInt(), r);
    }
}
