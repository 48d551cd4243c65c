package io.dittofs.protocols.rpc;

import io.dittofs.core.buffer.BufferPool;
import io.dittofs.core.buffer.Lease;
import io.dittofs.core.spi.ContentRegion;
import io.dittofs.protocols.net.DirectSend;
import io.dittofs.protocols.xdr.BadXdrException;
import io.dittofs.protocols.xdr.XdrEncoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One client connection: a platform reader thread (see {@link io.dittofs.protocols.net.AcceptLoop}
 * for why not a virtual one) takes records off the socket and runs each
 * call on a fresh virtual thread; replies go out under a per-connection lock, in whatever order
 * the calls finish. A call that arrives while the connection has no other call running and
 * nothing more waits on the socket (one call at a time, as interactive clients send them) runs
 * on the reader thread itself, which writes its reply and goes back to reading: no thread start,
 * no hand-off. A call that arrives meanwhile waits in the socket until it finishes, so programs
 * must not make a call wait for a later call of the same connection. A semaphore caps the calls in flight per connection, and every buffer the
 * connection takes (records being received, replies being built or waiting to be sent) comes from
 * its own {@linkplain BufferPool#share share} of the pool, so a client that pipelines without
 * reading replies, or announces records it never sends, is held to its budget of medium and large
 * buffers rather than exhausting the server. A reply that cannot be written within the send
 * timeout closes the connection (the server's watchdog checks), which releases all it held, as
 * does the watchdog's eviction of a connection stuck holding buffers others wait for; both reset
 * the socket ({@link #abort()}).
 *
 * <p>The connection also carries the server's own calls to the client (the NFSv4.1 back channel,
 * {@link BackChannel}): the reader hands every REPLY record to the {@link CallChannel} caller waiting
 * for its xid instead of dispatching it; the connection is {@link BackChannel#CURRENT} while its
 * calls run.
 *
 * <p>Thread-safe.
 */
final class RpcConnection {
    private static final Logger LOG = LoggerFactory.getLogger(RpcConnection.class);
    /** A connection's budget of 64 KiB buffers, per 1 MiB buffer of its budget. */
    static final int MEDIUM_PER_LARGE = 8;
    /**
     * A connection's budget of 4 KiB buffers beyond one per call in flight: every call can hold its
     * record while the reader holds the next one and a few calls build replies, so the budget never
     * deadlocks a connection, but calls stuck behind replies nobody reads stop at it.
     */
    static final int SMALL_SPARE = 8;
    /** Replies are written in slices of this size, so a client that reads slowly still shows progress. */
    private static final int SEND_SLICE = 128 * 1024;
    private static final ThreadFactory CALLS = Thread.ofVirtual().name("rpc-call").factory();

    private final RpcServer server;
    private final SocketChannel ch;
    private final InetSocketAddress peer;
    /** The server address the client connected to (for programs that must name it, as NSM's mon_name). */
    private final InetSocketAddress local;
    private final BufferPool buffers;
    private final RecordReader reader;
    private final ReentrantLock writeLock = new ReentrantLock();
    private final Semaphore inFlight;
    private final int maxInFlight;
    /** The socket's stream, only to ask how many bytes wait unread ({@code FIONREAD}). */
    private final InputStream in;
    /** Replies sent without switching the socket to non-blocking mode (null: through the channel only). */
    private final DirectSend direct;
    /** When the reply being written began (0 when none is), for the send-timeout watchdog. */
    private volatile long sendStartNanos;
    /** When reply bytes were last taken by the client, for the pressure watchdog. */
    private volatile long lastSendNanos;
    private volatile Thread readerThread;
    private volatile boolean closed;
    private final AtomicBoolean closing = new AtomicBoolean();
    /** Calls from the server to the client on this connection (the NFSv4.1 back channel). */
    private final CallChannel calls;
    /** Binds {@link BackChannel#CURRENT} to {@link #calls} while a call runs (made once, not per call). */
    private final ScopedValue.Carrier callScope;

    RpcConnection(RpcServer server, SocketChannel ch, InetSocketAddress peer, int maxInFlight, int largeBuffers)
            throws IOException {
        this.server = server;
        this.ch = ch;
        this.peer = peer;
        this.local = ch.getLocalAddress() instanceof InetSocketAddress l ? l : null;
        this.buffers = server.dispatcher().pool().share(maxInFlight + SMALL_SPARE, MEDIUM_PER_LARGE * largeBuffers,
                largeBuffers);
        this.reader = new RecordReader(ch, buffers, server.maxRecordSize());
        this.inFlight = new Semaphore(maxInFlight);
        this.maxInFlight = maxInFlight;
        this.in = ch.socket().getInputStream();
        this.direct = DirectSend.of(ch).orElse(null);
        this.calls = new CallChannel(this::sendCall, this::close);
        this.callScope = ScopedValue.where(BackChannel.CURRENT, calls);
    }

    InetSocketAddress peer() {
        return peer;
    }

    /** Whether the client has sent more than the reader has taken (the next call already waits). */
    private boolean bytesWaiting() {
        if (reader.buffered() > 0) {
            return true; // read ahead with the last record: no FIONREAD needed
        }
        if (reader.drained()) {
            return false; // the last read emptied the socket: no FIONREAD either (issue 9.4)
        }
        try {
            return in.available() > 0;
        } catch (IOException e) {
            return true; // let a call thread run it; the reader sees the failure next
        }
    }

    /** The reader loop; runs on the connection's reader thread until EOF, error or close. */
    void run() {
        readerThread = Thread.currentThread();
        try {
            while (!closed) {
                RecordReader.Record rec = reader.next();
                if (rec == null) {
                    break;
                }
                if (CallChannel.isReply(rec.data())) {
                    try (Lease held = rec.lease()) {
                        calls.deliver(rec.data()); // a client's answer to our callback, not a call
                    }
                    continue;
                }
                inFlight.acquireUninterruptibly();
                server.callStarted();
                if (inFlight.availablePermits() == maxInFlight - 1 && !bytesWaiting()) {
                    execute(rec); // the only call and nothing behind it: no hand-off to another thread
                    continue;
                }
                try {
                    CALLS.newThread(() -> execute(rec)).start();
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
                o = callScope.call(() -> server.dispatcher().dispatch(rec.data(), peer, local, buffers, true));
            } catch (BadXdrException e) {
                LOG.info("closing connection from {}: unreadable RPC header", peer);
                close();
                return;
            }
            switch (o) {
                case RpcDispatcher.Reply r -> {
                    try (XdrEncoder enc = r.encoder()) {
                        sendReply(enc);
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

    /**
     * Sends an encoded reply as one record: its bytes, then its {@linkplain XdrEncoder#tail tail}
     * (a READ's data, from the file to the socket with {@code sendfile}) and the tail's padding.
     */
    private void sendReply(XdrEncoder enc) throws IOException {
        MemorySegment out = enc.written();
        ContentRegion tail = enc.tail();
        long len = out.byteSize() - 4 + (tail == null ? 0 : tail.length() + enc.tailPadding());
        enc.writeIntAt(0, 0x8000_0000 | (int) len); // READ counts are capped far below 2^31
        if (tail == null) {
            send(out.asByteBuffer());
            return;
        }
        writeLock.lock();
        try {
            startSend();
            // through the channel: sendfile on a socket left blocking would hold the call's carrier
            // thread while a client that does not read keeps the socket full
            writeAll(out.asByteBuffer(), false);
            MemorySegment scratch = enc.buffer(); // sent already: free for the copies below
            sendTail(tail, scratch);
            MemorySegment pad = scratch.asSlice(0, enc.tailPadding()).fill((byte) 0);
            writeAll(pad.asByteBuffer(), false);
        } finally {
            sendStartNanos = 0;
            writeLock.unlock();
        }
    }

    /**
     * Sends the region without a user-space copy; when the socket takes nothing (full, as its fd is
     * non-blocking under virtual threads) or the file ended early (truncated meanwhile), copies one
     * piece through {@code scratch} with a blocking write, which waits for the socket, then goes on.
     */
    private void sendTail(ContentRegion tail, MemorySegment scratch) throws IOException {
        long n = tail.length();
        long pos = 0;
        while (pos < n) {
            long sent = tail.transferTo(pos, n - pos, ch); // returns what the socket took: progress shows per call
            if (sent > 0) {
                pos += sent;
                lastSendNanos = System.nanoTime();
                server.tailSent(sent);
                continue;
            }
            MemorySegment piece = scratch.asSlice(0, Math.min(scratch.byteSize(), n - pos));
            tail.read(pos, piece);
            writeAll(piece.asByteBuffer(), false);
            pos += piece.byteSize();
            server.tailCopied(piece.byteSize());
        }
    }

    /** Sends one callback CALL record (the back channel's sender). */
    private void sendCall(ByteBuffer record) {
        try {
            send(record);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private void send(ByteBuffer b) throws IOException {
        writeLock.lock();
        try {
            startSend();
            writeAll(b, true);
        } finally {
            sendStartNanos = 0;
            writeLock.unlock();
        }
    }

    /** Marks a reply as being sent, for the send-timeout watchdog; the write lock is held. */
    private void startSend() {
        long start = System.nanoTime() | 1; // never 0, which means "not sending"
        lastSendNanos = start;
        sendStartNanos = start;
    }

    /**
     * Writes all of {@code b}: first what the socket takes at once through {@link #direct} (when
     * {@code viaDirect}; the socket stays in blocking mode), the rest through the channel.
     */
    private void writeAll(ByteBuffer b, boolean viaDirect) throws IOException {
        if (viaDirect && direct != null && direct.send(b) > 0) {
            lastSendNanos = System.nanoTime(); // the rest, if any, waits for the socket in the channel
        }
        int limit = b.limit();
        while (b.hasRemaining()) {
            b.limit(Math.min(limit, b.position() + SEND_SLICE));
            if (ch.write(b) > 0) {
                lastSendNanos = System.nanoTime();
            }
            b.limit(limit);
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
            abort();
            return true;
        }
        long sending = sendStartNanos;
        if (sending != 0 && now - sending > sendNanos) {
            LOG.info("closing connection from {}: reply not taken within {} ms", peer, sendNanos / 1_000_000);
            abort();
            return true;
        }
        return false;
    }

    /**
     * How long this connection has held pooled buffers without moving a byte while it waits for
     * its client (a reply the client does not take, a record it does not finish), or -1 if it holds
     * none, is not waiting for its client, or is waiting for the pool rather than the client.
     */
    long stuckNanos(long now) {
        if (closed || buffers.leased() == 0) {
            return -1;
        }
        long stuck = -1;
        if (sendStartNanos != 0) {
            stuck = now - lastSendNanos;
        }
        if (reader.recordStartNanos() != 0 && !reader.awaitingBuffer()) {
            stuck = Math.max(stuck, now - reader.lastReadNanos());
        }
        return stuck;
    }

    /** Pooled buffers of the size class of {@code size} this connection holds (records, replies). */
    int buffersHeld(int size) {
        return buffers.leased(size);
    }

    /** Closes the connection because others wait for the buffers it holds without using them. */
    void evict(long stuckNanos) {
        LOG.info("closing connection from {}: holds {} buffers others wait for, no progress for {} ms", peer,
                buffers.leased(), stuckNanos / 1_000_000);
        abort();
    }

    /** Stops reading: the reader sees end-of-stream, in-flight calls still reply. */
    void shutdownInput() {
        try {
            ch.shutdownInput();
        } catch (IOException e) {
            close();
        }
    }

    /**
     * Closes the connection at once because its client holds up the server (a record not finished,
     * replies not taken): the socket is reset (SO_LINGER 0) rather than closed gracefully, so the
     * kernel drops the replies still queued for it (megabytes a client that does not read would
     * otherwise pin as an orphaned socket until TCP gives up) and the client sees the close
     * without first having to read them.
     */
    void abort() {
        if (closed) {
            return;
        }
        try {
            ch.setOption(StandardSocketOptions.SO_LINGER, 0);
        } catch (IOException | RuntimeException e) {
            LOG.debug("connection from {}: SO_LINGER: {}", peer, e.toString());
        }
        close();
    }

    void close() {
        if (!closing.compareAndSet(false, true)) {
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
        calls.close();
        buffers.close(); // the calls and the reader waiting for a buffer give up now
        Thread r = readerThread;
        if (r != null && r != Thread.currentThread()) {
            reader.interruptIfAwaitingBuffer(r); // it gives up now and releases what it holds
        }
        server.connectionClosed(this);
    }
}
