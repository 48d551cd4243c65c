package io.dittofs.storage.metadata.lmdb;

import io.dittofs.core.AuthContext;
import io.dittofs.core.FileSystem;
import io.dittofs.core.FileSystem.CreateMode;
import io.dittofs.core.SetAttr;
import io.dittofs.core.Stability;
import io.dittofs.core.spi.BlockStore;
import io.dittofs.storage.block.memory.MemoryBlockStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * COMMIT over the LMDB store: the content flush and the metadata flush overlap (one flush round
 * per COMMIT, not two in a row). Checked through hooks, never timing: the content sync waits
 * until the metadata flush has begun, which only happens if the two run at the same time.
 */
class LmdbCommitTest {
    private static final AuthContext ROOT = AuthContext.ROOT;
    /** How long the content sync waits for the metadata flush before it calls the two sequential. */
    private static final long OVERLAP_WAIT_SECONDS = 10;

    @TempDir
    Path tmp;

    @Test
    void shouldFlushContentAndMetadataAtOnceWhenCommitting() {
        CountDownLatch metaFlushing = new CountDownLatch(1);
        AtomicBoolean overlapped = new AtomicBoolean();
        try (LmdbMetadataStore meta = new LmdbMetadataStore(tmp.resolve("share"), 1L << 20, 1L << 30);
             Arena arena = Arena.ofConfined()) {
            BlockStore blocks = new SyncHookBlockStore(new MemoryBlockStore(), () -> {
                try {
                    overlapped.set(metaFlushing.await(OVERLAP_WAIT_SECONDS, TimeUnit.SECONDS));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            FileSystem fs = new FileSystem(meta, blocks, false);
            long id = fs.create(ROOT, fs.rootId(), "f", SetAttr.NONE, CreateMode.GUARDED, 0).child().id();
            MemorySegment data = arena.allocate(4096);
            data.fill((byte) 'c');
            fs.write(ROOT, id, 0, data, Stability.UNSTABLE);
            meta.sync(); // the size is durable; nothing waits for the periodic flush, which would run the hook
            // a committed, not yet flushed change: the COMMIT's metadata flush must cover it
            meta.write(t -> t.addEntry(fs.rootId(), "unflushed", id));
            meta.beforeFlush = metaFlushing::countDown;
            long flushesBefore = meta.flushes();

            fs.commit(ROOT, id);

            assertTrue(overlapped.get(), "the content sync ran alone: the metadata flush had not begun");
            assertEquals(flushesBefore + 1, meta.flushes(), "one metadata flush covers the COMMIT");
        }
        try (LmdbMetadataStore meta = new LmdbMetadataStore(tmp.resolve("share"), 1L << 20, 1L << 30)) {
            FileSystem fs = new FileSystem(meta, new MemoryBlockStore(), false);
            assertEquals(4096, fs.lookup(ROOT, fs.rootId(), "f").size(), "the committed size survives a reopen");
            assertEquals(fs.lookup(ROOT, fs.rootId(), "f").id(), fs.lookup(ROOT, fs.rootId(), "unflushed").id());
        }
    }

    /** A real block store whose {@link #sync} first runs a hook. */
    private record SyncHookBlockStore(BlockStore inner, Runnable beforeSync) implements BlockStore {
        @Override
        public void read(long contentId, long offset, MemorySegment dst) {
            inner.read(contentId, offset, dst);
        }

        @Override
        public void write(long contentId, long offset, MemorySegment src) {
            inner.write(contentId, offset, src);
        }

        @Override
        public void truncate(long contentId, long size) {
            inner.truncate(contentId, size);
        }

        @Override
        public void delete(long contentId) {
            inner.delete(contentId);
        }

        @Override
        public void sync(long contentId) {
            beforeSync.run();
            inner.sync(contentId);
        }

        @Override
        public long usedBytes() {
            return inner.usedBytes();
        }

        @Override
        public long capacityBytes() {
            return inner.capacityBytes();
        }

        @Override
        public String kind() {
            return inner.kind();
        }

        @Override
        public void close() {
            inner.close();
        }
    }
}
