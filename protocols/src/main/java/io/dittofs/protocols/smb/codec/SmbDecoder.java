package io.dittofs.protocols.smb.codec;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Little-endian, bounds-checked reads at absolute offsets of one SMB2 message element (MS-SMB2
 * 2.1: all fields little-endian). Every read checks its bounds and throws
 * {@link SmbFormatException}; variable-length items are capped before anything is allocated, and
 * data buffers are returned as slices of the input, never copied.
 *
 * <p>Stateless apart from the segment; thread-safe if the segment is not changed.
 */
public final class SmbDecoder {
    static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final MemorySegment seg;

    public SmbDecoder(MemorySegment seg) {
        this.seg = seg;
    }

    public MemorySegment segment() {
        return seg;
    }

    public long size() {
        return seg.byteSize();
    }

    private void ensure(long off, long n) {
        if (off < 0 || n < 0 || off > seg.byteSize() - n) {
            throw new SmbFormatException("need " + n + " bytes at " + off + " of " + seg.byteSize());
        }
    }

    public int u8(long off) {
        ensure(off, 1);
        return seg.get(ValueLayout.JAVA_BYTE, off) & 0xFF;
    }

    public int u16(long off) {
        ensure(off, 2);
        return seg.get(SHORT, off) & 0xFFFF;
    }

    public int i32(long off) {
        ensure(off, 4);
        return seg.get(INT, off);
    }

    public long u32(long off) {
        return i32(off) & 0xFFFF_FFFFL;
    }

    public long i64(long off) {
        ensure(off, 8);
        return seg.get(LONG, off);
    }

    /** A slice of {@code len} bytes at {@code off} (no copy). */
    public MemorySegment slice(long off, long len) {
        ensure(off, len);
        return seg.asSlice(off, len);
    }

    /** A copy of {@code len} bytes at {@code off}, at most {@code cap} bytes long. */
    public byte[] bytes(long off, long len, int cap) {
        if (len > cap) {
            throw new SmbFormatException(len + " bytes over the " + cap + "-byte cap");
        }
        return slice(off, len).toArray(ValueLayout.JAVA_BYTE);
    }

    /** A UTF-16LE string of {@code len} bytes at {@code off}, at most {@code capChars} characters. */
    public String utf16(long off, long len, int capChars) {
        if (len % 2 != 0 || len / 2 > capChars) {
            throw new SmbFormatException("bad string length " + len);
        }
        byte[] b = bytes(off, len, capChars * 2);
        try {
            return StandardCharsets.UTF_16LE.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            throw new SmbFormatException("string is not valid UTF-16");
        }
    }
}
