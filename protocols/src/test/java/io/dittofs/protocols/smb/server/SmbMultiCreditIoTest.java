package io.dittofs.protocols.smb.server;

import io.dittofs.protocols.smb.NtStatus;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * 8 MiB READ/WRITE through the handlers (MS-SMB2 3.3.5.2.5: one credit per 64 KiB): the data
 * round-trips, a charge below ceil(length / 64 KiB) or a length over 8 MiB is refused, and 2.0.2
 * keeps to 64 KiB.
 */
class SmbMultiCreditIoTest {
    private static final int EIGHT_MIB = 8 * 1024 * 1024;

    @Test
    void shouldWriteAndReadEightMebibytesInOneRequestEach() {
        SmbHarness h = new SmbHarness(0x0311);
        long f = h.open("big.bin", SmbHarness.GENERIC_RW);
        byte[] data = new byte[EIGHT_MIB];
        new Random(7).nextBytes(data);
        ByteBuffer w = h.write(f, 0, data, 128);
        assertEquals(NtStatus.SUCCESS, w.getInt(8));
        assertEquals(EIGHT_MIB, w.getInt(64 + 4), "bytes written");
        ByteBuffer r = h.read(f, 0, EIGHT_MIB, 128);
        assertEquals(NtStatus.SUCCESS, r.getInt(8));
        assertArrayEquals(data, SmbHarness.data(r));
    }

    @Test
    void shouldRefuseAnEightMebibyteRequestChargedLessThan128Credits() {
        SmbHarness h = new SmbHarness(0x0300);
        long f = h.open("c.bin", SmbHarness.GENERIC_RW);
        assertEquals(NtStatus.INVALID_PARAMETER, h.write(f, 0, new byte[EIGHT_MIB], 127).getInt(8));
        assertEquals(NtStatus.SUCCESS, h.write(f, 0, new byte[EIGHT_MIB], 128).getInt(8));
        assertEquals(NtStatus.INVALID_PARAMETER, h.read(f, 0, EIGHT_MIB, 127).getInt(8));
        assertEquals(NtStatus.INVALID_PARAMETER, h.read(f, 0, EIGHT_MIB + 1, 129).getInt(8), "over MaxReadSize");
    }

    @Test
    void shouldKeepDialect202To64Kib() {
        SmbHarness h = new SmbHarness(0x0202);
        long f = h.open("d.bin", SmbHarness.GENERIC_RW);
        assertEquals(NtStatus.SUCCESS, h.write(f, 0, new byte[65536], 1).getInt(8));
        assertEquals(NtStatus.INVALID_PARAMETER, h.write(f, 0, new byte[65537], 1).getInt(8));
        assertEquals(NtStatus.INVALID_PARAMETER, h.read(f, 0, 65537, 1).getInt(8));
    }
}
