package io.dittofs.controlplane.metrics;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A minimal blocking ONC RPC client over TCP for tests of the observability hooks: record-marked
 * calls with AUTH_SYS (uid 0) credentials, replies returned whole. Not thread-safe.
 */
public final class RpcSocket implements AutoCloseable {
    public static final int NFS = 100003;
    public static final int MOUNT = 100005;
    private static final AtomicInteger XIDS = new AtomicInteger(0x1000);

    private final Socket socket;
    private final DataOutputStream out;
    private final DataInputStream in;

    public RpcSocket(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(10_000);
        out = new DataOutputStream(socket.getOutputStream());
        in = new DataInputStream(socket.getInputStream());
    }

    public static int nextXid() {
        return XIDS.incrementAndGet();
    }

    /** Sends one call and returns the reply body after the accepted-reply header (accept_stat included). */
    public ByteBuffer call(int prog, int vers, int proc, byte[] args) throws IOException {
        return call(nextXid(), prog, vers, proc, args);
    }

    public ByteBuffer call(int xid, int prog, int vers, int proc, byte[] args) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(4 + 24 + 8 + 24 + 8 + args.length);
        b.putInt(0).putInt(xid).putInt(0).putInt(2).putInt(prog).putInt(vers).putInt(proc);
        // AUTH_SYS, 24-byte body: stamp, machine name "test", uid 0, gid 0, no supplementary gids
        b.putInt(1).putInt(24).putInt(0).putInt(4).put(new byte[] {'t', 'e', 's', 't'}).putInt(0).putInt(0).putInt(0);
        b.putInt(0).putInt(0); // verifier AUTH_NONE
        b.put(args);
        b.putInt(0, 0x8000_0000 | (b.position() - 4));
        out.write(b.array(), 0, b.position());
        out.flush();
        int mark = in.readInt();
        byte[] reply = new byte[mark & 0x7fff_ffff];
        in.readFully(reply);
        ByteBuffer r = ByteBuffer.wrap(reply);
        if (r.getInt() != xid) {
            throw new IOException("reply to another call");
        }
        r.getInt(); // REPLY
        int replyStat = r.getInt();
        if (replyStat == 0) {
            r.getInt(); // verifier flavor
            int verifierLength = r.getInt();
            r.position(r.position() + verifierLength);
        }
        return r.slice();
    }

    /** XDR variable-length opaque (or string) argument bytes. */
    public static byte[] opaque(byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(4 + ((data.length + 3) & ~3));
        b.putInt(data.length).put(data);
        return b.array();
    }

    /** Concatenates argument parts. */
    public static byte[] concat(byte[]... parts) {
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
