package io.dittofs.protocols.xdr;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Reads XDR (RFC 4506) from a memory segment. Every read is bounds-checked against the
 * segment and every variable-length item is capped before anything is allocated; violations
 * throw {@link BadXdrException}. Opaque data is returned as a slice of the input, never copied.
 *
 * <p>Not thread-safe; one decoder per message.
 */
public final class XdrDecoder {
    static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private final MemorySegment seg;
    private long pos;

    public XdrDecoder(MemorySegment seg) {
        this.seg = seg;
    }

    public long position() {
        return pos;
    }

    public long remaining() {
        return seg.byteSize() - pos;
    }

    /** The whole input this decoder reads from. */
    public MemorySegment segment() {
        return seg;
    }

    private void ensure(long n) {
        if (n < 0 || n > seg.byteSize() - pos) {
            throw new BadXdrException("need " + n + " bytes at " + pos + ", have " + (seg.byteSize() - pos));
        }
    }

    public int readInt() {
        ensure(4);
        int v = seg.get(INT, pos);
        pos += 4;
        return v;
    }

    public long readUnsignedInt() {
        return readInt() & 0xFFFF_FFFFL;
    }

    public long readLong() {
        ensure(8);
        long v = seg.get(LONG, pos);
        pos += 8;
        return v;
    }

    public boolean readBool() {
        int v = readInt();
        if (v != 0 && v != 1) {
            throw new BadXdrException("bad boolean " + v);
        }
        return v == 1;
    }

    /** A length field followed by data, capped at {@code max}. */
    public int readLength(int max) {
        int len = readInt();
        if (len < 0 || len > max) {
            throw new BadXdrException("length " + Integer.toUnsignedString(len) + " over cap " + max);
        }
        return len;
    }

    /** Fixed-length opaque data (padded to 4 bytes), as a slice of the input. */
    public MemorySegment readOpaqueFixed(int len) {
        long padded = (len + 3L) & ~3L;
        ensure(padded);
        MemorySegment s = seg.asSlice(pos, len);
        pos += padded;
        return s;
    }

    /** Variable-length opaque data of at most {@code max} bytes, as a slice of the input. */
    public MemorySegment readOpaque(int max) {
        return readOpaqueFixed(readLength(max));
    }

    /** Variable-length opaque data copied to a small heap array (handles, verifiers; not file data). */
    public byte[] readOpaqueBytes(int max) {
        return readOpaque(max).toArray(ValueLayout.JAVA_BYTE);
    }

    /** A string of at most {@code max} bytes that must be valid UTF-8. */
    public String readString(int max) {
        MemorySegment s = readOpaque(max);
        try {
            return utf8(s);
        } catch (CharacterCodingException e) {
            throw new BadXdrException("string is not valid UTF-8");
        }
    }

    /** Strict UTF-8 decoding: malformed input is an error, never replaced. */
    public static String utf8(MemorySegment s) throws CharacterCodingException {
        return StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(s.asByteBuffer()).toString();
    }

    public void skip(long n) {
        ensure(n);
        pos += n;
    }
}
