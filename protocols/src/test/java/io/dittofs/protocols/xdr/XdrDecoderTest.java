package io.dittofs.protocols.xdr;

import io.dittofs.core.buffer.BufferPool;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class XdrDecoderTest {
    private static XdrDecoder decoder(String hex) {
        return new XdrDecoder(MemorySegment.ofArray(HexFormat.of().parseHex(hex.replace(" ", ""))));
    }

    @Test
    void shouldReadGoldenBytesBigEndian() {
        XdrDecoder d = decoder("01020304 fffffffe 0102030405060708 00000001 00000000 ffffffff");
        assertEquals(0x01020304, d.readInt());
        assertEquals(-2, d.readInt());
        assertEquals(0x0102030405060708L, d.readLong());
        assertTrue(d.readBool());
        assertFalse(d.readBool());
        assertEquals(0xFFFF_FFFFL, d.readUnsignedInt());
        assertEquals(0, d.remaining());
    }

    @Test
    void shouldSkipPaddingWhenReadingOpaque() {
        XdrDecoder d = decoder("00000005 01020304 05000000 00000003 68c3a900 0000002a");
        assertArrayEquals(new byte[] {1, 2, 3, 4, 5}, d.readOpaqueBytes(16));
        assertEquals("hé", d.readString(16));
        assertEquals(42, d.readInt());
    }

    @Test
    void shouldRoundTripEveryTypeThroughEncoder() {
        try (BufferPool pool = new BufferPool(4, 1, 1); XdrEncoder e = new XdrEncoder(pool, 64)) {
            e.writeInt(Integer.MIN_VALUE).writeLong(Long.MIN_VALUE).writeBool(true)
                    .writeOpaque(new byte[] {1, 2, 3}).writeString("ünïcödé ✓").writeOpaque(new byte[0])
                    .writeOpaqueFixed(new byte[] {9, 9}).writeInt(-1);
            XdrDecoder d = new XdrDecoder(e.written());
            assertEquals(Integer.MIN_VALUE, d.readInt());
            assertEquals(Long.MIN_VALUE, d.readLong());
            assertTrue(d.readBool());
            assertArrayEquals(new byte[] {1, 2, 3}, d.readOpaqueBytes(3));
            assertEquals("ünïcödé ✓", d.readString(64));
            assertEquals(0, d.readOpaque(0).byteSize());
            assertArrayEquals(new byte[] {9, 9}, d.readOpaqueFixed(2).toArray(ValueLayout.JAVA_BYTE));
            assertEquals(-1, d.readInt());
            assertEquals(0, d.remaining());
        }
    }

    @Test
    void shouldReturnOpaqueAsSliceOfInputWithoutCopying() {
        byte[] input = HexFormat.of().parseHex("0000000401020304");
        MemorySegment s = new XdrDecoder(MemorySegment.ofArray(input)).readOpaque(4);
        input[4] = 99;
        assertEquals(99, s.get(ValueLayout.JAVA_BYTE, 0));
    }

    @Test
    void shouldThrowWhenIntTruncated() {
        XdrDecoder d = decoder("010203");
        assertThrows(BadXdrException.class, d::readInt);
        assertEquals(0, d.position(), "a failed read does not move the position");
    }

    @Test
    void shouldThrowWhenLongTruncated() {
        assertThrows(BadXdrException.class, decoder("01020304050607")::readLong);
    }

    @Test
    void shouldThrowWhenInputEmpty() {
        assertThrows(BadXdrException.class, decoder("")::readInt);
        assertThrows(BadXdrException.class, decoder("")::readBool);
    }

    @Test
    void shouldThrowWhenOpaqueDataTruncated() {
        assertThrows(BadXdrException.class, () -> decoder("00000010 0102030405060708").readOpaque(64));
    }

    @Test
    void shouldThrowWhenOpaquePaddingMissing() {
        assertThrows(BadXdrException.class, () -> decoder("00000005 0102030405").readOpaque(64));
    }

    @Test
    void shouldThrowWhenLengthOverCap() {
        assertThrows(BadXdrException.class, () -> decoder("00000011" + "00".repeat(20)).readOpaque(16));
        assertThrows(BadXdrException.class, () -> decoder("00000011" + "00".repeat(20)).readString(16));
    }

    @Test
    void shouldThrowWithoutAllocatingWhenLengthIsHuge() {
        // 0x7fffffff with an uncapped max: the bounds check must fire before toArray allocates 2 GiB
        assertThrows(BadXdrException.class, () -> decoder("7fffffff 00000000").readOpaqueBytes(Integer.MAX_VALUE));
        assertThrows(BadXdrException.class, () -> decoder("7fffffff 00000000").readString(Integer.MAX_VALUE));
        assertThrows(BadXdrException.class, () -> decoder("7fffffff").readOpaque(1024));
    }

    @Test
    void shouldThrowWhenLengthNegative() {
        assertThrows(BadXdrException.class, () -> decoder("ffffffff 00000000").readOpaque(Integer.MAX_VALUE));
        assertThrows(BadXdrException.class, () -> decoder("80000000").readLength(Integer.MAX_VALUE));
    }

    @Test
    void shouldThrowWhenFixedOpaqueLengthNegative() {
        assertThrows(BadXdrException.class, () -> decoder("00000000").readOpaqueFixed(-4));
    }

    @Test
    void shouldThrowWhenStringIsNotUtf8() {
        assertThrows(BadXdrException.class, () -> decoder("00000002 c3280000").readString(16), "bad continuation");
        assertThrows(BadXdrException.class, () -> decoder("00000002 c0af0000").readString(16), "overlong '/'");
        assertThrows(BadXdrException.class, () -> decoder("00000003 eda08000").readString(16), "lone surrogate");
        assertThrows(BadXdrException.class, () -> decoder("00000001 ff000000").readString(16), "0xff");
    }

    @Test
    void shouldThrowWhenBooleanIsNotZeroOrOne() {
        assertThrows(BadXdrException.class, decoder("00000002")::readBool);
        assertThrows(BadXdrException.class, decoder("ffffffff")::readBool);
        assertThrows(BadXdrException.class, decoder("01000000")::readBool, "1 in little-endian");
    }

    @Test
    void shouldThrowWhenSkippingPastEndOrBackwards() {
        assertThrows(BadXdrException.class, () -> decoder("00000000").skip(5));
        assertThrows(BadXdrException.class, () -> decoder("00000000").skip(-1));
    }
}
