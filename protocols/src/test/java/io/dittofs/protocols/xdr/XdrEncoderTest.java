package io.dittofs.protocols.xdr;

import io.dittofs.core.buffer.BufferPool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class XdrEncoderTest {
    private final BufferPool pool = new BufferPool(16, 4, 2);

    @AfterEach
    void closePool() {
        pool.close();
    }

    private static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replace(" ", ""));
    }

    private static byte[] bytes(XdrEncoder e) {
        return e.written().toArray(ValueLayout.JAVA_BYTE);
    }

    @Test
    void shouldWriteIntegersBigEndian() {
        try (XdrEncoder e = new XdrEncoder(pool, 64)) {
            e.writeInt(0x01020304).writeInt(-2).writeLong(0x0102030405060708L).writeBool(true).writeBool(false);
            assertArrayEquals(hex("01020304 fffffffe 0102030405060708 00000001 00000000"), bytes(e));
        }
    }

    @Test
    void shouldPadOpaqueWithZerosToFourBytes() {
        try (XdrEncoder e = new XdrEncoder(pool, 64)) {
            e.writeInt(0xAAAAAAAA).writeInt(0xAAAAAAAA).writeInt(0xAAAAAAAA).writeInt(0xAAAAAAAA).position(0);
            e.writeOpaque(new byte[] {1, 2, 3, 4, 5});
            assertArrayEquals(hex("00000005 01020304 05000000"), bytes(e));
        }
    }

    @Test
    void shouldWriteEmptyAndAlignedOpaquesWithoutPadding() {
        try (XdrEncoder e = new XdrEncoder(pool, 64)) {
            e.writeOpaque(new byte[0]).writeOpaque(new byte[] {9, 8, 7, 6});
            assertArrayEquals(hex("00000000 00000004 09080706"), bytes(e));
        }
    }

    @Test
    void shouldWriteStringAsUtf8Opaque() {
        try (XdrEncoder e = new XdrEncoder(pool, 64)) {
            e.writeString("hé");
            assertArrayEquals(hex("00000003 68c3a900"), bytes(e));
        }
    }

    @Test
    void shouldPadReservedRegionWhenCommitted() {
        try (XdrEncoder e = new XdrEncoder(pool, 64)) {
            e.writeInt(7);
            long start = e.position();
            MemorySegment dst = e.reserve(10);
            dst.fill((byte) 0x55);
            e.commitReserved(start, 3);
            e.writeInt(1);
            assertArrayEquals(hex("00000007 55555500 00000001"), bytes(e));
        }
    }

    @Test
    void shouldGrowIntoLargerBufferWhenInitialSizeExceeded() {
        byte[] big = new byte[100_001];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) i;
        }
        try (XdrEncoder e = new XdrEncoder(pool, 16)) {
            e.writeInt(42).writeOpaque(big).writeInt(43);
            XdrDecoder d = new XdrDecoder(e.written());
            assertEquals(42, d.readInt());
            assertArrayEquals(big, d.readOpaqueBytes(big.length));
            assertEquals(43, d.readInt());
            assertEquals(0, d.remaining());
        }
    }

    @Test
    void shouldRefuseReplyLargerThanLargestPoolBuffer() {
        try (XdrEncoder e = new XdrEncoder(pool, 16)) {
            assertThrows(IllegalStateException.class, () -> e.writeOpaque(new byte[BufferPool.LARGE]));
        }
    }

    @Test
    void shouldReturnBufferToPoolWhenClosed() {
        int before = pool.available(BufferPool.SMALL);
        XdrEncoder e = new XdrEncoder(pool, 100);
        assertEquals(before - 1, pool.available(BufferPool.SMALL));
        e.close();
        assertEquals(before, pool.available(BufferPool.SMALL));
    }
}
