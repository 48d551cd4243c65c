package io.dittofs.core.spi;

import io.dittofs.core.FsError;
import io.dittofs.core.FsException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The behaviour every {@link BlockStore} backend must show. A backend's test extends this class
 * and supplies a fresh, empty store from {@link #newStore()}; each test gets its own store and
 * closes it afterwards.
 *
 * <p>Public (unlike other test classes) because backends in other packages and modules extend it
 * through the core test-jar.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
public abstract class BlockStoreContract {
    protected BlockStore store;

    /** A new, empty store. */
    protected abstract BlockStore newStore();

    /**
     * Closes {@code s} (the store {@link #newStore()} last returned, or an earlier reopen) and
     * opens the same store again, as a server restart does; null for a backend that keeps
     * nothing across a restart. Content synced before must be back.
     */
    protected BlockStore reopen(BlockStore s) {
        return null;
    }

    @BeforeEach
    void openStore() {
        store = newStore();
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    static byte[] random(int len, long seed) {
        byte[] b = new byte[len];
        new Random(seed).nextBytes(b);
        return b;
    }

    void write(long id, long offset, byte[] data) {
        store.write(id, offset, MemorySegment.ofArray(data));
    }

    /** Reads through an off-heap destination pre-filled with garbage, so zero-filling is checked. */
    byte[] read(long id, long offset, int len) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment dst = a.allocate(Math.max(1, len)).asSlice(0, len);
            dst.fill((byte) 0x5A);
            store.read(id, offset, dst);
            return dst.toArray(ValueLayout.JAVA_BYTE);
        }
    }

    static byte[] slice(byte[] b, int from, int len) {
        byte[] r = new byte[len];
        System.arraycopy(b, from, r, 0, len);
        return r;
    }

    @Test
    void shouldReadBackWhatWasWritten() {
        byte[] data = random(10_000, 1);
        write(1, 0, data);
        assertArrayEquals(data, read(1, 0, data.length));
    }

    @Test
    void shouldReadRanges() {
        byte[] data = random(700_000, 2); // spans several chunks of any reasonable size
        write(2, 0, data);
        int[][] ranges = {{0, 1}, {1, 4095}, {4095, 2}, {65_535, 70_000}, {262_143, 3}, {300_001, 399_999}, {699_999, 1}};
        for (int[] r : ranges) {
            assertArrayEquals(slice(data, r[0], r[1]), read(2, r[0], r[1]), "range " + r[0] + "+" + r[1]);
        }
    }

    @Test
    void shouldReadZerosInHoles() {
        byte[] a = random(100, 3);
        byte[] b = random(100, 4);
        write(3, 0, a);
        write(3, 5_000_000, b);
        assertArrayEquals(new byte[4_999_900], read(3, 100, 4_999_900));
        assertArrayEquals(b, read(3, 5_000_000, 100));
        byte[] across = read(3, 50, 100);
        assertArrayEquals(slice(a, 50, 50), slice(across, 0, 50));
        assertArrayEquals(new byte[50], slice(across, 50, 50));
    }

    @Test
    void shouldZeroFillWhenReadingPastEnd() {
        byte[] data = random(1000, 5);
        write(4, 0, data);
        byte[] r = read(4, 900, 300);
        assertArrayEquals(slice(data, 900, 100), slice(r, 0, 100));
        assertArrayEquals(new byte[200], slice(r, 100, 200));
        assertArrayEquals(new byte[64], read(4, 1L << 40, 64));
    }

    @Test
    void shouldReadZerosWhenContentUnknown() {
        assertArrayEquals(new byte[4096], read(999, 0, 4096));
    }

    @Test
    void shouldOverwritePartOfContent() {
        byte[] data = random(300_000, 6);
        write(5, 0, data);
        byte[] patch = random(1000, 7);
        write(5, 262_000, patch);
        System.arraycopy(patch, 0, data, 262_000, patch.length);
        assertArrayEquals(data, read(5, 0, data.length));
    }

    @Test
    void shouldReadZerosAfterTruncateDownThenExtend() {
        byte[] data = random(600_000, 8);
        write(6, 0, data);
        store.truncate(6, 100_000);
        assertArrayEquals(slice(data, 0, 100_000), read(6, 0, 100_000));
        assertArrayEquals(new byte[500_000], read(6, 100_000, 500_000));
        write(6, 700_000, new byte[] {1});
        assertArrayEquals(new byte[600_000], read(6, 100_000, 600_000));
        assertArrayEquals(slice(data, 0, 100_000), read(6, 0, 100_000));
    }

    @Test
    void shouldKeepContentWhenTruncatingUpward() {
        byte[] data = random(5000, 9);
        write(7, 0, data);
        store.truncate(7, 1_000_000);
        assertArrayEquals(data, read(7, 0, 5000));
        assertArrayEquals(new byte[10_000], read(7, 5000, 10_000));
    }

    @Test
    void shouldReadZerosAfterTruncateToZero() {
        write(8, 0, random(1000, 10));
        store.truncate(8, 0);
        assertArrayEquals(new byte[1000], read(8, 0, 1000));
    }

    @Test
    void shouldReadZerosAfterDelete() {
        write(9, 0, random(1000, 11));
        write(10, 0, random(1000, 12));
        store.delete(9);
        assertArrayEquals(new byte[1000], read(9, 0, 1000));
        assertArrayEquals(random(1000, 12), read(10, 0, 1000), "other content untouched");
        write(9, 10, new byte[] {7});
        assertArrayEquals(new byte[] {0, 7}, read(9, 9, 2));
    }

    @Test
    void shouldIgnoreDeleteWhenContentUnknown() {
        store.delete(424242);
        store.delete(424242);
        store.truncate(424243, 0);
        store.sync(424244);
    }

    @Test
    void shouldLandAllConcurrentDisjointWrites() throws Exception {
        int writers = 32;
        int piece = 50_000; // not a divisor of typical chunk sizes: pieces share chunks
        try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> fs = new ArrayList<>();
            for (int i = 0; i < writers; i++) {
                int k = i;
                fs.add(ex.submit(() -> write(11, (long) k * piece, random(piece, 100 + k))));
            }
            for (Future<?> f : fs) {
                f.get();
            }
        }
        for (int i = 0; i < writers; i++) {
            assertArrayEquals(random(piece, 100 + i), read(11, (long) i * piece, piece), "piece " + i);
        }
    }

    @Test
    void shouldKeepFilesApartWhenWrittenConcurrently() throws Exception {
        try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> fs = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                int k = i;
                fs.add(ex.submit(() -> write(100 + k, 0, random(70_000, k))));
            }
            for (Future<?> f : fs) {
                f.get();
            }
        }
        for (int i = 0; i < 16; i++) {
            assertArrayEquals(random(70_000, i), read(100 + i, 0, 70_000));
        }
    }

    @Test
    void shouldStoreLargeContent() {
        byte[] data = random(8 * 1024 * 1024, 13);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment src = a.allocate(data.length);
            MemorySegment.copy(data, 0, src, ValueLayout.JAVA_BYTE, 0, data.length);
            store.write(12, 0, src);
        }
        assertArrayEquals(data, read(12, 0, data.length));
        assertArrayEquals(slice(data, 8 * 1024 * 1024 - 10, 10), read(12, 8 * 1024 * 1024 - 10, 10));
    }

    @Test
    void shouldAccountUsedBytes() {
        long empty = store.usedBytes();
        write(13, 0, random(500_000, 14));
        long full = store.usedBytes();
        assertTrue(full >= empty + 500_000, "used " + full + " after 500000 bytes from " + empty);
        store.truncate(13, 1000);
        long small = store.usedBytes();
        assertTrue(small < full, "truncate frees space");
        store.delete(13);
        assertEquals(empty, store.usedBytes());
    }

    @Test
    void shouldNotAliasCallerSegmentWhenWriting() {
        byte[] original = random(4096, 15);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment src = a.allocate(4096);
            MemorySegment.copy(original, 0, src, ValueLayout.JAVA_BYTE, 0, 4096);
            store.write(14, 0, src);
            src.fill((byte) 0x77);
        }
        byte[] heap = random(100, 16);
        write(15, 0, heap);
        heap[0] ^= 1;
        assertArrayEquals(original, read(14, 0, 4096));
        assertArrayEquals(random(100, 16), read(15, 0, 100));
    }

    @Test
    void shouldNotAliasCallerSegmentWhenReading() {
        write(16, 0, random(4096, 17));
        try (Arena a = Arena.ofConfined()) {
            MemorySegment dst = a.allocate(4096);
            store.read(16, 0, dst);
            dst.fill((byte) 0);
        }
        assertArrayEquals(random(4096, 17), read(16, 0, 4096));
    }

    @Test
    void shouldReadIntoSliceWithoutTouchingNeighbours() {
        write(17, 0, random(100, 18));
        try (Arena a = Arena.ofConfined()) {
            MemorySegment whole = a.allocate(300);
            whole.fill((byte) 0x33);
            store.read(17, 0, whole.asSlice(100, 100));
            assertEquals(0x33, whole.get(ValueLayout.JAVA_BYTE, 99));
            assertEquals(0x33, whole.get(ValueLayout.JAVA_BYTE, 200));
            assertArrayEquals(random(100, 18), whole.asSlice(100, 100).toArray(ValueLayout.JAVA_BYTE));
        }
    }

    // ---------------------------------------------------------------- holes (NFSv4.2 DEALLOCATE, SEEK)

    @Test
    void shouldReadZerosInDeallocatedRangeAndKeepTheRest() {
        byte[] data = random(900_000, 40);
        write(40, 0, data);
        store.deallocate(40, 100_001, 500_000); // unaligned at both ends
        byte[] expect = data.clone();
        java.util.Arrays.fill(expect, 100_001, 600_001, (byte) 0);
        assertArrayEquals(expect, read(40, 0, 900_000));
        if (restart(40)) {
            assertArrayEquals(expect, read(40, 0, 900_000), "the hole survives a restart");
        }
    }

    @Test
    void shouldDeallocatePastStoredContentAndUnknownContent() {
        byte[] data = random(1000, 41);
        write(41, 0, data);
        store.deallocate(41, 500, 10_000); // ends past the 1000 bytes stored
        assertArrayEquals(slice(data, 0, 500), read(41, 0, 500));
        assertArrayEquals(new byte[600], read(41, 500, 600));
        store.deallocate(4141, 0, 1 << 20);
        assertArrayEquals(new byte[100], read(4141, 0, 100));
        assertThrows(FsException.class, () -> store.deallocate(41, -1, 10));
    }

    @Test
    void shouldLetDataWrittenAfterDeallocationWin() {
        byte[] data = random(300_000, 42);
        write(42, 0, data);
        store.deallocate(42, 0, 300_000);
        byte[] again = random(1000, 43);
        write(42, 150_000, again);
        byte[] expect = new byte[300_000];
        System.arraycopy(again, 0, expect, 150_000, 1000);
        assertArrayEquals(expect, read(42, 0, 300_000));
        if (restart(42)) {
            assertArrayEquals(expect, read(42, 0, 300_000), "after a restart too");
        }
    }

    @Test
    void shouldNeverReportHoleInsideWrittenData() {
        write(43, 1_000_000, random(300_000, 44));
        assertTrue(store.nextData(43, 0) <= 1_000_000, "data not skipped");
        assertEquals(1_100_000, store.nextData(43, 1_100_000), "inside data, data is right there");
        assertTrue(store.nextHole(43, 1_000_000) >= 1_300_000, "no hole inside data");
        assertTrue(store.nextHole(43, 1_299_999) >= 1_300_000, "no hole inside data");
        long hole = store.nextHole(43, 1_300_000);
        assertTrue(hole >= 1_300_000, "a hole is at or after the offset asked");
    }

    // ---------------------------------------------------------------- huge sizes and offsets

    private static final long GIB4 = 1L << 32;
    private static final long[] PAST_4GIB = {GIB4 - 1, GIB4, GIB4 + 1, 1L << 40};
    private static final long SANE_USE = 64L << 20;

    /** Syncs the given contents and restarts the store; false if the backend cannot restart. */
    private boolean restart(long... ids) {
        for (long id : ids) {
            store.sync(id);
        }
        BlockStore again = reopen(store);
        if (again == null) {
            return false;
        }
        store = again;
        return true;
    }

    private void assertSaneUse(long empty) {
        long used = store.usedBytes();
        assertTrue(used >= 0 && used <= empty + SANE_USE, "used bytes " + used + " from " + empty);
    }

    private static void assertFileTooLarge(Runnable op) {
        FsException e = assertThrows(FsException.class, op::run);
        assertEquals(FsError.FILE_TOO_LARGE, e.error(), e.getMessage());
    }

    @Test
    void shouldReportPositiveMaxFileSize() {
        assertTrue(store.maxFileSize() >= GIB4 + 1, "max file size " + store.maxFileSize());
    }

    /** 100 bytes straddling each offset, cut at it, read back before and after a restart. */
    @Test
    void shouldWriteReadAndTruncateAroundOffsetsPastFourGiB() {
        long empty = store.usedBytes();
        for (int i = 0; i < PAST_4GIB.length; i++) {
            long at = PAST_4GIB[i];
            write(200 + i, at - 50, random(100, 300 + i));
            store.truncate(200 + i, at);
        }
        assertSaneUse(empty);
        for (int pass = 0; pass < 2; pass++) {
            for (int i = 0; i < PAST_4GIB.length; i++) {
                long at = PAST_4GIB[i];
                byte[] got = read(200 + i, at - 150, 300);
                assertArrayEquals(new byte[100], slice(got, 0, 100), "zeros before, offset " + at);
                assertArrayEquals(slice(random(100, 300 + i), 0, 50), slice(got, 100, 50), "content, offset " + at);
                assertArrayEquals(new byte[150], slice(got, 150, 150), "zeros from the cut at " + at);
            }
            assertSaneUse(empty);
            if (pass == 0 && !restart(200, 201, 202, 203)) {
                return;
            }
        }
    }

    /** Growing a file to 2^40, the store's limit and 2^63 - 2 drops none of its content. */
    @Test
    void shouldKeepContentWhenTruncatedUpToHugeSizes() {
        long empty = store.usedBytes();
        byte[] head = random(3000, 40);
        byte[] far = random(2000, 41);
        write(210, 0, head);
        write(210, GIB4 - 1000, far);
        long max = store.maxFileSize();
        for (long size : new long[] {1L << 40, max, Long.MAX_VALUE - 1}) {
            if (size > max) {
                assertFileTooLarge(() -> store.truncate(210, size));
            } else {
                store.truncate(210, size);
            }
        }
        for (int pass = 0; pass < 2; pass++) {
            assertArrayEquals(head, read(210, 0, head.length), "head after huge truncate, pass " + pass);
            assertArrayEquals(far, read(210, GIB4 - 1000, far.length), "content at 4 GiB, pass " + pass);
            assertArrayEquals(new byte[4096], read(210, 1L << 40, 4096));
            long used = store.usedBytes();
            assertTrue(used >= empty + head.length + far.length, "used " + used + " still counts the content");
            assertSaneUse(empty);
            if (pass == 0 && !restart(210)) {
                return;
            }
        }
    }

    /** The last bytes below the limit store and read back; a range ending past it is refused. */
    @Test
    void shouldStoreLastBytesBelowMaxFileSizeAndRefuseBeyond() {
        long empty = store.usedBytes();
        long max = store.maxFileSize();
        byte[] tail = random(10, 50);
        write(220, max - 10, tail);
        assertFileTooLarge(() -> write(220, max - 1, new byte[2]));
        assertFileTooLarge(() -> write(220, max, new byte[1]));
        assertFileTooLarge(() -> write(221, Long.MAX_VALUE, new byte[1]));
        if (max < Long.MAX_VALUE) {
            assertFileTooLarge(() -> store.truncate(220, max + 1));
        }
        store.truncate(220, max - 5);
        store.truncate(220, max);
        for (int pass = 0; pass < 2; pass++) {
            assertArrayEquals(slice(tail, 0, 5), read(220, max - 10, 5), "pass " + pass);
            assertArrayEquals(new byte[5], read(220, max - 5, 5), "cut at max - 5, pass " + pass);
            assertArrayEquals(new byte[10], read(220, max - 20, 10));
            byte[] beyond = read(220, max - 10, 100); // runs past 2^63 - 1 when max is that: zeros, no error
            assertArrayEquals(slice(tail, 0, 5), slice(beyond, 0, 5));
            assertArrayEquals(new byte[95], slice(beyond, 5, 95));
            assertArrayEquals(new byte[64], read(221, Long.MAX_VALUE - 1, 64));
            assertSaneUse(empty);
            if (pass == 0 && !restart(220)) {
                return;
            }
        }
        store.delete(220);
        assertEquals(empty, store.usedBytes());
    }

    @Test
    void shouldDescribeItself() {
        assertFalse(store.kind().isBlank());
        assertTrue(store.capacityBytes() == -1 || store.capacityBytes() > 0);
        assertTrue(store.usedBytes() >= 0);
    }
}
