package io.dittofs.protocols.rpc;

import io.dittofs.core.buffer.BufferPool;
import io.dittofs.core.buffer.Lease;
import io.dittofs.protocols.xdr.BadXdrException;
import io.dittofs.protocols.xdr.XdrEncoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.util.concurrent.Semaphore;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One client connection: a virtual reader thread takes records off the socket and runs each
 * call on a fresh virtual thread; replies go out under a per-connection lock, in whatever order
 * the calls finish. A semaphore caps the calls in flight per connection, and every buffer the
 * connection takes (records being received, replies being built or waiting to be sent) comes from
 * its own {@linkplain BufferPool#share share} of the pool, so a client that pipelines without
 * reading replies, or announces records it never sends, is held to its budget of medium and large
 * buffers rather than exhausting the server. A reply that cannot be written within the send
 * timeout closes the connection (the server's watchdog checks), which releases all it held.
 *
 * <p>Thread-safe.
 */
final class RpcConnection {
    private static final Logger LOG = LoggerFactory.getLogger(RpcConnection.class);
    /** A connection's budget of 64 KiB buffers, per 1 MiB buffer of its budget. */
    static final int MEDIUM_PER_LARGE = 8;

    private final RpcServer server;
    private final SocketChannel ch;
    private final InetSocketAddress peer;
    private final BufferPool buffers;
    private final RecordReader reader;
    private final ReentrantLock writeLock = new ReentrantLock();
    private final Semaphore inFlight;
    /** When the reply being written began (0 when none is), for the send-timeout watchdog. */
    private volatile long sendStartNanos;
    private volatile Thread readerThread;
    private volatile boolean closed;

    RpcConnection(RpcServer server, SocketChannel ch, InetSocketAddress peer, int maxInFlight, int largeBuffers) {
        this.server = server;
        this.ch = ch;
        this.peer = peer;
        this.buffers = server.dispatcher().pool().share(MEDIUM_PER_LARGE * largeBuffers, largeBuffers);
        this.reader = new RecordReader(ch, buffers, server.maxRecordSize());
        this.inFlight = new Semaphore(maxInFlight);
    }

    InetSocketAddress peer() {
        return peer;
    }

    /** The reader loop; runs on the connection's virtual thread until EOF, error or close. */
    void run() {
        readerThread = Thread.currentThread();
        try {
            while (!closed) {
                RecordReader.Record rec = reader.next();
                if (rec == null) {
                    break;
                }
                inFlight.acquireUninterruptibly();
                server.callStarted();
                try {
                    Thread.ofVirtual().name("rpc-call").start(() -> execute(rec));
                } catch (RuntimeException | Error e) {
                    inFlight.release();
                    server.callFinished();
                    rec.lease().close();
                    throw e;
                }
            }
        } catch (RecordReader.FramingException e) {
            LOG.info("closing connection from {}: {}", peer, e.getMessage());
        } catch (BufferPool.PoolExhaustedException e) {
            LOG.info("closing connection from {}: {}", peer,
                    closed ? "closed while waiting for a buffer" : e.getMessage());
        } catch (ClosedChannelException e) {
            LOG.debug("connection from {} closed", peer);
        } catch (IOException e) {
            LOG.debug("connection from {}: {}", peer, e.toString());
        } catch (RuntimeException e) {
            LOG.warn("connection from {} failed", peer, e);
        } finally {
            // let in-flight calls finish and send their replies before the socket goes away
            awaitCalls();
            close();
        }
    }

    private void awaitCalls() {
        int max = server.maxInFlightPerConnection();
        try {
            if (inFlight.tryAcquire(max, server.drainTimeoutMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                inFlight.release(max);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void execute(RecordReader.Record rec) {
        try (Lease held = rec.lease()) {
            if (closed) {
                return; // nobody to answer: don't spend buffers on it
            }
            RpcDispatcher.Outcome o;
            try {
                o = server.dispatcher().dispatch(rec.data(), peer, buffers);
            } catch (BadXdrException e) {
                LOG.info("closing connection from {}: unreadable RPC header", peer);
                close();
                return;
            }
            switch (o) {
                case RpcDispatcher.Reply r -> {
                    try (XdrEncoder enc = r.encoder()) {
                        MemorySegment out = enc.written();
                        int len = (int) out.byteSize() - 4;
                        enc.writeIntAt(0, 0x8000_0000 | len);
                        send(out.asByteBuffer());
                    }
                }
                case RpcDispatcher.Resend r -> send(ByteBuffer.wrap(r.record()));
                case RpcDispatcher.NoReply n -> {
                }
            }
        } catch (IOException e) {
            LOG.debug("reply to {} lost: {}", peer, e.toString());
            close();
        } catch (BufferPool.PoolExhaustedException e) {
            LOG.debug("call from {} dropped: {}", peer, closed ? "connection closed" : e.getMessage());
        } catch (RuntimeException | Error e) {
            LOG.error("call from {} failed", peer, e);
        } finally {
            inFlight.release();
            server.callFinished();
        }
    }

    private void send(ByteBuffer b) throws IOException {
        writeLock.lock();
        try {
            sendStartNanos = System.nanoTime() | 1; // never 0, which means "not sending"
            while (b.hasRemaining()) {
                ch.write(b);
            }
        } finally {
            sendStartNanos = 0;
            writeLock.unlock();
        }
    }

    /**
     * Closes the connection if a record has been arriving for longer than {@code stallNanos}, or
     * a reply has been being written for longer than {@code sendNanos} (the client stopped reading).
     */
    boolean closeIfStalled(long now, long stallNanos, long sendNanos) {
        long start = reader.recordStartNanos();
        if (start != 0 && now - start > stallNanos) {
            LOG.info("closing connection from {}: record not completed within {} ms", peer, stallNanos / 1_000_000);
            close();
            return true;
        }
        long sending = sendStartNanos;
        if (sending != 0 && now - sending > sendNanos) {
            LOG.info("closing connection from {}: reply not taken within {} ms", peer, sendNanos / 1_000_000);
            close();
            return true;
        }
        return false;
    }

    /** Stops reading: the reader sees end-of-stream, in-flight calls still reply. */
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
        try {
            ch.close();
        } catch (IOException ignored) {
            // nothing to do
        }
        buffers.close(); // the calls and the reader waiting for a buffer give up now
        Thread r = readerThread;
        if (r != null && r != Thread.currentThread()) {
            r.interrupt(); // a reader waiting for a buffer gives up now and releases what it holds
        }
        server.connectionClosed(this);
    }
}
