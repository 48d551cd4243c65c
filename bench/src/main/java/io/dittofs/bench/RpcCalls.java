package io.dittofs.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;

/**
 * Builds record-marked ONC RPC calls with AUTH_SYS credentials and reads replies, for
 * benchmarks that drive the server over a socket or straight through the dispatcher.
 * Not thread-safe.
 */
final class RpcCalls {
    static final int NFS = 100003;
    static final int MOUNT = 100005;

    private RpcCalls() {
    }

    /** A call record: 4-byte mark, header, AUTH_SYS(uid 0), AUTH_NONE verifier, then {@code args}. */
    static ByteBuffer call(int xid, int prog, int vers, int proc, ByteBuffer args) {
        ByteBuffer b = ByteBuffer.allocateDirect(4 + 24 + 8 + 24 + 8 + args.remaining()).order(ByteOrder.BIG_ENDIAN);
        b.putInt(0);
        b.putInt(xid).putInt(0).putInt(2).putInt(prog).putInt(vers).putInt(proc);
        b.putInt(1).putInt(24); // AUTH_SYS, body length: stamp, name, uid, gid, gid count
        b.putInt(0); // stamp
        b.putInt(4).put(new byte[] {'b', 'e', 'n', 'c'}); // machine name "benc"
        b.putInt(0).putInt(0).putInt(0); // uid, gid, no gids
        b.putInt(0).putInt(0); // verifier AUTH_NONE
        b.put(args.duplicate());
        b.putInt(0, 0x8000_0000 | (b.position() - 4));
        return b.flip();
    }

    static ByteBuffer fhArgs(byte[] fh, int extra) {
        ByteBuffer a = ByteBuffer.allocate(4 + ((fh.length + 3) & ~3) + extra);
        a.putInt(fh.length).put(fh);
        while (a.position() % 4 != 0) {
            a.put((byte) 0);
        }
        return a;
    }

    /** Reads one reply record into {@code into} (cleared first); returns its xid. */
    static int readReply(SocketChannel ch, ByteBuffer into) throws IOException {
        into.clear().limit(4);
        readFully(ch, into);
        int len = into.getInt(0) & 0x7fff_ffff;
        if (len > into.capacity()) {
            throw new IOException("reply of " + len + " bytes");
        }
        into.clear().limit(len);
        readFully(ch, into);
        return into.getInt(0);
    }

    private static void readFully(SocketChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            if (ch.read(b) < 0) {
                throw new IOException("connection closed");
            }
        }
    }
}
