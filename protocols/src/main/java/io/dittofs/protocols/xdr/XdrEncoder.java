package io.dittofs.protocols.xdr;

import io.dittofs.core.buffer.BufferPool;
import io.dittofs.core.buffer.Lease;
import io.dittofs.core.spi.ContentRegion;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

import static io.dittofs.protocols.xdr.XdrDecoder.INT;
import static io.dittofs.protocols.xdr.XdrDecoder.LONG;

/**
 * Writes XDR (RFC 4506) into a pooled off-heap buffer, growing into a larger pooled buffer when
 * needed (up to the pool's largest class). Large payloads are written in place through
 * {@link #reserve(int)}, so READ data goes from the store straight into the reply buffer; or,
 * where the transport can send it ({@link #allowTail()}), a reply ends with a {@link ContentRegion}
 * ({@link #tail(ContentRegion)}) that the transport sends from the file to the socket after
 * {@link #written()}, followed by its XDR padding, without the data entering this buffer.
 *
 * <p>Owns its lease, and its tail, until {@link #close()}. Not thread-safe.
 */
public final class XdrEncoder implements AutoCloseable {
    private final BufferPool pool;
    private Lease lease;
    private MemorySegment seg;
    private long pos;
    private boolean tailAllowed;
    private ContentRegion tail;

    public XdrEncoder(BufferPool pool, int initialSize) {
        this.pool = pool;
        this.lease = pool.acquire(Math.min(initialSize, pool.maxSize()));
        this.seg = lease.capacity();
    }

    public long position() {
        return pos;
    }

    /** Moves the write position (to back-patch a field written earlier or rewind an error reply). */
    public void position(long p) {
        if (p < 0 || p > seg.byteSize()) {
            throw new IllegalArgumentException("position " + p);
        }
        pos = p;
    }

    /** The bytes written so far, {@code [0, position)}. */
    public MemorySegment written() {
        return seg.asSlice(0, pos);
    }

    private void ensure(long n) {
        if (pos + n <= seg.byteSize()) {
            return;
        }
        long need = pos + n;
        if (need > pool.maxSize()) {
            throw new IllegalStateException("reply larger than " + pool.maxSize() + " bytes");
        }
        Lease bigger = pool.acquire((int) Math.max(need, Math.min(pool.maxSize(), seg.byteSize() * 2)));
        MemorySegment.copy(seg, 0, bigger.capacity(), 0, pos);
        lease.close();
        lease = bigger;
        seg = bigger.capacity();
    }

    public XdrEncoder writeInt(int v) {
        ensure(4);
        seg.set(INT, pos, v);
        pos += 4;
        return this;
    }

    public XdrEncoder writeIntAt(long at, int v) {
        seg.set(INT, at, v);
        return this;
    }

    public XdrEncoder writeLong(long v) {
        ensure(8);
        seg.set(LONG, pos, v);
        pos += 8;
        return this;
    }

    public XdrEncoder writeBool(boolean b) {
        return writeInt(b ? 1 : 0);
    }

    /** Fixed-length opaque (padded). */
    public XdrEncoder writeOpaqueFixed(MemorySegment data) {
        long len = data.byteSize();
        long padded = (len + 3) & ~3L;
        ensure(padded);
        MemorySegment.copy(data, 0, seg, pos, len);
        seg.asSlice(pos + len, padded - len).fill((byte) 0);
        pos += padded;
        return this;
    }

    public XdrEncoder writeOpaqueFixed(byte[] data) {
        return writeOpaqueFixed(MemorySegment.ofArray(data));
    }

    public XdrEncoder writeOpaque(byte[] data) {
        writeInt(data.length);
        return writeOpaqueFixed(data);
    }

    public XdrEncoder writeString(String s) {
        return writeOpaque(s.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Reserves {@code len} bytes (plus padding to 4) at the current position and returns them for
     * the caller to fill in place; call {@link #commitReserved(long, int)} with the actual length.
     */
    public MemorySegment reserve(int len) {
        ensure(((long) len + 3) & ~3L);
        return seg.asSlice(pos, len);
    }

    /** Completes a {@link #reserve}: {@code used} bytes were filled; pads and advances. */
    public void commitReserved(long start, int used) {
        long padded = ((long) used + 3) & ~3L;
        seg.asSlice(start + used, padded - used).fill((byte) 0);
        pos = start + padded;
    }

    public XdrEncoder writeBytesAt(long at, byte[] b) {
        MemorySegment.copy(b, 0, seg, ValueLayout.JAVA_BYTE, at, b.length);
        return this;
    }

    /** Lets a program end this reply with a {@link #tail}: the transport sends regions (a TCP connection does). */
    public void allowTail() {
        tailAllowed = true;
    }

    /** Whether {@link #tail} may be called. */
    public boolean tailAllowed() {
        return tailAllowed;
    }

    /**
     * Ends the reply with {@code region}'s bytes and their XDR padding to 4, sent after
     * {@link #written()}; nothing may be written after it. Takes ownership of {@code region}
     * ({@link #close()} closes it).
     */
    public void tail(ContentRegion region) {
        if (!tailAllowed || tail != null) {
            region.close();
            throw new IllegalStateException(tail != null ? "reply has a tail already" : "transport sends no tails");
        }
        tail = region;
    }

    /** The region ending the reply, or null. */
    public ContentRegion tail() {
        return tail;
    }

    /** Zero bytes after the tail (XDR padding of its length to 4), 0 without a tail. */
    public int tailPadding() {
        return tail == null ? 0 : (int) (-tail.length() & 3);
    }

    /** The whole buffer: scratch space for the transport once {@link #written()} has been sent. */
    public MemorySegment buffer() {
        return seg;
    }

    @Override
    public void close() {
        try {
            if (tail != null) {
                tail.close();
                tail = null;
            }
        } finally {
            lease.close();
        }
    }
}
