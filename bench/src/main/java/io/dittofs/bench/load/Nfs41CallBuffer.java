package io.dittofs.bench.load;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * XDR writer (RFC 4506) for calls into one fixed off-heap buffer (a session slot's; calls carry names
 * and handles, never file data, so 64 KiB is plenty): writing past its end throws. The client's
 * counterpart of the server's pooled {@code XdrEncoder}, with no pool (and none of its JVM flags) in the
 * load generator. Not thread-safe.
 */
final class Nfs41CallBuffer {
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private final MemorySegment seg;
    private long pos;

    Nfs41CallBuffer(MemorySegment seg) {
        this.seg = seg;
    }

    long position() {
        return pos;
    }

    void position(long p) {
        if (p < 0 || p > seg.byteSize()) {
            throw new IllegalArgumentException("position " + p);
        }
        pos = p;
    }

    /** The bytes written so far. */
    MemorySegment written() {
        return seg.asSlice(0, pos);
    }

    private void ensure(long n) {
        if (n > seg.byteSize() - pos) {
            throw new IllegalStateException("call larger than " + seg.byteSize() + " bytes");
        }
    }

    Nfs41CallBuffer writeInt(int v) {
        ensure(4);
        seg.set(INT, pos, v);
        pos += 4;
        return this;
    }

    Nfs41CallBuffer writeIntAt(long at, int v) {
        seg.set(INT, at, v);
        return this;
    }

    Nfs41CallBuffer writeLong(long v) {
        ensure(8);
        seg.set(LONG, pos, v);
        pos += 8;
        return this;
    }

    Nfs41CallBuffer writeBool(boolean b) {
        return writeInt(b ? 1 : 0);
    }

    /** Fixed-length opaque data, zero-padded to 4 bytes. */
    Nfs41CallBuffer writeOpaqueFixed(byte[] b) {
        long padded = (b.length + 3L) & ~3L;
        ensure(padded);
        MemorySegment.copy(b, 0, seg, ValueLayout.JAVA_BYTE, pos, b.length);
        seg.asSlice(pos + b.length, padded - b.length).fill((byte) 0);
        pos += padded;
        return this;
    }

    Nfs41CallBuffer writeOpaque(byte[] b) {
        return writeInt(b.length).writeOpaqueFixed(b);
    }

    Nfs41CallBuffer writeString(String s) {
        return writeOpaque(s.getBytes(StandardCharsets.UTF_8));
    }
}
