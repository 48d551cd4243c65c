package io.dittofs.protocols.smb.server;

import io.dittofs.core.buffer.BufferPool;
import io.dittofs.core.buffer.Lease;
import io.dittofs.protocols.net.DirectSend;
import io.dittofs.protocols.smb.AsyncOp;
import io.dittofs.protocols.smb.ConnState;
import io.dittofs.protocols.smb.Session;
import io.dittofs.protocols.smb.SmbDropException;
import io.dittofs.protocols.smb.codec.SmbEncoder;
import io.dittofs.protocols.smb.crypto.SmbCipher;
import io.dittofs.protocols.smb.handler.Negotiate;
import io.dittofs.protocols.smb.header.Smb2Command;
import io.dittofs.protocols.smb.header.Smb2Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One SMB client connection: a platform reader thread ({@link io.dittofs.protocols.net.AcceptLoop}) takes direct-TCP frames off the socket,
 * splits each into its elements and charges their credits (in arrival order, so the sequence
 * window is checked as MS-SMB2 3.3.5.2.3 says), then runs the message on a fresh virtual thread;
 * replies go out under a per-connection lock. NEGOTIATE and SESSION_SETUP run on the reader
 * thread itself (they change what later requests see). A semaphore caps messages in flight and
 * every buffer comes from the connection's own share of the pool, as for RPC connections.
 *
 * <p>Thread-safe.
 */
final class SmbConnection {
    private static final Logger LOG = LoggerFactory.getLogger(SmbConnection.class);
    static final int MEDIUM_PER_LARGE = 8;
    /** 8 MiB buffers one connection may hold at once (an 8 MiB WRITE being read, an 8 MiB READ reply). */
    static final int HUGE_PER_CONNECTION = 2;

    private final SmbServer server;
    private final SocketChannel ch;
    private final InetSocketAddress peer;
    private final BufferPool buffers;
    private final FrameReader reader;
    private final ReentrantLock writeLock = new ReentrantLock();
    /** The direct-TCP header of the reply being sent (under the write lock). */
    private final ByteBuffer header = ByteBuffer.allocateDirect(4);
    /** Replies sent without switching the socket to non-blocking mode (null: through the channel only). */
    private final DirectSend direct;
    private final Semaphore inFlight;
    private final int maxInFlight;
    private final CreditWindow credits;
    private final ConnState state;
    private volatile long sendStartNanos;
    private volatile long lastActivityNanos = System.nanoTime();
    private volatile Thread readerThread;
    private volatile boolean closed;

    SmbConnection(SmbServer server, SocketChannel ch, InetSocketAddress peer, InetSocketAddress local) {
        SmbServer.Options o = server.options();
        this.server = server;
        this.ch = ch;
        this.peer = peer;
        this.buffers = server.pool().share(0, MEDIUM_PER_LARGE * o.largeBuffersPerConnection(),
                o.largeBuffersPerConnection(), HUGE_PER_CONNECTION);
        this.reader = new FrameReader(ch, buffers, o.maxFrame());
        this.direct = DirectSend.of(ch).orElse(null);
        this.maxInFlight = o.maxInFlightPerConnection();
        this.inFlight = new Semaphore(maxInFlight);
        this.credits = new CreditWindow(o.maxCredits());
        this.state = new ConnState(server.services(), peer, local);
        state.async().sink(this::sendFinal);
    }

    InetSocketAddress peer() {
        return peer;
    }

    ConnState state() {
        return state;
    }

    void run() {
        readerThread = Thread.currentThread();
        try {
            while (!closed) {
                FrameReader.Frame f = reader.next();
                if (f == null) {
                    break;
                }
                lastActivityNanos = System.nanoTime();
                accept(f);
            }
        } catch (FrameReader.FramingException | SmbDropException e) {
            LOG.info("closing SMB connection from {}: {}", peer, e.getMessage());
        } catch (BufferPool.PoolExhaustedException e) {
            LOG.info("closing SMB connection from {}: {}", peer, closed ? "closed while waiting" : e.getMessage());
        } catch (ClosedChannelException e) {
            LOG.debug("SMB connection from {} closed", peer);
        } catch (IOException e) {
            LOG.debug("SMB connection from {}: {}", peer, e.toString());
        } catch (RuntimeException e) {
            LOG.warn("SMB connection from {} failed", peer, e);
        } finally {
            awaitCalls();
            close();
        }
    }

