package io.dittofs.controlplane.cli;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A minimal blocking MOUNT v3 / NFSv3 client over TCP for tests of the export options: AUTH_SYS
 * with a chosen uid/gid, optionally from a chosen local port. Not thread-safe.
 */
final class NfsWire implements AutoCloseable {
    static final int NFS3ERR_PERM = 1;
    static final int NFS3ERR_ACCES = 13;
    static final int MNT3ERR_ACCES = 13;
    private static final AtomicInteger XIDS = new AtomicInteger(0x7000);

    /** The attributes a test looks at. */
    record Attr(int mode, int uid, int gid) {
    }

    private final Socket socket;
    private final DataOutputStream out;
    private final DataInputStream in;
    private final int uid;
    private final int gid;

    /** Connects from an ephemeral (unprivileged) port. */
    NfsWire(int port, int uid, int gid) throws IOException {
        this(port, uid, gid, 0);
    }

    /** Connects from {@code localPort} (0: any). */
    NfsWire(int port, int uid, int gid, int localPort) throws IOException {
        socket = new Socket();
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress("127.0.0.1", localPort));
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        socket.setSoTimeout(10_000);
        out = new DataOutputStream(socket.getOutputStream());
        in = new DataInputStream(socket.getInputStream());
        this.uid = uid;
        this.gid = gid;
    }

    int localPort() {
        return socket.getLocalPort();
    }

    /** One call; returns the result after an accepted SUCCESS reply header. */
    ByteBuffer call(int prog, int proc, byte[] args) throws IOException {
        int xid = XIDS.incrementAndGet();
        ByteBuffer b = ByteBuffer.allocate(4 + 40 + 24 + args.length);
        b.putInt(0).putInt(xid).putInt(0).putInt(2).putInt(prog).putInt(3).putInt(proc);
        // AUTH_SYS: stamp, machine "test", uid, gid, no supplementary groups
        b.putInt(1).putInt(24).putInt(0).putInt(4).put("test".getBytes(StandardCharsets.US_ASCII)).putInt(uid).putInt(gid).putInt(0);
        b.putInt(0).putInt(0);
        b.put(args);
        b.putInt(0, 0x8000_0000 | (b.position() - 4));
        out.write(b.array(), 0, b.position());
        out.flush();
        byte[] reply = new byte[in.readInt() & 0x7fff_ffff];
        in.readFully(reply);
        ByteBuffer r = ByteBuffer.wrap(reply);
        if (r.getInt() != xid || r.getInt() != 1 || r.getInt() != 0) {
            throw new IOException("not an accepted reply to call " + xid);
        }
        r.getInt(); // verifier flavor
        int verifier = r.getInt();
        r.position(r.position() + verifier);
        int accept = r.getInt();
        if (accept != 0) {
            throw new IOException("accept_stat " + accept);
        }
        return r;
    }

    /** MOUNT MNT: the status (0 = MNT3_OK). */
    int mntStatus(String path) throws IOException {
        return call(100005, 1, opaque(path.getBytes(StandardCharsets.UTF_8))).getInt();
    }

    /** MOUNT MNT: the root handle; fails unless MNT3_OK. */
    byte[] mnt(String path) throws IOException {
        ByteBuffer r = call(100005, 1, opaque(path.getBytes(StandardCharsets.UTF_8)));
        int st = r.getInt();
        if (st != 0) {
            throw new IOException("MNT " + path + ": status " + st);
        }
        return readOpaque(r);
    }

    /** GETATTR: the status. */
    int getattrStatus(byte[] fh) throws IOException {
        return call(100003, 1, opaque(fh)).getInt();
    }

    Attr getattr(byte[] fh) throws IOException {
        ByteBuffer r = call(100003, 1, opaque(fh));
        check("GETATTR", r.getInt());
        return attr(r);
    }

    /** CREATE (UNCHECKED, with a mode): the new handle. */
    byte[] create(byte[] dir, String name, int mode) throws IOException {
        ByteBuffer r = call(100003, 8, concat(opaque(dir), opaque(name.getBytes(StandardCharsets.UTF_8)),
                ints(0, 1, mode, 0, 0, 0, 0, 0)));
        check("CREATE " + name, r.getInt());
        if (r.getInt() != 1) {
            throw new IOException("CREATE returned no handle");
        }
        return readOpaque(r);
    }

    /** WRITE FILE_SYNC of {@code data} at 0: the status. */
    void write(byte[] fh, byte[] data) throws IOException {
        ByteBuffer args = ByteBuffer.allocate(8 + 4 + 4 + 4 + ((data.length + 3) & ~3));
        args.putLong(0).putInt(data.length).putInt(2).putInt(data.length).put(data);
        check("WRITE", call(100003, 7, concat(opaque(fh), args.array())).getInt());
    }

    /** SETATTR of the mode: the status. */
    int chmod(byte[] fh, int mode) throws IOException {
        return call(100003, 2, concat(opaque(fh), ints(1, mode, 0, 0, 0, 0, 0, 0))).getInt();
    }

    private static Attr attr(ByteBuffer r) {
        r.getInt(); // type
        return new Attr(r.getInt(), skip(r), r.getInt());
    }

    /** Skips nlink and returns uid (fattr3 order: type, mode, nlink, uid, gid...). */
    private static int skip(ByteBuffer r) {
        r.getInt();
        return r.getInt();
    }

    private static void check(String what, int status) throws IOException {
        if (status != 0) {
            throw new IOException(what + ": nfsstat3 " + status);
        }
    }

    private static byte[] readOpaque(ByteBuffer r) {
        byte[] b = new byte[r.getInt()];
        r.get(b);
        r.position(r.position() + ((4 - b.length % 4) % 4));
        return b;
    }

    static byte[] opaque(byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(4 + ((data.length + 3) & ~3));
        b.putInt(data.length).put(data);
        return b.array();
    }

    static byte[] ints(int... v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length);
        for (int x : v) {
            b.putInt(x);
        }
        return b.array();
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        ByteBuffer b = ByteBuffer.allocate(n);
        for (byte[] p : parts) {
            b.put(p);
        }
        return b.array();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
