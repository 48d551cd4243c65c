package io.dittofs.protocols.rpc;

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
 * the calls finish. A semaphore caps the calls in flight per connection, so a client that
 * pipelines without reading replies is slowed down rather than exhausting the server.
 *
 * <p>Thread-safe.
 */
final class RpcConnection {
    private static final Logger LOG = LoggerFactory.getLogger(RpcConnection.class);

    private final RpcServer server;
    private final SocketChannel ch;
    private final InetSocketAddress peer;
    private final RecordReader reader;
    private final ReentrantLock writeLock = new ReentrantLock();
    private final Semaphore inFlight;
    private volatile boolean closed;

    RpcConnection(RpcServer server, SocketChannel ch, InetSocketAddress peer, int maxInFlight) {
        this.server = server;
        this.ch = ch;
        this.peer = peer;
        this.reader = new RecordReader(ch, server.dispatcher().pool(), server.maxRecordSize());
        this.inFlight = new Semaphore(maxInFlight);
    }

    InetSocketAddress peer() {
        return peer;
    }

    /** The reader loop; runs on the connection's virtual thread until EOF, error or close. */
    void run() {
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
        try (io.dittofs.core.buffer.Lease held = rec.lease()) {
            RpcDispatcher.Outcome o;
            try {
                o = server.dispatcher().dispatch(rec.data(), peer);
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
            while (b.hasRemaining()) {
                ch.write(b);
            }
        } finally {
            writeLock.unlock();
        }
    }

    /** Closes the connection if a record has been arriving for longer than {@code timeoutNanos}. */
    boolean closeIfStalled(long now, long timeoutNanos) {
        long start = reader.recordStartNanos();
        if (start != 0 && now - start > timeoutNanos) {
            LOG.info("closing connection from {}: record not completed within {} ms", peer, timeoutNanos / 1_000_000);
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
        server.connectionClosed(this);
    }
}