    /** Takes ownership of the frame's lease. */
    private void accept(FrameReader.Frame f) throws IOException {
        MemorySegment msg = f.data();
        if (msg.byteSize() >= 4 && new io.dittofs.protocols.smb.codec.SmbDecoder(msg).i32(0) == Negotiate.SMB1_MAGIC) {
            try (Lease held = f.lease(); Lease out = buffers.acquire(BufferPool.SMALL)) {
                if (state.dialect() != 0) {
                    throw new SmbDropException("SMB1 message after negotiation");
                }
                SmbEncoder enc = new SmbEncoder(out.segment());
                int len = Negotiate.smb1(state, msg, enc, credits);
                send(out.segment().asSlice(0, len));
            }
            return;
        }
        Session sealed = null;
        if (msg.byteSize() >= 4 && new io.dittofs.protocols.smb.codec.SmbDecoder(msg).i32(0) == SmbCipher.TRANSFORM_MAGIC) {
            sealed = open(f);
            f = new FrameReader.Frame(f.lease(), msg.asSlice(SmbCipher.TRANSFORM_SIZE));
            msg = f.data();
        }
        List<SmbDispatcher.Element> elems;
        try {
            elems = SmbDispatcher.split(msg, server.options().maxCompound());
            if (sealed != null) {
                for (SmbDispatcher.Element e : elems) {
                    if (!e.header().isRelated() && e.header().sessionId() != sealed.id()) {
                        throw new SmbDropException("encrypted request for session " + Long.toHexString(e.header().sessionId())
                                + " inside a message of session " + Long.toHexString(sealed.id()));
                    }
                }
            }
            for (SmbDispatcher.Element e : elems) {
                if (e.header().command() != Smb2Command.CANCEL
                        && !credits.consume(e.header().messageId(), state.dialect() >= 0x0210
                        ? e.header().creditCharge() : 1)) {
                    throw new SmbDropException("MessageId " + e.header().messageId() + " (charge "
                            + e.header().creditCharge() + ") outside the credit window");
                }
            }
        } catch (RuntimeException e) {
            f.lease().close();
            throw e;
        }
        int first = elems.getFirst().header().command();
        if (first == Smb2Command.NEGOTIATE || first == Smb2Command.SESSION_SETUP) {
            inFlight.acquireUninterruptibly();
            server.callStarted();
            execute(f, elems, sealed); // in order: these change what every later request sees
            return;
        }
        inFlight.acquireUninterruptibly();
        server.callStarted();
        FrameReader.Frame frame = f;
        Session by = sealed;
        try {
            Thread.ofVirtual().name("smb-call").start(() -> execute(frame, elems, by));
        } catch (RuntimeException | Error e) {
            inFlight.release();
            server.callFinished();
            f.lease().close();
            throw e;
        }
    }

    /**
     * Decrypts in place a message that came in a transform header (MS-SMB2 3.3.5.2.1.1); its session.
     *
     * @throws SmbDropException (after closing the frame's lease) when the header is malformed, names no
     *     session that can decrypt, or the message does not authenticate: the connection is closed
     */
    private Session open(FrameReader.Frame f) {
        MemorySegment msg = f.data();
        int len = (int) msg.byteSize();
        SmbCipher.Header h = SmbCipher.header(msg.asByteBuffer(), len);
        Session s = h == null ? null : state.session(h.sessionId());
        String refused = h == null ? "malformed transform header"
                : s == null || s.cipher() == null ? "encrypted message for session " + Long.toHexString(h.sessionId())
                        + ", which has no keys to decrypt it" : null;
        // the whole pooled buffer: its slack past the message lets the tag follow the ciphertext (one pass, no copy)
        if (refused == null && !s.cipher().open(f.lease().capacity().asByteBuffer(), len)) {
            refused = "encrypted message that does not authenticate";
        }
        if (refused != null) {
            f.lease().close();
            throw new SmbDropException(refused);
        }
        return s;
    }

    /** Runs a message; {@code sealed} is the session it came encrypted with (its replies go so), or null. */
    private void execute(FrameReader.Frame f, List<SmbDispatcher.Element> elems, Session sealed) {
        try (Lease held = f.lease()) {
            if (closed) {
                return;
            }
            int size = Math.max(BufferPool.SMALL, SmbDispatcher.replySize(f.data(), elems, buffers.maxSize()));
            int room = sealed == null ? size : Math.min(buffers.maxSize(), SmbCipher.sealedCapacity(size));
            int at = sealed == null ? 0 : SmbCipher.TRANSFORM_SIZE;
            SmbDispatcher.Result res;
            try (Lease out = buffers.acquire(room)) {
                SmbEncoder enc = new SmbEncoder(out.segment().asSlice(at, room - at - (sealed == null ? 0 : 16)));
                res = server.dispatcher().process(state, credits, f.data(), elems, enc, sealed != null);
                if (res.length() > 0) {
                    int len = sealed == null ? res.length()
                            : sealed.cipher().seal(out.segment().asByteBuffer(), res.length(), sealed.id());
                    send(out.segment().asSlice(0, len));
                }
            }
            for (Runnable r : res.afterSend()) {
                r.run();
            }
        } catch (SmbDropException e) {
            LOG.info("closing SMB connection from {}: {}", peer, e.getMessage());
            close();
        } catch (IOException e) {
            LOG.debug("SMB reply to {} lost: {}", peer, e.toString());
            close();
        } catch (BufferPool.PoolExhaustedException e) {
            LOG.debug("SMB request from {} dropped: {}", peer, closed ? "connection closed" : e.getMessage());
        } catch (RuntimeException | Error e) {
            LOG.error("SMB request from {} failed", peer, e);
            close();
        } finally {
            inFlight.release();
            server.callFinished();
        }
    }

