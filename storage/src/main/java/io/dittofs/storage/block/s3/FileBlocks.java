package io.dittofs.storage.block.s3;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Sizes of one file's blocks in the S3 store's index: a bit per full block, a map entry per short
 * one. The size methods are synchronized; {@link #rw} orders writers against truncate/delete.
 */
final class FileBlocks {
    final ReentrantReadWriteLock rw = new ReentrantReadWriteLock();
    /** Set under the write lock when the file was deleted and this entry left the table. */
    boolean removed;
    private final BitSet full = new BitSet();
    private final Map<Long, Integer> partial = new HashMap<>();

    synchronized int size(long index) {
        if (index < Integer.MAX_VALUE && full.get((int) index)) {
            return S3BlockStore.BLOCK_SIZE;
        }
        Integer s = partial.get(index);
        return s == null ? 0 : s;
    }

    /** Records a block's new size (0: gone); returns the old one. */
    synchronized int set(long index, int size) {
        int old = size(index);
        if (index < Integer.MAX_VALUE) {
            full.clear((int) index);
        }
        partial.remove(index);
        if (size == S3BlockStore.BLOCK_SIZE && index < Integer.MAX_VALUE) {
            full.set((int) index);
        } else if (size > 0) {
            partial.put(index, size);
        }
        return old;
    }

    synchronized List<Long> indexesFrom(long first) {
        TreeSet<Long> r = new TreeSet<>();
        for (int i = full.nextSetBit((int) Math.min(first, Integer.MAX_VALUE)); i >= 0; i = full.nextSetBit(i + 1)) {
            if (i >= first) {
                r.add((long) i);
            }
            if (i == Integer.MAX_VALUE) {
                break;
            }
        }
        for (long i : partial.keySet()) {
            if (i >= first) {
                r.add(i);
            }
        }
        return new ArrayList<>(r);
    }

    synchronized long total() {
        long t = (long) full.cardinality() * S3BlockStore.BLOCK_SIZE;
        for (int s : partial.values()) {
            t += s;
        }
        return t;
    }
}
