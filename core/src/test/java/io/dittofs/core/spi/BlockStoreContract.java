package io.dittofs.core.spi;

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

    @Test
    void shouldDescribeItself() {
        assertFalse(store.kind().isBlank());
        assertTrue(store.capacityBytes() == -1 || store.capacityBytes() > 0);
        assertTrue(store.usedBytes() >= 0);
    }
}
