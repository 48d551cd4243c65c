package io.dittofs.protocols;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

import static io.dittofs.protocols.XdrArgs.xdr;

/**
 * A minimal ONC RPC client over TCP for tests (RFC 5531 record marking), written independently of
 * the server's codecs. Besides well-formed calls it can send raw bytes, arbitrary fragments and
 * broken records. Blocking reads time out after 10 seconds. Not thread-safe: one test thread per
 * client. Public because tests in several packages use it.
 */
public final class RpcTestClient implements AutoCloseable {
    public static final int PORTMAP = 100000;
    public static final int NFS = 100003;
    public static final int MOUNT = 100005;

    public static final int MSG_ACCEPTED = 0;
    public static final int MSG_DENIED = 1;
    public static final int SUCCESS = 0;
    public static final int PROG_UNAVAIL = 1;
    public static final int PROG_MISMATCH = 2;
    public static final int PROC_UNAVAIL = 3;
    public static final int GARBAGE_ARGS = 4;
    public static final int RPC_MISMATCH = 0;
    public static final int AUTH_ERROR = 1;
    public static final int AUTH_BADCRED = 1;

    /** xids start at a random point so two test runs (and the DRC) never see the same ones. */
    private static final AtomicInteger XIDS = new AtomicInteger(ThreadLocalRandom.current().nextInt(1 << 30));

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    private RpcTestClient(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    public static RpcTestClient connect(int port) throws IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
        s.setTcpNoDelay(true);
        s.setSoTimeout(10_000);
        return new RpcTestClient(s);
    }

    /** The client side's port (the server's socket of this connection has it as its remote port). */
    public int localPort() {
        return socket.getLocalPort();
    }

    public static int nextXid() {
        return XIDS.incrementAndGet();
    }

    /** An opaque_auth credential. */
    public record Cred(int flavor, byte[] body) {
        public static Cred none() {
            return new Cred(0, new byte[0]);
        }

        public static Cred sys(int uid, int gid, int... gids) {
            XdrArgs a = xdr().int32(0).string("testhost").int32(uid).int32(gid).int32(gids.length);
            for (int g : gids) {
                a.int32(g);
            }
            return new Cred(1, a.build());
        }

        public static Cred root() {
            return sys(0, 0);
        }
    }

    /**
     * A parsed reply. For MSG_ACCEPTED {@code stat} is the accept_stat, for MSG_DENIED the
     * reject_stat; {@code body} is positioned after it (results, mismatch_info or auth_stat).
     */
    public record RpcReply(byte[] raw, int xid, int replyStat, int stat, ByteBuffer body) {
        public static RpcReply parse(byte[] raw) {
            ByteBuffer b = ByteBuffer.wrap(raw);
            int xid = b.getInt();
            int type = b.getInt();
            if (type != 1) {
                throw new IllegalStateException("not a reply: msg_type " + type);
            }
            int replyStat = b.getInt();
            if (replyStat == MSG_ACCEPTED) {
                b.getInt(); // verifier flavor
                XdrArgs.readOpaque(b);
            }
            int stat = b.getInt();
            return new RpcReply(raw, xid, replyStat, stat, b.slice());
        }

        public boolean isSuccess() {
            return replyStat == MSG_ACCEPTED && stat == SUCCESS;
        }

        @Override
        public String toString() {
            return "RpcReply[xid=" + xid + " replyStat=" + replyStat + " stat=" + stat + " len=" + raw.length + "]";
        }
    }

    /** The call message body (no record mark) of RFC 5531 section 9 {@code rpc_msg}. */
    public static byte[] callMessage(int xid, int rpcVersion, int prog, int vers, int proc, Cred cred, byte[] args) {
        return xdr().int32(xid).int32(0).int32(rpcVersion).int32(prog).int32(vers).int32(proc)
                .int32(cred.flavor()).opaque(cred.body())
                .int32(0).opaque(new byte[0])
                .raw(args).build();
    }

    /** A well-formed RPC v2 call and its reply. */
    public RpcReply call(int prog, int vers, int proc, Cred cred, byte[] args) throws IOException {
        int xid = nextXid();
        return callWithXid(xid, prog, vers, proc, cred, args);
    }

    public RpcReply callWithXid(int xid, int prog, int vers, int proc, Cred cred, byte[] args) throws IOException {
        sendRecord(callMessage(xid, 2, prog, vers, proc, cred, args));
        RpcReply r = readReply();
        if (r.xid() != xid) {
            throw new IllegalStateException("reply xid " + r.xid() + " for call " + xid);
        }
        return r;
    }

    public RpcReply nullCall(int prog, int vers) throws IOException {
        return call(prog, vers, 0, Cred.none(), new byte[0]);
    }

    /** Sends {@code msg} as one record in a single last fragment. */
    public void sendRecord(byte[] msg) throws IOException {
        sendFragments(msg);
    }

    /** Sends one record split into the given fragments, the last one flagged. */
    public void sendFragments(byte[]... fragments) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int i = 0; i < fragments.length; i++) {
            int mark = fragments[i].length | (i == fragments.length - 1 ? 0x8000_0000 : 0);
            b.writeBytes(xdr().int32(mark).build());
            b.writeBytes(fragments[i]);
        }
        sendRaw(b.toByteArray());
    }

    public void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Reads one whole record (all fragments) without its marks. */
    public byte[] readRecord() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        boolean last = false;
        while (!last) {
            int mark = in.readInt();
            last = mark < 0;
            byte[] frag = new byte[mark & 0x7fff_ffff];
            in.readFully(frag);
            b.writeBytes(frag);
        }
        return b.toByteArray();
    }

    public RpcReply readReply() throws IOException {
        return RpcReply.parse(readRecord());
    }

    /**
     * Waits until the server closes the connection (end of stream or reset), discarding anything
     * it sends; false if it is still open after {@code max}.
     */
    public boolean awaitClosedByServer(Duration max) throws IOException {
        long deadline = System.nanoTime() + max.toNanos();
        byte[] sink = new byte[8192];
        int timeout = socket.getSoTimeout();
        try {
            while (System.nanoTime() < deadline) {
                socket.setSoTimeout((int) Math.max(1, Math.min(250, (deadline - System.nanoTime()) / 1_000_000)));
                try {
                    if (in.read(sink) < 0) {
                        return true;
                    }
                } catch (SocketTimeoutException e) {
                    // still open; keep waiting
                } catch (SocketException | EOFException e) {
                    return true; // reset by the server
                }
            }
            return false;
        } finally {
            if (!socket.isClosed()) {
                socket.setSoTimeout(timeout); // a later call on a connection still open waits as long as before
            }
        }
    }

    public Socket socket() {
        return socket;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    /** A copy of {@code b} with the given range, for splitting messages into fragments. */
    public static byte[] range(byte[] b, int from, int to) {
        return Arrays.copyOfRange(b, from, to);
    }
}
