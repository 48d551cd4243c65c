package io.dittofs.protocols.smb.server;

import io.dittofs.protocols.smb.NtStatus;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Server-side copy (MS-SMB2 3.3.5.15.5-6): resume keys, copies through FSCTL_SRV_COPYCHUNK and
 * _WRITE, access rules on both opens, the 256-chunk / 1 MiB / 16 MiB limits answered with the
 * limits in the body, and garbage copy requests (truncated, lying counts, forged keys).
 */
class SmbCopyChunkTest {
    private static final int RESUME_KEY = 0x0014_0078;
    private static final int COPYCHUNK = 0x0014_40F2;
    private static final int COPYCHUNK_WRITE = 0x0014_80F2;
    private final SmbHarness h = new SmbHarness(0x0311);

    private byte[] resumeKey(long fid) {
        ByteBuffer r = h.ioctl(RESUME_KEY, fid, new byte[0], 32);
        assertEquals(NtStatus.SUCCESS, r.getInt(8));
        byte[] out = SmbHarness.output(r);
        assertEquals(32, out.length, "ResumeKey(24) ContextLength(4) Context(4), as Linux cifs expects");
        return Arrays.copyOf(out, 24);
    }

    /** SRV_COPYCHUNK_COPY with chunks of {sourceOffset, targetOffset, length}. */
    private static byte[] copyInput(byte[] key, int count, long[]... chunks) {
        ByteBuffer b = ByteBuffer.allocate(32 + 24 * chunks.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(key).putInt(count).putInt(0);
        for (long[] c : chunks) {
            b.putLong(c[0]).putLong(c[1]).putInt((int) c[2]).putInt(0);
        }
        return b.array();
    }

    private static byte[] copyInput(byte[] key, long[]... chunks) {
        return copyInput(key, chunks.length, chunks);
    }

    private byte[] fill(long fid, int size, long seed) {
        byte[] data = new byte[size];
        new Random(seed).nextBytes(data);
        assertEquals(NtStatus.SUCCESS, h.write(fid, 0, data, (size + 65535) / 65536).getInt(8));
        return data;
    }

    private byte[] readAll(long fid, int size) {
        ByteBuffer r = h.read(fid, 0, size, (size + 65535) / 65536);
        assertEquals(NtStatus.SUCCESS, r.getInt(8));
        return SmbHarness.data(r);
    }

    @Test
    void shouldCopyChunksFromTheSourceOpenToTheTarget() {
        long src = h.open("src.bin", SmbHarness.GENERIC_RW);
        byte[] data = fill(src, 3 * 1024 * 1024, 1);
        long dst = h.open("dst.bin", SmbHarness.GENERIC_RW);
        byte[] key = resumeKey(src);
        ByteBuffer r = h.ioctl(COPYCHUNK, dst, copyInput(key, new long[] {0, 0, 1 << 20},
                new long[] {1 << 20, 1 << 20, 1 << 20}, new long[] {2 << 20, 2 << 20, 1 << 20}), 12);
        assertEquals(NtStatus.SUCCESS, r.getInt(8));
        ByteBuffer resp = ByteBuffer.wrap(SmbHarness.output(r)).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(3, resp.getInt(0), "ChunksWritten");
        assertEquals(3 << 20, resp.getInt(8), "TotalBytesWritten");
        assertArrayEquals(data, readAll(dst, data.length));
    }

    @Test
    void shouldCopyToOtherOffsetsWithCopychunkWriteOnAWriteOnlyTarget() {
        long src = h.open("s.bin", SmbHarness.GENERIC_READ | SmbHarness.GENERIC_WRITE);
        byte[] data = fill(src, 100_000, 2);
        long dst = h.open("d.bin", SmbHarness.GENERIC_WRITE);
        byte[] key = resumeKey(src);
        assertEquals(NtStatus.ACCESS_DENIED, h.ioctl(COPYCHUNK, dst, copyInput(key, new long[] {0, 0, 10}), 12)
                .getInt(8), "FSCTL_SRV_COPYCHUNK needs the target readable too");
        ByteBuffer r = h.ioctl(COPYCHUNK_WRITE, dst, copyInput(key, new long[] {50_000, 10, 50_000}), 12);
        assertEquals(NtStatus.SUCCESS, r.getInt(8));
        long check = h.open("d.bin", SmbHarness.GENERIC_READ);
        byte[] back = readAll(check, 50_010);
        assertArrayEquals(Arrays.copyOfRange(data, 50_000, 100_000), Arrays.copyOfRange(back, 10, 50_010));
    }

    @Test
    void shouldRefuseASourceNotOpenForReading() {
        long src = h.open("wo.bin", SmbHarness.GENERIC_RW);
        fill(src, 1000, 3);
        long writeOnly = h.open("wo.bin", SmbHarness.GENERIC_WRITE);
        long dst = h.open("t.bin", SmbHarness.GENERIC_RW);
        assertEquals(NtStatus.ACCESS_DENIED, h.ioctl(COPYCHUNK_WRITE, dst,
                copyInput(resumeKey(writeOnly), new long[] {0, 0, 100}), 12).getInt(8));
    }

    @Test
    void shouldAnswerTheLimitsWhenARequestExceedsThem() {
        long src = h.open("l.bin", SmbHarness.GENERIC_RW);
        fill(src, 4096, 4);
        long dst = h.open("m.bin", SmbHarness.GENERIC_RW);
        byte[] key = resumeKey(src);
        long[][] many = new long[257][];
        Arrays.fill(many, new long[] {0, 0, 1});
        for (byte[] input : new byte[][] {copyInput(key, many), copyInput(key, new long[] {0, 0, (1 << 20) + 1}),
            copyInput(key, new long[] {0, 0, 0}), copyInput(key, repeat(17, new long[] {0, 0, 1 << 20}))}) {
            ByteBuffer r = h.ioctl(COPYCHUNK_WRITE, dst, input, 12);
            assertEquals(NtStatus.INVALID_PARAMETER, r.getInt(8));
            assertEquals(49, r.getShort(64) & 0xFFFF, "an IOCTL response, not an ERROR one");
            ByteBuffer lim = ByteBuffer.wrap(SmbHarness.output(r)).order(ByteOrder.LITTLE_ENDIAN);
            assertEquals(256, lim.getInt(0), "ServerSideCopyMaxNumberofChunks");
            assertEquals(1 << 20, lim.getInt(4), "ServerSideCopyMaxChunkSize");
            assertEquals(16 << 20, lim.getInt(8), "ServerSideCopyMaxDataSize");
        }
    }

    private static long[][] repeat(int n, long[] chunk) {
        long[][] out = new long[n][];
        Arrays.fill(out, chunk);
        return out;
    }

    @Test
    void shouldAnswerInvalidViewSizeWhenTheSourceRangeEndsPastEndOfFile() {
        long src = h.open("short.bin", SmbHarness.GENERIC_RW);
        fill(src, 1000, 5);
        long dst = h.open("x.bin", SmbHarness.GENERIC_RW);
        ByteBuffer r = h.ioctl(COPYCHUNK_WRITE, dst,
                copyInput(resumeKey(src), new long[] {0, 0, 500}, new long[] {500, 500, 501}), 12);
        assertEquals(NtStatus.INVALID_VIEW_SIZE, r.getInt(8));
        ByteBuffer resp = ByteBuffer.wrap(SmbHarness.output(r)).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(1, resp.getInt(0), "the chunk copied before the failure");
        assertEquals(500, resp.getInt(8), "its bytes");
    }

    @Test
    void shouldCopyFromASourceOpenOnlyForExecute() {
        long src = h.open("exe.bin", SmbHarness.GENERIC_RW);
        byte[] data = fill(src, 5000, 7);
        long exec = h.open("exe.bin", 0x20 | 0x80); // FILE_EXECUTE | FILE_READ_ATTRIBUTES, as smbtorture's bad_access
        long dst = h.open("exe-copy.bin", SmbHarness.GENERIC_RW);
        assertEquals(NtStatus.SUCCESS, h.ioctl(COPYCHUNK, dst, copyInput(resumeKey(exec), new long[] {0, 0, 5000}), 12)
                .getInt(8));
        assertArrayEquals(data, readAll(dst, 5000));
    }

    @Test
    void shouldRefuseGarbageCopyRequestsWithoutAllocatingForTheirCounts() {
        long src = h.open("g.bin", SmbHarness.GENERIC_RW);
        fill(src, 1000, 6);
        long dst = h.open("h.bin", SmbHarness.GENERIC_RW);
        byte[] key = resumeKey(src);
        assertEquals(NtStatus.INVALID_PARAMETER, h.ioctl(COPYCHUNK_WRITE, dst, new byte[31], 12).getInt(8), "truncated");
        assertEquals(NtStatus.INVALID_PARAMETER, h.ioctl(COPYCHUNK_WRITE, dst, copyInput(key, 3, new long[] {0, 0, 1}), 12)
                .getInt(8), "ChunkCount larger than the chunks sent");
        ByteBuffer huge = h.ioctl(COPYCHUNK_WRITE, dst, copyInput(key, -1, new long[] {0, 0, 1}), 12);
        assertEquals(NtStatus.INVALID_PARAMETER, huge.getInt(8), "ChunkCount 2^32-1");
        assertEquals(256, ByteBuffer.wrap(SmbHarness.output(huge)).order(ByteOrder.LITTLE_ENDIAN).getInt(0));
        assertEquals(NtStatus.INVALID_PARAMETER, h.ioctl(COPYCHUNK_WRITE, dst, copyInput(key, new long[] {0, 0, 1}), 11)
                .getInt(8), "MaxOutputResponse below SRV_COPYCHUNK_RESPONSE");
        assertEquals(NtStatus.INVALID_PARAMETER, h.ioctl(COPYCHUNK_WRITE, dst,
                copyInput(key, new long[] {-5, 0, 1}), 12).getInt(8), "a negative source offset");
        byte[] forged = key.clone();
        forged[20] ^= 1;
        assertEquals(NtStatus.OBJECT_NAME_NOT_FOUND, h.ioctl(COPYCHUNK_WRITE, dst,
                copyInput(forged, new long[] {0, 0, 1}), 12).getInt(8), "a key with another connection's salt");
        h.close(src);
        assertEquals(NtStatus.OBJECT_NAME_NOT_FOUND, h.ioctl(COPYCHUNK_WRITE, dst,
                copyInput(key, new long[] {0, 0, 1}), 12).getInt(8), "the source was closed");
    }
}
