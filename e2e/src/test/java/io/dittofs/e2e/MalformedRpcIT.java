package io.dittofs.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Raw-socket ONC RPC (RFC 5531) requests the server must answer with the right rejection, and
 * malformed input it must survive (in the manner of helidon's {@code BadPrologueNoEntityTest}).
 * The few RPC messages are built by hand here, byte by byte, not with the project's codecs.
 * After each test the server must still be running and answer a NULL call on a new connection.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class MalformedRpcIT {

    private static final int NFS_PROGRAM = 100003;
    private static final int MOUNT_PROGRAM = 100005;
    private static final int MSG_ACCEPTED = 0;
    private static final int MSG_DENIED = 1;
    private static final int SUCCESS = 0;
    private static final int PROG_UNAVAIL = 1;
    private static final int PROG_MISMATCH = 2;
    private static final int PROC_UNAVAIL = 3;
    private static final int GARBAGE_ARGS = 4;
    private static final int RPC_MISMATCH = 0;

    @RegisterExtension
    static final ServerExtension SERVER = new ServerExtension();

    private int xid = 0x4e550000;

    @AfterEach
    void serverStillServes() throws IOException {
        assertTrue(SERVER.server().isAlive(), "server process died");
        try (Socket s = connect()) {
            Reply r = call(s, NFS_PROGRAM, 3, 0, new byte[0], false);
            assertEquals(MSG_ACCEPTED, r.replyStat());
            assertEquals(SUCCESS, r.stat(), "NULL call on a new connection");
        }
    }

    @Test
    void shouldAnswerNullCallsOfNfsAndMount() throws IOException {
        try (Socket s = connect()) {
            Reply nfs = call(s, NFS_PROGRAM, 3, 0, new byte[0], false);
            assertEquals(SUCCESS, nfs.stat());
            Reply mount = call(s, MOUNT_PROGRAM, 3, 0, new byte[0], false);
            assertEquals(MSG_ACCEPTED, mount.replyStat());
            assertEquals(SUCCESS, mount.stat(), "MOUNT NULL on the NFS port");
        }
    }

    @Test
    void shouldDenyAWrongRpcVersion() throws IOException {
        try (Socket s = connect()) {
            ByteBuffer b = ByteBuffer.allocate(64);
            int id = ++xid;
            b.putInt(id).putInt(0).putInt(3).putInt(NFS_PROGRAM).putInt(3).putInt(0);
            b.putInt(0).putInt(0).putInt(0).putInt(0);
            send(s, b);
            Reply r = readReply(s, id);
            assertEquals(MSG_DENIED, r.replyStat());
            assertEquals(RPC_MISMATCH, r.stat());
            assertEquals(2, r.low());
            assertEquals(2, r.high());
        }
    }

    @Test
    void shouldRejectUnknownProgramVersionAndProcedure() throws IOException {
        try (Socket s = connect()) {
            assertEquals(PROG_UNAVAIL, call(s, 200999, 1, 0, new byte[0], false).stat(), "unknown program");
            Reply v = call(s, NFS_PROGRAM, 7, 0, new byte[0], false);
            assertEquals(PROG_MISMATCH, v.stat(), "NFS version 7");
            assertTrue(v.low() <= 3 && 3 <= v.high(), "supported versions " + v.low() + ".." + v.high() + " include 3");
            assertEquals(PROC_UNAVAIL, call(s, NFS_PROGRAM, 3, 99, new byte[0], true).stat(), "NFSv3 procedure 99");
        }
    }

    @Test
    void shouldAnswerGarbageArgsToATruncatedGetattr() throws IOException {
        try (Socket s = connect()) {
            // GETATTR3args is a nfs_fh3 (length + opaque); send a length of 64 with 3 bytes
            byte[] args = {0, 0, 0, 64, 1, 2, 3};
            Reply r = call(s, NFS_PROGRAM, 3, 1, args, true);
            assertEquals(MSG_ACCEPTED, r.replyStat());
            assertEquals(GARBAGE_ARGS, r.stat());
        }
    }

    @Test
    void shouldCloseTheConnectionOnAnOversizedRecordMarker() throws IOException {
        try (Socket s = connect()) {
            OutputStream out = s.getOutputStream();
            out.write(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xf0, 0, 0, 0, 1});
            out.flush();
            s.setSoTimeout(10_000);
            assertTrue(closedByPeer(s.getInputStream()), "a 2 GiB fragment must make the server close the connection");
        }
    }

    @Test
    void shouldSurviveRandomBytesAndHalfRecords() throws IOException {
        Random random = new Random(7);
        for (int i = 0; i < 20; i++) {
            try (Socket s = connect()) {
                byte[] junk = new byte[1 + random.nextInt(4096)];
                random.nextBytes(junk);
                if (i % 2 == 0) {
                    // a plausible record marker (last fragment, small length) in front of the junk
                    int len = junk.length;
                    junk = ByteBuffer.allocate(4 + len).putInt(0x80000000 | len).put(junk).array();
                }
                try {
                    s.getOutputStream().write(junk);
                    s.getOutputStream().flush();
                } catch (SocketException e) {
                    // the server may already have closed the connection
                }
            }
        }
        try (Socket s = connect()) {
            // a record marker announcing 100 bytes, then only 10, then close
            s.getOutputStream().write(ByteBuffer.allocate(14).putInt(0x80000000 | 100).put(new byte[10]).array());
        }
    }

    private static Socket connect() throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", SERVER.port()), 5_000);
        s.setSoTimeout(30_000);
        return s;
    }

    private Reply call(Socket s, int prog, int vers, int proc, byte[] args, boolean authSys) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(256 + args.length);
        int id = ++xid;
        b.putInt(id).putInt(0).putInt(2).putInt(prog).putInt(vers).putInt(proc);
        if (authSys) {
            byte[] machine = "e2e".getBytes(StandardCharsets.US_ASCII);
            // authsys_parms: stamp, machinename<255>, uid, gid, gids<16>
            b.putInt(1).putInt(4 + 4 + 4 + 4 + 4 + 4);
            b.putInt(0).putInt(machine.length).put(machine).put((byte) 0);
            b.putInt(0).putInt(0).putInt(0);
        } else {
            b.putInt(0).putInt(0);
        }
        b.putInt(0).putInt(0);
        b.put(args);
        send(s, b);
        return readReply(s, id);
    }

    private static void send(Socket s, ByteBuffer body) throws IOException {
        body.flip();
        ByteBuffer rec = ByteBuffer.allocate(4 + body.remaining());
        rec.putInt(0x80000000 | body.remaining()).put(body);
        s.getOutputStream().write(rec.array());
        s.getOutputStream().flush();
    }

    private static Reply readReply(Socket s, int expectedXid) throws IOException {
        DataInputStream in = new DataInputStream(s.getInputStream());
        int marker = in.readInt();
        assertTrue((marker & 0x80000000) != 0, "single-fragment reply expected");
        int len = marker & 0x7fffffff;
        assertTrue(len >= 12 && len < 1 << 20, "reply length " + len);
        byte[] body = new byte[len];
        in.readFully(body);
        ByteBuffer b = ByteBuffer.wrap(body);
        assertEquals(expectedXid, b.getInt(), "xid");
        assertEquals(1, b.getInt(), "msg_type REPLY");
        int replyStat = b.getInt();
        if (replyStat == MSG_ACCEPTED) {
            b.getInt(); // verifier flavor
            int verfLen = b.getInt();
            b.position(b.position() + ((verfLen + 3) & ~3));
            int acceptStat = b.getInt();
            if (acceptStat == PROG_MISMATCH) {
                return new Reply(replyStat, acceptStat, b.getInt(), b.getInt());
            }
            return new Reply(replyStat, acceptStat, -1, -1);
        }
        int rejectStat = b.getInt();
        if (rejectStat == RPC_MISMATCH) {
            return new Reply(replyStat, rejectStat, b.getInt(), b.getInt());
        }
        return new Reply(replyStat, rejectStat, b.getInt(), -1);
    }

    private static boolean closedByPeer(InputStream in) throws IOException {
        try {
            while (true) {
                if (in.read() < 0) {
                    return true;
                }
            }
        } catch (SocketTimeoutException e) {
            return false;
        } catch (EOFException | SocketException e) {
            return true;
        }
    }

    /** reply_stat, then accept_stat or reject_stat, and the mismatch range or auth_stat when present. */
    private record Reply(int replyStat, int stat, int low, int high) {
    }
}
