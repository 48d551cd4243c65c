package io.dittofs.protocols.nlm;

import io.dittofs.protocols.rpc.Rpc;
import io.dittofs.protocols.xdr.BadXdrException;
import io.dittofs.protocols.xdr.XdrDecoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The server's calls back to an NLM client: GRANTED_MSG when a blocked lock is granted and the
 * {@code *_RES} replies of the asynchronous {@code *_MSG} procedures. Each call opens a fresh TCP
 * connection: first to the client's portmapper (RFC 1833 PMAP v2 GETPORT for NLM v4 over TCP),
 * then to the port it names, sends one AUTH_NONE call and waits for the accepted reply. Every
 * step is bounded by the timeout, at most {@value #MAX_CONCURRENT} callbacks run at once, and a
 * failure is only logged: a client that cannot be reached still gets its lock by retrying the
 * LOCK (Linux polls every 30 s). Thread-safe; calls block, so run them on virtual threads.
 */
final class NlmCallbacks {
    private static final Logger LOG = LoggerFactory.getLogger(NlmCallbacks.class);
    static final int MAX_CONCURRENT = 64;
    private static final int MAX_REPLY = 64 * 1024;
    private static final int PMAP_PROGRAM = 100000;
    private static final int PMAP_GETPORT = 3;

    private final int portmapPort;
    private final int timeoutMillis;
    private final Semaphore slots = new Semaphore(MAX_CONCURRENT);

    /**
     * @param portmapPort where clients run their portmapper (111 in the real world)
     * @param timeout     bound of each connect and reply
     */
    NlmCallbacks(int portmapPort, Duration timeout) {
        this.portmapPort = portmapPort;
        this.timeoutMillis = (int) Math.max(1, timeout.toMillis());
    }

    /**
     * Calls NLM v4 procedure {@code proc} on {@code host} with already encoded arguments.
     *
     * @return true if the client accepted the call
     */
    boolean send(InetAddress host, int proc, byte[] args) {
        if (host == null || !slots.tryAcquire()) {
            return false;
        }
        try {
            int port = nlmPort(host);
            if (port <= 0 || port > 0xFFFF) {
                LOG.debug("NLM callback {} to {}: no NLM v4/TCP registered with its portmapper", proc, host);
                return false;
            }
            call(new InetSocketAddress(host, port), NlmProgram.PROGRAM, NlmProgram.VERSION, proc, args);
            return true;
        } catch (IOException | BadXdrException e) {
            LOG.debug("NLM callback {} to {} failed: {}", proc, host, e.toString());
            return false;
        } finally {
            slots.release();
        }
    }

    private int nlmPort(InetAddress host) throws IOException {
        return port(host, NlmProgram.PROGRAM, NlmProgram.VERSION);
    }

    /** The TCP port {@code host}'s portmapper names for {@code prog}/{@code vers} (0: not registered). */
    int port(InetAddress host, int prog, int vers) throws IOException {
        ByteBuffer a = ByteBuffer.allocate(16).putInt(prog).putInt(vers).putInt(6).putInt(0);
        XdrDecoder d = call(new InetSocketAddress(host, portmapPort), PMAP_PROGRAM, 2, PMAP_GETPORT, a.array());
        return d.readInt();
    }

    /** One RPC call over a fresh connection; returns a decoder positioned at the results. */
    XdrDecoder call(InetSocketAddress to, int prog, int vers, int proc, byte[] args) throws IOException {
        int xid = ThreadLocalRandom.current().nextInt();
        ByteBuffer m = ByteBuffer.allocate(4 + 40 + args.length);
        m.putInt(0x8000_0000 | (40 + args.length));
        m.putInt(xid).putInt(Rpc.CALL).putInt(Rpc.VERSION).putInt(prog).putInt(vers).putInt(proc);
        m.putInt(Rpc.AUTH_NONE).putInt(0).putInt(Rpc.AUTH_NONE).putInt(0);
        m.put(args);
        try (Socket s = new Socket()) {
            s.connect(to, timeoutMillis);
            s.setSoTimeout(timeoutMillis);
            OutputStream out = s.getOutputStream();
            out.write(m.array());
            out.flush();
            byte[] reply = readRecord(new DataInputStream(s.getInputStream()));
            XdrDecoder d = new XdrDecoder(MemorySegment.ofArray(reply));
            if (d.readInt() != xid || d.readInt() != Rpc.REPLY || d.readInt() != Rpc.MSG_ACCEPTED) {
                throw new IOException("callback to " + to + " not accepted");
            }
            d.readInt(); // verifier flavor
            d.readOpaque(Rpc.MAX_AUTH_BYTES);
            int stat = d.readInt();
            if (stat != Rpc.SUCCESS) {
                throw new IOException("callback to " + to + ": accept_stat " + stat);
            }
            return d;
        }
    }

    private static byte[] readRecord(DataInputStream in) throws IOException {
        ByteBuffer all = ByteBuffer.allocate(MAX_REPLY);
        boolean last = false;
        while (!last) {
            int mark = in.readInt();
            last = (mark & 0x8000_0000) != 0;
            int len = mark & 0x7FFF_FFFF;
            if (len > all.remaining()) {
                throw new IOException("callback reply over " + MAX_REPLY + " bytes");
            }
            in.readFully(all.array(), all.position(), len);
            all.position(all.position() + len);
        }
        return java.util.Arrays.copyOf(all.array(), all.position());
    }
}
