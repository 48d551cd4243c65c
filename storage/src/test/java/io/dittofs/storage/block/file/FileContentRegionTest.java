package io.dittofs.storage.block.file;

import io.dittofs.core.spi.ContentRegion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * {@link FileBlockStore#region}: ranges of content files sent with {@code transferTo} (READ replies
 * without a user-space copy), their holes, their end of file, a truncate racing a region, a held
 * region surviving the channel cache's eviction.
 */
@Timeout(30)
class FileContentRegionTest {
    @TempDir
    Path dir;

    private static byte[] pattern(int len, int seed) {
        byte[] b = new byte[len];
        for (int i = 0; i < len; i++) {
            b[i] = (byte) (i * 31 + seed);
        }
        return b;
    }

    private static MemorySegment seg(Arena a, byte[] b) {
        return a.allocate(b.length).copyFrom(MemorySegment.ofArray(b));
    }

    /** Everything the region holds, sent with transferTo into a file; the rest completed with read, as a sender does. */
    private byte[] send(ContentRegion r) throws IOException {
        Path out = dir.resolve("out-" + System.nanoTime());
        try (FileChannel ch = FileChannel.open(out, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE); Arena a = Arena.ofConfined()) {
            long pos = 0;
            while (pos < r.length()) {
                long n = r.transferTo(pos, r.length() - pos, ch);
                if (n == 0) {
                    MemorySegment rest = a.allocate(r.length() - pos);
                    r.read(pos, rest);
                    ch.write(rest.asByteBuffer());
                    pos = r.length();
                } else {
                    pos += n;
                }
            }
            ByteBuffer b = ByteBuffer.allocate((int) ch.size());
            ch.read(b, 0);
            return b.array();
        }
    }

    @Test
    void shouldSendRangeOfFileWhenRegionTransferred() throws IOException {
        byte[] data = pattern(300_001, 7);
        try (FileBlockStore s = new FileBlockStore(dir.resolve("blocks")); Arena a = Arena.ofConfined()) {
            s.write(5, 0, seg(a, data));
            try (ContentRegion r = s.region(5, 12_345, 100_003)) {
                assertNotNull(r);
                assertEquals(100_003, r.length());
                byte[] want = new byte[100_003];
                System.arraycopy(data, 12_345, want, 0, want.length);
                assertArrayEquals(want, send(r));
            }
            assertEquals(1, s.regions());
        }
    }

    @Test
    void shouldSendZerosForHolesWhenRegionSpansThem() throws IOException {
        byte[] head = pattern(1000, 1);
        byte[] tail = pattern(1000, 2);
        try (FileBlockStore s = new FileBlockStore(dir.resolve("blocks")); Arena a = Arena.ofConfined()) {
            s.write(9, 0, seg(a, head));
            s.write(9, 200_000, seg(a, tail));
            try (ContentRegion r = s.region(9, 0, 201_000)) {
                byte[] want = new byte[201_000];
                System.arraycopy(head, 0, want, 0, 1000);
                System.arraycopy(tail, 0, want, 200_000, 1000);
                assertArrayEquals(want, send(r));
            }
        }
    }

    @Test
    void shouldCompleteWithZerosWhenFileTruncatedAfterRegionMade() throws IOException {
        byte[] data = pattern(64 * 1024, 3);
        try (FileBlockStore s = new FileBlockStore(dir.resolve("blocks")); Arena a = Arena.ofConfined()) {
            s.write(4, 0, seg(a, data));
            try (ContentRegion r = s.region(4, 1000, 60_000)) {
                s.truncate(4, 20_000); // a SETATTR size racing the READ
                byte[] want = new byte[60_000];
                System.arraycopy(data, 1000, want, 0, 19_000);
                assertArrayEquals(want, send(r));
                MemorySegment cut = a.allocate(100).fill((byte) 1);
                r.read(30_000, cut);
                assertArrayEquals(new byte[100], cut.toArray(ValueLayout.JAVA_BYTE), "bytes cut read as zeros");
            }
        }
    }

    @Test
    void shouldOfferNoRegionWhenNothingStoredForContent() {
        try (FileBlockStore s = new FileBlockStore(dir.resolve("blocks"))) {
            assertNull(s.region(77, 0, 4096));
        }
    }

    @Test
    void shouldKeepFileOpenWhileRegionHeldWhenCacheEvicts() throws IOException {
        byte[] data = pattern(50_000, 4);
        try (FileBlockStore s = new FileBlockStore(dir.resolve("blocks"), 1); Arena a = Arena.ofConfined()) {
            s.write(1, 0, seg(a, data));
            try (ContentRegion r = s.region(1, 0, data.length)) {
                for (long id = 2; id < 10; id++) { // a one-file cache opens others meanwhile
                    s.write(id, 0, seg(a, pattern(10, (int) id)));
                }
                assertArrayEquals(data, send(r));
            }
            s.write(20, 0, seg(a, pattern(10, 20))); // released: file 1 may be closed now
            MemorySegment back = a.allocate(data.length);
            s.read(1, 0, back);
            assertArrayEquals(data, back.toArray(ValueLayout.JAVA_BYTE));
        }
    }
}