    /**
     * Sends the final response of a waiting request (MS-SMB2 3.3.4.2) from a fresh virtual thread,
     * so the thread that completed it (a lock grant, a file-system change) never waits on this
     * client's socket.
     */
    private void sendFinal(AsyncOp op, int status, AsyncOp.Body body) {
        if (closed) {
            return;
        }
        Thread.ofVirtual().name("smb-async-reply").start(() -> {
            SmbCipher cipher = op.encrypted() ? op.session().cipher() : null;
            int size = Math.min(buffers.maxSize(), Math.max(BufferPool.SMALL, Smb2Header.SIZE + 16 + op.bodyCapacity()
                    + (cipher == null ? 0 : SmbCipher.sealedCapacity(0))));
            int at = cipher == null ? 0 : SmbCipher.TRANSFORM_SIZE;
            try (Lease out = buffers.acquire(size)) {
                int len = SmbDispatcher.encodeFinal(op, status, body,
                        new SmbEncoder(out.segment().asSlice(at, size - at - (cipher == null ? 0 : 16))));
                if (cipher != null) {
                    len = cipher.seal(out.segment().asByteBuffer(), len, op.session().id());
                }
                send(out.segment().asSlice(0, len));
            } catch (IOException e) {
                LOG.debug("SMB async reply to {} lost: {}", peer, e.toString());
                close();
            } catch (BufferPool.PoolExhaustedException e) {
                LOG.debug("SMB async reply to {} dropped: {}", peer, closed ? "connection closed" : e.getMessage());
            } catch (RuntimeException e) {
                LOG.error("SMB async reply to {} failed", peer, e);
                close();
            }
        });
    }

    /** Sends one reply with its direct-TCP header. */
    private void send(MemorySegment reply) throws IOException {
        ByteBuffer body = reply.asByteBuffer();
        writeLock.lock();
        try {
            sendStartNanos = System.nanoTime() | 1;
            ByteBuffer hdr = header.clear().putInt(0, (int) reply.byteSize());
            if (direct != null && direct.send(hdr, true) == 4) {
                direct.send(body); // what the socket does not take goes through the channel below
            }
            ByteBuffer[] bufs = {hdr, body};
            while (body.hasRemaining()) {
                ch.write(bufs);
            }
        } finally {
            sendStartNanos = 0;
            writeLock.unlock();
        }
        lastActivityNanos = System.nanoTime();
    }

    private void awaitCalls() {
        try {
            if (inFlight.tryAcquire(maxInFlight, server.options().drainTimeoutMillis(), TimeUnit.MILLISECONDS)) {
                inFlight.release(maxInFlight);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Closes the connection when a frame has been arriving for longer than the stall timeout, a
     * reply is not taken within the send timeout, or nothing happened for the idle timeout.
     */
    boolean closeIfStalled(long now, long stallNanos, long sendNanos, long idleNanos) {
        long start = reader.frameStartNanos();
        String why = null;
        if (start != 0 && now - start > stallNanos) {
            why = "frame not completed in time";
        } else if (sendStartNanos != 0 && now - sendStartNanos > sendNanos) {
            why = "reply not taken in time";
        } else if (idleNanos > 0 && now - lastActivityNanos > idleNanos && inFlight.availablePermits() == maxInFlight
                && state.async().size() == 0) {
            why = "idle";
        }
        if (why == null) {
            return false;
        }
        LOG.info("closing SMB connection from {}: {}", peer, why);
        close();
        return true;
    }

    void shutdownInput() {
        try {
            ch.shutdownInput();
        } catch (IOException e) {
            close();
        }
    }

    void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (direct != null) {
            direct.close(); // first: the connection ends when its last descriptor closes
        }
        try {
            ch.close();
        } catch (IOException ignored) {
            // nothing to do
        }
        buffers.close();
        Thread r = readerThread;
        if (r != null && r != Thread.currentThread()) {
            r.interrupt();
        }
        server.connectionClosed(this);
    }
}
