package io.dittofs.storage.metadata.lmdb;

import io.dittofs.core.spi.MetadataStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Overlapping LMDB flushes ({@link FlushGroup}): a caller whose commit came after a running flush
 * began starts its own flush at once instead of waiting for the running one to end. Checked with
 * the {@code beforeFlush} hook, never timing: the first flush holds until the second has begun.
 */
class LmdbFlushOverlapTest {
    private static final long ROOT = MetadataStore.ROOT_ID;
    private static final long WAIT_SECONDS = 10;

    @TempDir
    Path tmp;

    @Test
    void shouldStartASecondFlushWhileTheFirstRunsWhenACommitCameAfterIt() throws Exception {
        Path where = tmp.resolve("overlap");
        CountDownLatch firstFlushing = new CountDownLatch(1);
        CountDownLatch secondFlushing = new CountDownLatch(1);
        AtomicBoolean overlapped = new AtomicBoolean();
        AtomicInteger flushNo = new AtomicInteger();
        try (LmdbMetadataStore s = new LmdbMetadataStore(where, 1L << 20, 1L << 30);
             ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
            s.write(t -> t.addEntry(ROOT, "a", 10));
            s.beforeFlush = () -> {
                if (flushNo.incrementAndGet() == 1) {
                    firstFlushing.countDown();
                    try {
                        overlapped.set(secondFlushing.await(WAIT_SECONDS, TimeUnit.SECONDS));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                } else {
                    secondFlushing.countDown();
                }
            };
            long before = s.flushes();
            Future<?> first = ex.submit(() -> {
                s.sync();
                return null;
            });
            assertTrue(firstFlushing.await(WAIT_SECONDS, TimeUnit.SECONDS), "the first flush began");
            s.write(t -> t.addEntry(ROOT, "b", 11)); // not covered by the running flush
            Future<?> second = ex.submit(() -> {
                s.sync();
                return null;
            });
            second.get(60, TimeUnit.SECONDS);
            first.get(60, TimeUnit.SECONDS);
            assertTrue(overlapped.get(), "the second caller waited for the running flush instead of starting its own");
            assertEquals(before + 2, s.flushes());
        }
        try (LmdbMetadataStore s = new LmdbMetadataStore(where, 1L << 20, 1L << 30)) {
            assertEquals(10, s.read(t -> t.lookup(ROOT, "a")).child());
            assertEquals(11, s.read(t -> t.lookup(ROOT, "b")).child());
        }
    }
}
