package io.dittofs.storage.block.memory;

import io.dittofs.core.FsError;
import io.dittofs.core.FsException;
import io.dittofs.core.spi.BlockStore;
import io.dittofs.core.spi.BlockStoreContract;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class MemoryBlockStoreTest extends BlockStoreContract {

    @Override
    protected BlockStore newStore() {
        return new MemoryBlockStore();
    }

    @Test
    void shouldCountWholeChunksAsUsed() {
        store.write(1, 10, MemorySegment.ofArray(new byte[] {1}));
        assertEquals(MemoryBlockStore.DEFAULT_CHUNK_SIZE, store.usedBytes());
        store.write(1, 5L * MemoryBlockStore.DEFAULT_CHUNK_SIZE, MemorySegment.ofArray(new byte[] {1}));
        assertEquals(2L * MemoryBlockStore.DEFAULT_CHUNK_SIZE, store.usedBytes(), "holes cost nothing");
    }

    @Test
    void shouldThrowNoSpaceWhenCapacityExceeded() {
        try (MemoryBlockStore small = new MemoryBlockStore(4096, 1024)) {
            small.write(1, 0, MemorySegment.ofArray(new byte[4096]));
            assertEquals(4096, small.capacityBytes());
            FsException e = assertThrows(FsException.class,
                    () -> small.write(2, 0, MemorySegment.ofArray(new byte[] {9})));
            assertEquals(FsError.NO_SPACE, e.error());
            small.write(1, 100, MemorySegment.ofArray(new byte[] {9})); // overwrite needs no space
            small.delete(1);
            small.write(2, 0, MemorySegment.ofArray(new byte[] {9}));
            byte[] out = new byte[1];
            small.read(2, 0, MemorySegment.ofArray(out));
            assertArrayEquals(new byte[] {9}, out);
        }
    }

    @Test
    void shouldWriteNothingWhenCapacityRefusesPartOfWrite() {
        try (MemoryBlockStore small = new MemoryBlockStore(2048, 1024)) {
            byte[] big = new byte[3000];
            java.util.Arrays.fill(big, (byte) 1);
            assertThrows(FsException.class, () -> small.write(1, 0, MemorySegment.ofArray(big)));
            byte[] out = new byte[2048];
            small.read(1, 0, MemorySegment.ofArray(out));
            assertArrayEquals(new byte[2048], out);
        }
    }
}
