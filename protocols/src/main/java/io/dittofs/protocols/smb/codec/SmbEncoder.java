package io.dittofs.protocols.smb.codec;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Writes little-endian SMB2 fields into a response buffer (a pooled segment seen as a
 * {@link ByteBuffer}); relative writes at the position and absolute patches. A write past the
 * buffer's limit throws {@link java.nio.BufferOverflowException}: handlers bound what they write by
 * {@link #remaining()}.
 *
 * <p>Not thread-safe; one encoder per response.
 */
public final class SmbEncoder {
    private final MemorySegment seg;
    private final ByteBuffer buf;

    public SmbEncoder(MemorySegment seg) {
        this.seg = seg;
        this.buf = seg.asByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    public MemorySegment segment() {
        return seg;
    }

    public ByteBuffer buffer() {
        return buf;
    }

    public int position() {
        return buf.position();
    }

    public void position(int p) {
        buf.position(p);
    }

    public int remaining() {
        return buf.remaining();
    }

    public SmbEncoder u8(int v) {
        buf.put((byte) v);
        return this;
    }

    public SmbEncoder u16(int v) {
        buf.putShort((short) v);
        return this;
    }

    public SmbEncoder u32(long v) {
        buf.putInt((int) v);
        return this;
    }

    public SmbEncoder u64(long v) {
        buf.putLong(v);
        return this;
    }

    public SmbEncoder bytes(byte[] b) {
        buf.put(b);
        return this;
    }

    public SmbEncoder zeros(int n) {
        for (int i = 0; i < n; i++) {
            buf.put((byte) 0);
        }
        return this;
    }

    /** Pads with zeros up to a multiple of {@code align} (counted from the buffer's start). */
    public SmbEncoder align(int align) {
        while (buf.position() % align != 0) {
            buf.put((byte) 0);
        }
        return this;
    }

    /** Writes {@code s} as UTF-16LE (no terminator); returns the byte length. */
    public int utf16(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_16LE);
        buf.put(b);
        return b.length;
    }

    public static int utf16Length(String s) {
        return s.length() * 2;
    }

    public void putU16(int at, int v) {
        buf.putShort(at, (short) v);
    }

    public void putU32(int at, long v) {
        buf.putInt(at, (int) v);
    }

    public void putU64(int at, long v) {
        buf.putLong(at, v);
    }
}
