package io.dittofs.protocols.rpc;

import io.dittofs.core.buffer.BufferPool;
import io.dittofs.core.buffer.Lease;

import java.io.EOFException;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;

/**
 * Reads record-marked RPC messages from a stream (RFC 5531 section 11): each fragment has a
 * 4-byte header, the top bit marking the last fragment, the low 31 bits its length. Records may
 * span several fragments. A record longer than the cap is refused before any buffer is taken,
 * so a 2 GiB fragment length costs nothing, and the buffer grows only as the record's bytes
 * arrive, so an announced length that never comes holds no large buffer.
 *
 * <p>Used by one reader thread per connection; not thread-safe, except the watchdog's getters and
 * {@link #interruptIfAwaitingBuffer}.
 */
final class RecordReader {
    /** A record: {@code data} lies inside {@code lease}, which the receiver must close. */
    record Record(Lease lease, MemorySegment data) {
    }

    /** The stream broke the framing rules; the connection must be closed. */
    static final class FramingException extends IOException {
        FramingException(String message) {
            super(message);
        }
    }

    /** Bytes the inbox holds at most: a 4 KiB WRITE's record, mark and RPC header included, fits. */
    static final int INBOX = 8 * 1024;

    private final ReadableByteChannel ch;
    private final BufferPool pool;
    private final int maxRecord;
    /**
     * Bytes read from the socket ahead of the record being assembled (read mode): one read takes a
     * small call's mark and body together, and the next call's first bytes when the client
     * pipelines. Bodies beyond it are read straight into their pooled buffer.
     */
    private final ByteBuffer inbox = ByteBuffer.allocateDirect(INBOX).flip();
    private volatile long recordStartNanos;
    /** When bytes last arrived, for the pressure watchdog. */
    private volatile long lastReadNanos = System.nanoTime();
    /**
     * Whether the last socket read returned less than it had room for: the socket held nothing more
     * at that moment, so nobody needs to ask it ({@code FIONREAD}) whether the next call waits.
     */
    private boolean drained;
    /** True while waiting for a pooled buffer: a stalled record is then the pool's fault, not the client's. */
    private volatile boolean awaitingBuffer;

    RecordReader(ReadableByteChannel ch, BufferPool pool, int maxRecord) {
        this.ch = ch;
        this.pool = pool;
        this.maxRecord = Math.min(maxRecord, pool.maxSize());
    }

    /** When the record being read began (0 when waiting between records), for the stall watchdog. */
    long recordStartNanos() {
        return recordStartNanos;
    }

    /** When bytes last arrived on the connection. */
    long lastReadNanos() {
        return lastReadNanos;
    }

    /** Whether the reader is waiting for a pooled buffer (not for the client). */
    boolean awaitingBuffer() {
        return awaitingBuffer;
    }

    /** Bytes already read from the socket and not yet taken (the next record has begun arriving). */
    int buffered() {
        return inbox.remaining();
    }

    /**
     * Whether the socket held no more bytes when it was last read (that read did not fill its
     * buffer): at queue depth 1 the answer to "does another call wait?" without a system call.
     */
    boolean drained() {
        return drained;
    }

    /** The next record, or null on a clean end of stream between records. */
    Record next() throws IOException {
        try {
            if (inbox.hasRemaining()) {
                recordStartNanos = System.nanoTime(); // its first bytes came with an earlier read
            }
            if (!fill(4, true)) {
                return null;
            }
            return assemble(inbox.getInt());
        } finally {
            recordStartNanos = 0;
        }
    }

    /**
     * Reads the fragments of one record into a buffer that grows with the data that actually
     * arrived, not with what the fragment headers announce: a small buffer first, a medium one
     * once the small one is full, a large one once 64 KiB are in (contents copied on each step).
     * So a client that announces a 1 MiB record and sends nothing holds one 4 KiB buffer.
     */
    private Record assemble(int firstHeader) throws IOException {
        int h = firstHeader;
        long total = 0;
        Lease lease = null;
        try {
            while (true) {
                boolean last = h < 0;
                int len = h & 0x7fff_ffff;
                if (total + len > maxRecord) {
                    throw new FramingException(total == 0
                            ? "fragment of " + len + " bytes over the " + maxRecord + "-byte cap"
                            : "record over the " + maxRecord + "-byte cap");
                }
                long end = total + len;
                if (lease == null) {
                    lease = acquire((int) Math.min(end, BufferPool.SMALL));
                }
                while (total < end) {
                    if (total == lease.capacity().byteSize()) {
                        lease = grow(lease, total, end);
                    }
                    long n = Math.min(end, lease.capacity().byteSize()) - total;
                    readFully(lease.capacity().asSlice(total, n).asByteBuffer());
                    total += n;
                }
                if (last) {
                    return new Record(lease, lease.capacity().asSlice(0, total));
                }
                fill(4, false);
                h = inbox.getInt();
            }
        } catch (IOException | RuntimeException e) {
            if (lease != null) {
                lease.close();
            }
            throw e;
        }
    }

    /** A buffer of the next size class (no larger than {@code end} needs) holding the {@code total} bytes read. */
    private Lease grow(Lease full, long total, long end) {
        int next = full.capacity().byteSize() < BufferPool.MEDIUM ? BufferPool.MEDIUM : BufferPool.LARGE;
        Lease bigger = acquire((int) Math.min(end, next));
        MemorySegment.copy(full.capacity(), 0, bigger.capacity(), 0, total);
        full.close();
        return bigger;
    }

    private Lease acquire(int size) {
        synchronized (this) {
            awaitingBuffer = true;
        }
        try {
            return pool.acquire(size);
        } finally {
            synchronized (this) {
                awaitingBuffer = false;
                Thread.interrupted(); // a late wake-up must not reach the calls this thread runs next
            }
        }
    }

    /**
     * Interrupts {@code readerThread} if it is waiting for a pooled buffer, so it gives up now; never
     * while it does anything else (it may be running a call, whose file I/O an interrupt would break).
     */
    synchronized void interruptIfAwaitingBuffer(Thread readerThread) {
        if (awaitingBuffer) {
            readerThread.interrupt();
        }
    }

    /**
     * Reads until the inbox holds at least {@code min} bytes (a fragment header), taking whatever
     * more the socket has; false on end of stream before any byte if {@code eofOk}.
     */
    private boolean fill(int min, boolean eofOk) throws IOException {
        if (inbox.remaining() >= min) {
            return true;
        }
        inbox.compact();
        try {
            while (inbox.position() < min) {
                int room = inbox.remaining();
                int n = ch.read(inbox);
                drained = n < room;
                if (n < 0) {
                    if (eofOk && inbox.position() == 0) {
                        return false;
                    }
                    throw new EOFException("end of stream inside a fragment header");
                }
                if (n > 0) {
                    lastReadNanos = System.nanoTime();
                    if (recordStartNanos == 0) {
                        // the record starts with its first byte, so a client dribbling a header also stalls
                        recordStartNanos = lastReadNanos;
                    }
                }
            }
        } finally {
            inbox.flip();
        }
        return true;
    }

    /** Fills {@code b}: first from the inbox, then straight from the socket. */
    private void readFully(ByteBuffer b) throws IOException {
        int k = Math.min(inbox.remaining(), b.remaining());
        if (k > 0) {
            b.put(inbox.slice(inbox.position(), k));
            inbox.position(inbox.position() + k);
        }
        while (b.hasRemaining()) {
            int room = b.remaining();
            int n = ch.read(b);
            if (n < 0) {
                throw new EOFException("end of stream inside a record");
            }
            drained = n < room;
            lastReadNanos = System.nanoTime();
        }
    }
}
