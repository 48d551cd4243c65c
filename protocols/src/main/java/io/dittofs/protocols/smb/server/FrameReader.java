package io.dittofs.protocols.smb.server;

import io.dittofs.core.buffer.BufferPool;
import io.dittofs.core.buffer.Lease;

import java.io.EOFException;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;

/**
 * Reads SMB2 messages framed for direct TCP (MS-SMB2 2.1): a 4-byte header, a zero byte then a
 * 24-bit big-endian length, followed by that many bytes. A length over the cap is refused before
 * any buffer is taken, and the buffer grows only as bytes arrive (4 KiB, then 64 KiB, then the
 * 1 MiB or 8 MiB class the frame needs), so a client announcing a large frame and sending nothing holds one small buffer. Zero-length
 * frames (keep-alives) are skipped.
 *
 * <p>Used by one reader thread per connection; not thread-safe.
 */
final class FrameReader {
    /** A message: {@code data} lies inside {@code lease}, which the receiver must close. */
    record Frame(Lease lease, MemorySegment data) {
    }

    /** The stream broke the framing rules; the connection must be closed. */
    static final class FramingException extends IOException {
        FramingException(String message) {
            super(message);
        }
    }

    private final ReadableByteChannel ch;
    private final BufferPool pool;
    private final int maxFrame;
    private final ByteBuffer header = ByteBuffer.allocateDirect(4);
    private volatile long frameStartNanos;

    FrameReader(ReadableByteChannel ch, BufferPool pool, int maxFrame) {
        this.ch = ch;
        this.pool = pool;
        this.maxFrame = Math.min(maxFrame, pool.maxSize());
    }

    /** When the frame being read began (0 between frames), for the stall watchdog. */
    long frameStartNanos() {
        return frameStartNanos;
    }

    /** The next frame, or null on a clean end of stream between frames. */
    Frame next() throws IOException {
        try {
            while (true) {
                int h = readHeader();
                if (h == -1 && header.position() == 0) {
                    return null;
                }
                if ((h >>> 24) != 0) {
                    throw new FramingException("bad direct-TCP frame header 0x" + Integer.toHexString(h));
                }
                int len = h & 0xFF_FFFF;
                if (len == 0) {
                    frameStartNanos = 0;
                    continue;
                }
                if (len > maxFrame) {
                    throw new FramingException("frame of " + len + " bytes over the " + maxFrame + "-byte cap");
                }
                return assemble(len);
            }
        } finally {
            frameStartNanos = 0;
        }
    }

    private Frame assemble(int len) throws IOException {
        Lease lease = pool.acquire(Math.min(len, BufferPool.SMALL));
        try {
            long total = 0;
            while (total < len) {
                if (total == lease.capacity().byteSize()) {
                    Lease bigger = pool.acquire(Math.min(len, nextSize(lease.capacity().byteSize(), len)));
                    MemorySegment.copy(lease.capacity(), 0, bigger.capacity(), 0, total);
                    lease.close();
                    lease = bigger;
                }
                long n = Math.min(len, lease.capacity().byteSize()) - total;
                readFully(lease.capacity().asSlice(total, n).asByteBuffer());
                total += n;
            }
            return new Frame(lease, lease.capacity().asSlice(0, len));
        } catch (IOException | RuntimeException e) {
            lease.close();
            throw e;
        }
    }

    /**
     * The next buffer size once {@code have} bytes are full: 64 KiB, then straight to the class the
     * whole frame needs (1 MiB or 8 MiB), so an 8 MiB WRITE is copied at most 68 KiB on its way in.
     */
    private static int nextSize(long have, int len) {
        if (have < BufferPool.MEDIUM) {
            return BufferPool.MEDIUM;
        }
        return len <= BufferPool.LARGE ? BufferPool.LARGE : BufferPool.HUGE;
    }

    private int readHeader() throws IOException {
        header.clear();
        while (header.hasRemaining()) {
            int n = ch.read(header);
            if (n < 0) {
                if (header.position() == 0) {
                    return -1;
                }
                throw new EOFException("end of stream inside a frame header");
            }
            if (n > 0 && frameStartNanos == 0) {
                frameStartNanos = System.nanoTime();
            }
        }
        return header.getInt(0);
    }

    private void readFully(ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            if (ch.read(b) < 0) {
                throw new EOFException("end of stream inside a frame");
            }
        }
    }
}
