package io.dittofs.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A minimal NFSv4.0 client for checks from the host (raw COMPOUNDs over one TCP connection per call,
 * AUTH_SYS root): a confirmed client id (SETCLIENTID + SETCLIENTID_CONFIRM, so the server records
 * it for the grace period after a restart) and LOCKT of a file by path.
 */
final class Nfs40Probe {
    static final int NFS4_OK = 0;
    static final int NFS4ERR_DENIED = 10010;
    static final int NFS4ERR_GRACE = 10013;

    private Nfs40Probe() {
    }

    /** SETCLIENTID + SETCLIENTID_CONFIRM for {@code name}; the confirmed client id. */
    static long setclientid(int port, String name) throws IOException {
        try (Socket s = connect(port)) {
            byte[] owner = name.getBytes(StandardCharsets.US_ASCII);
            ByteBuffer op = ByteBuffer.allocate(256).putInt(35).putLong(1).putInt(owner.length).put(owner);
            pad(op, owner.length);
            op.putInt(0x40000000).put(xdrString("tcp")).put(xdrString("127.0.0.1.0.1")).putInt(1);
            ByteBuffer r = compound(s, 1, 1, op);
            assertEquals(NFS4_OK, r.getInt(), "SETCLIENTID");
            assertEquals(35, r.getInt());
            assertEquals(NFS4_OK, r.getInt());
            long clientId = r.getLong();
            long verifier = r.getLong();
            ByteBuffer c = compound(s, 2, 1, ByteBuffer.allocate(20).putInt(36).putLong(clientId).putLong(verifier));
            assertEquals(NFS4_OK, c.getInt(), "SETCLIENTID_CONFIRM");
            return clientId;
        }
    }

    /**
     * PUTROOTFH, a LOOKUP per name of {@code path}, LOCKT (write, {@code offset}, {@code length}) for
     * lock-owner "checker" of {@code clientId}; the status of the compound.
     */
    static int lockt(int port, long clientId, List<String> path, long offset, long length) throws IOException {
        try (Socket s = connect(port)) {
            ByteBuffer ops = ByteBuffer.allocate(512).putInt(24);
            for (String name : path) {
                ops.putInt(15).put(xdrString(name));
            }
            byte[] owner = "checker".getBytes(StandardCharsets.US_ASCII);
            ops.putInt(13).putInt(2).putLong(offset).putLong(length).putLong(clientId).putInt(owner.length).put(owner);
            pad(ops, owner.length);
            return compound(s, 7, 2 + path.size(), ops).getInt();
        }
    }

    private static Socket connect(int port) throws IOException {
        Socket s = new Socket();
        try {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            s.setSoTimeout(30_000);
            return s;
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    /** One NFSv4.0 COMPOUND (empty tag) of {@code count} ops; the reply from its status on. */
    private static ByteBuffer compound(Socket s, int xid, int count, ByteBuffer op) throws IOException {
        op.flip();
        byte[] machine = "e2e".getBytes(StandardCharsets.US_ASCII);
        ByteBuffer b = ByteBuffer.allocate(4 + 80 + 12 + op.remaining());
        b.putInt(0).putInt(xid).putInt(0).putInt(2).putInt(100003).putInt(4).putInt(1);
        b.putInt(1).putInt(24).putInt(0).putInt(machine.length).put(machine).put((byte) 0);
        b.putInt(0).putInt(0).putInt(0).putInt(0).putInt(0);
        b.putInt(0).putInt(0).putInt(count).put(op);
        b.putInt(0, 0x80000000 | (b.position() - 4));
        s.getOutputStream().write(b.array(), 0, b.position());
        DataInputStream in = new DataInputStream(s.getInputStream());
        int len = in.readInt() & 0x7fffffff;
        assertTrue(len < 1 << 20, "reply of " + len + " bytes");
        byte[] body = new byte[len];
        in.readFully(body);
        ByteBuffer r = ByteBuffer.wrap(body);
        assertEquals(xid, r.getInt());
        r.getInt(); // REPLY
        assertEquals(0, r.getInt(), "MSG_ACCEPTED");
        r.getInt(); // verifier flavor
        skipOpaque(r);
        assertEquals(0, r.getInt(), "accept_stat");
        int status = r.getInt();
        skipOpaque(r); // tag
        r.getInt(); // numres
        ByteBuffer out = ByteBuffer.allocate(4 + r.remaining()).putInt(status).put(r);
        return out.flip();
    }

    private static void skipOpaque(ByteBuffer r) {
        int len = r.getInt();
        r.position(r.position() + ((len + 3) & ~3));
    }

    private static byte[] xdrString(String v) {
        byte[] b = v.getBytes(StandardCharsets.US_ASCII);
        return ByteBuffer.allocate(4 + ((b.length + 3) & ~3)).putInt(b.length).put(b).array();
    }

    private static void pad(ByteBuffer b, int len) {
        for (int i = len; (i & 3) != 0; i++) {
            b.put((byte) 0);
        }
    }
}
