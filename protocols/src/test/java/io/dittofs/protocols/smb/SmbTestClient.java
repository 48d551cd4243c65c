package io.dittofs.protocols.smb;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A raw SMB2 client for protocol tests: builds request messages byte by byte (so tests can send
 * anything, including garbage) and reads direct-TCP framed replies. Not thread-safe.
 */
final class SmbTestClient implements AutoCloseable {
    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    long nextMessageId;

    SmbTestClient(int port) throws IOException {
        socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        socket.setSoTimeout(10_000);
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    /** A 64-byte SMB2 request header. */
    static ByteBuffer header(int command, long messageId, int creditCharge, int credits, long sessionId, int treeId,
                             int flags, int nextCommand) {
        ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0x424D53FE).putShort((short) 64).putShort((short) creditCharge).putInt(0)
                .putShort((short) command).putShort((short) credits).putInt(flags).putInt(nextCommand)
                .putLong(messageId).putInt(0xFEFF).putInt(treeId).putLong(sessionId).put(new byte[16]);
        return b.flip();
    }

    /** A whole request: header then body. */
    static byte[] message(int command, long messageId, int creditCharge, int credits, byte[] body) {
        ByteBuffer b = ByteBuffer.allocate(64 + body.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(header(command, messageId, creditCharge, credits, 0, 0, 0, 0)).put(body);
        return b.array();
    }

    /** NEGOTIATE body (MS-SMB2 2.2.3) offering {@code dialects}; 3.1.1 adds the pre-auth context. */
    static byte[] negotiateBody(int... dialects) {
        boolean v311 = false;
        for (int d : dialects) {
            v311 |= d == 0x0311;
        }
        int fixed = 36 + 2 * dialects.length;
        int ctxStart = (64 + fixed + 7) & ~7;
        int ctxLen = v311 ? 8 + 38 : 0;
        ByteBuffer b = ByteBuffer.allocate(ctxStart - 64 + ctxLen).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort((short) 36).putShort((short) dialects.length).putShort((short) 1).putShort((short) 0)
                .putInt(0x7F).put(new byte[16]);
        if (v311) {
            b.putInt(ctxStart).putShort((short) 1).putShort((short) 0);
        } else {
            b.putLong(0);
        }
        for (int d : dialects) {
            b.putShort((short) d);
        }
        if (v311) {
            b.position(ctxStart - 64);
            b.putShort((short) 1).putShort((short) 38).putInt(0).putShort((short) 1).putShort((short) 32)
                    .putShort((short) 1).put(new byte[32]);
        }
        return b.array();
    }

    void sendFrame(byte[] msg) throws IOException {
        ByteBuffer f = ByteBuffer.allocate(4 + msg.length);
        f.putInt(msg.length).put(msg);
        out.write(f.array());
        out.flush();
    }

    void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** The next reply as a little-endian buffer. */
    ByteBuffer receive() throws IOException {
        int len = in.readInt();
        if ((len >>> 24) != 0 || len < 64) {
            throw new IOException("bad reply frame " + Integer.toHexString(len));
        }
        byte[] b = new byte[len];
        in.readFully(b);
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** True when the server closed the connection (EOF or reset) within the read timeout. */
    boolean closedByServer() throws IOException {
        try {
            while (true) {
                if (in.read() < 0) {
                    return true;
                }
            }
        } catch (EOFException | java.net.SocketException e) {
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        }
    }

    /** Sends NEGOTIATE for the dialects (MessageId 0) and returns the reply. */
    ByteBuffer negotiate(int... dialects) throws IOException {
        sendFrame(message(0, nextMessageId++, 0, 31, negotiateBody(dialects)));
        return receive();
    }

    static int status(ByteBuffer reply) {
        return reply.getInt(8);
    }

    static int credits(ByteBuffer reply) {
        return reply.getShort(14) & 0xFFFF;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
