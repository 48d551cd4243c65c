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
 * so a 2 GiB fragment length costs nothing.
 *
 * <p>Used by one reader thread per connection; not thread-safe.
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

    private final ReadableByteChannel ch;
    private final BufferPool pool;
    private final int maxRecord;
    private final ByteBuffer header = ByteBuffer.allocateDirect(4);
    private volatile long recordStartNanos;

    RecordReader(ReadableByteChannel ch, BufferPool pool, int maxRecord) {
        this.ch = ch;
        this.pool = pool;
        this.maxRecord = Math.min(maxRecord, pool.maxSize());
    }

    /** When the record being read began (0 when waiting between records), for the stall watchdog. */
    long recordStartNanos() {
        return recordStartNanos;
    }

    /** The next record, or null on a clean end of stream between records. */
    Record next() throws IOException {
        try {
            int h = readHeader(true);
            if (h == -1 && header.position() == 0) {
                return null;
            }
            boolean last = h < 0;
            int len = h & 0x7fff_ffff;
            if (len > maxRecord) {
                throw new FramingException("fragment of " + len + " bytes over the " + maxRecord + "-byte cap");
            }
            if (last) {
                Lease lease = pool.acquire(len);
                try {
                    readFully(lease.segment().asByteBuffer());
                    return new Record(lease, lease.segment());
                } catch (IOException | RuntimeException e) {
                    lease.close();
                    throw e;
                }
            }
            return multiFragment(len);
        } finally {
            recordStartNanos = 0;
        }
    }

    /**
     * Accumulates a record of several fragments. The buffer grows with the data that actually
     * arrived (a pooled buffer of the next size class, contents copied), so a client announcing
     * a fragment that never completes holds no more memory than its size class.
     */
    private Record multiFragment(int firstLen) throws IOException {
        Lease lease = pool.acquire(firstLen);
        try {
            long total = 0;
            int len = firstLen;
            boolean last = false;
            while (true) {
                if (total + len > maxRecord) {
                    throw new FramingException("record over the " + maxRecord + "-byte cap");
                }
                if (total + len > lease.capacity().byteSize()) {
                    Lease bigger = pool.acquire((int) (total + len));
                    MemorySegment.copy(lease.capacity(), 0, bigger.capacity(), 0, total);
                    lease.close();
                    lease = bigger;
                }
                readFully(lease.capacity().asSlice(total, len).asByteBuffer());
                total += len;
                if (last) {
                    return new Record(lease, lease.capacity().asSlice(0, total));
                }
                int h = readHeader(false);
                last = h < 0;
                len = h & 0x7fff_ffff;
            }
        } catch (IOException | RuntimeException e) {
            lease.close();
            throw e;
        }
    }

    /** Reads a fragment header; returns -1 with position 0 for EOF before any byte if {@code eofOk}. */
    private int readHeader(boolean eofOk) throws IOException {
        header.clear();
        while (header.hasRemaining()) {
            int n = ch.read(header);
            if (n < 0) {
                if (eofOk && header.position() == 0) {
                    return -1;
                }
                throw new EOFException("end of stream inside a fragment header");
            }
            if (n > 0 && recordStartNanos == 0) {
                // the record starts with its first byte, so a client dribbling a header also stalls
                recordStartNanos = System.nanoTime();
            }
        }
        return header.getInt(0); // position is 4 here, which tells a real 0xFFFFFFFF from EOF
    }

    private void readFully(ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            if (ch.read(b) < 0) {
                throw new EOFException("end of stream inside a record");
            }
        }
    }
}
