package io.dittofs.storage.metadata.lmdb;

import io.dittofs.core.FsError;
import io.dittofs.core.FsException;
import io.dittofs.core.spi.MetadataStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Group commit on the LMDB writer thread ({@link LmdbWriter}): durable writes
 * that queue while the writer is busy share one transaction and one flush, and a work that fails
 * costs the others nothing. Made deterministic without timing: a first write holds the writer
 * thread until every caller's work is queued behind it.
 */
class LmdbGroupCommitTest {
    private static final long ROOT = MetadataStore.ROOT_ID;
    private static final long WAIT_SECONDS = 30;

    @TempDir
    Path tmp;

    @Test
    void shouldCommitAndFlushQueuedDurableWritesOnceWhenTheyWaitTogether() throws Exception {
        Path where = tmp.resolve("batch");
        int callers = 12;
        FsException refused = new FsException(FsError.EXISTS, "refused before any change");
        try (LmdbMetadataStore s = new LmdbMetadataStore(where, 1L << 20, 1L << 30);
             ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
            s.writeAndSync(t -> t.addEntry(ROOT, "first", 2));
            CountDownLatch release = new CountDownLatch(1);
            Future<?> holder = holdWriter(s, ex, release);
            long commits = s.commits();
            long flushes = s.flushes();
            List<Future<?>> fs = new ArrayList<>();
            for (int i = 0; i < callers; i++) {
                int k = i;
                fs.add(ex.submit(() -> s.writeAndSync(t -> t.addEntry(ROOT, "f" + k, 100 + k))));
            }
            Future<?> failing = ex.submit(() -> s.writeAndSync(t -> {
                throw refused;
            }));
            awaitQueued(s, callers + 1);
            release.countDown();
            holder.get(WAIT_SECONDS, TimeUnit.SECONDS);
            for (Future<?> f : fs) {
                f.get(WAIT_SECONDS, TimeUnit.SECONDS);
            }
            ExecutionException e = assertThrows(ExecutionException.class, () -> failing.get(WAIT_SECONDS, TimeUnit.SECONDS));
            assertSame(refused, e.getCause());
            // the holder's own transaction, then one for all queued works; one flush for them
            assertEquals(commits + 2, s.commits(), "write transactions");
            assertEquals(flushes + 1, s.flushes(), "flushes");
        }
        try (LmdbMetadataStore s = new LmdbMetadataStore(where, 1L << 20, 1L << 30)) {
            for (int i = 0; i < callers; i++) {
                int k = i;
                assertEquals(100 + k, s.read(t -> t.lookup(ROOT, "f" + k)).child(), "caller " + k);
            }
        }
    }

    /**
     * Durable works that queue while the writer flushes form the next batch: one transaction and
     * one more flush for all of them, and every caller returns only after that flush.
     */
    @Test
    void shouldCoverEverythingQueuedDuringAFlushWithOneMoreFlush() throws Exception {
        Path where = tmp.resolve("during");
        int callers = 20;
        try (LmdbMetadataStore s = new LmdbMetadataStore(where, 1L << 20, 1L << 30);
             ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
            s.writeAndSync(t -> t.addEntry(ROOT, "first", 2));
            CountDownLatch flushing = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            java.util.concurrent.atomic.AtomicLong flushesSeen = new java.util.concurrent.atomic.AtomicLong();
            s.beforeFlush = () -> {
                if (flushesSeen.getAndIncrement() == 0) {
                    flushing.countDown();
                    try {
                        release.await(WAIT_SECONDS, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            };
            long commits = s.commits();
            long flushes = s.flushes();
            Future<?> held = ex.submit(() -> s.writeAndSync(t -> t.addEntry(ROOT, "held", 3)));
            assertTrue(flushing.await(WAIT_SECONDS, TimeUnit.SECONDS), "the first flush begins");
            List<Future<?>> fs = new ArrayList<>();
            for (int i = 0; i < callers; i++) {
                int k = i;
                fs.add(ex.submit(() -> s.writeAndSync(t -> t.addEntry(ROOT, "d" + k, 200 + k))));
            }
            awaitQueued(s, callers);
            for (Future<?> f : fs) {
                assertFalse(f.isDone(), "answered before its flush");
            }
            release.countDown();
            held.get(WAIT_SECONDS, TimeUnit.SECONDS);
            for (Future<?> f : fs) {
                f.get(WAIT_SECONDS, TimeUnit.SECONDS);
            }
            assertEquals(commits + 2, s.commits(), "write transactions: the held one, then one for all queued");
            assertEquals(flushes + 2, s.flushes(), "flushes");
            s.sync();
            assertEquals(flushes + 2, s.flushes(), "nothing committed since: no flush");
            s.write(t -> t.addEntry(ROOT, "late", 4));
            s.sync();
            assertEquals(flushes + 3, s.flushes(), "a commit after the last flush needs one more");
        }
        try (LmdbMetadataStore s = new LmdbMetadataStore(where, 1L << 20, 1L << 30)) {
            for (int i = 0; i < callers; i++) {
                int k = i;
                assertEquals(200 + k, s.read(t -> t.lookup(ROOT, "d" + k)).child(), "caller " + k);
            }
            assertEquals(4, s.read(t -> t.lookup(ROOT, "late")).child());
        }
    }

    @Test
    void shouldNotApplyAWritesPendingSizeAgainAfterATruncateEarlierInTheSameBatch() throws Exception {
        Path where = tmp.resolve("pending");
        long id = 7;
        try (LmdbMetadataStore s = new LmdbMetadataStore(where, 1L << 20, 1L << 30);
             ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
            s.writeAndSync(t -> {
                t.put(new io.dittofs.core.Inode(id, io.dittofs.core.FileType.REGULAR, 0644, 1, 0, 0, 100_000,
                        1, 1, 1, 0, ROOT, 0, null));
                return null;
            });
            s.noteWrite(id, 33_318, 50); // an UNSTABLE WRITE's size/mtime, in memory only
            CountDownLatch release = new CountDownLatch(1);
            Future<?> holder = holdWriter(s, ex, release);
            // a truncate, then a change of the same inode queued behind it: one batch, one transaction
            Future<?> truncate = ex.submit(() -> s.writeAndSync(t -> {
                t.put(t.get(id).withSize(7_285, 60, 60));
                return null;
            }));
            awaitQueued(s, 1);
            Future<?> touch = ex.submit(() -> s.writeAndSync(t -> {
                t.put(t.get(id).withMode(0600, 70));
                return null;
            }));
            awaitQueued(s, 2);
            release.countDown();
            holder.get(WAIT_SECONDS, TimeUnit.SECONDS);
            truncate.get(WAIT_SECONDS, TimeUnit.SECONDS);
            touch.get(WAIT_SECONDS, TimeUnit.SECONDS);
            assertEquals(7_285, s.read(t -> t.get(id)).size(), "the truncate's size, not the earlier WRITE's end");
            s.sync();
        }
        try (LmdbMetadataStore s = new LmdbMetadataStore(where, 1L << 20, 1L << 30)) {
            assertEquals(7_285, s.read(t -> t.get(id)).size(), "after a restart");
        }
    }

    @Test
    void shouldKeepEveryOtherWorkOfABatchWhenOneFailsAfterChangingIt() throws Exception {
        Path where = tmp.resolve("split");
        int callers = 6;
        FsException boom = new FsException(FsError.NOT_EMPTY, "failed after a change");
        try (LmdbMetadataStore s = new LmdbMetadataStore(where, 1L << 20, 1L << 30);
             ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
            CountDownLatch release = new CountDownLatch(1);
            Future<?> holder = holdWriter(s, ex, release);
            List<Future<?>> fs = new ArrayList<>();
            for (int i = 0; i < callers; i++) {
                int k = i;
                fs.add(ex.submit(() -> s.writeAndSync(t -> t.addEntry(ROOT, "k" + k, 200 + k))));
                if (i == callers / 2) {
                    fs.add(ex.submit(() -> s.writeAndSync(t -> {
                        t.addEntry(ROOT, "half", 300);
                        throw boom;
                    })));
                }
            }
            awaitQueued(s, callers + 1);
            release.countDown();
            holder.get(WAIT_SECONDS, TimeUnit.SECONDS);
            int failed = 0;
            for (Future<?> f : fs) {
                try {
                    f.get(WAIT_SECONDS, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    assertSame(boom, e.getCause());
                    failed++;
                }
            }
            assertEquals(1, failed);
            assertNull(s.read(t -> t.lookup(ROOT, "half")), "the failed work's change");
        }
        try (LmdbMetadataStore s = new LmdbMetadataStore(where, 1L << 20, 1L << 30)) {
            for (int i = 0; i < callers; i++) {
                int k = i;
                assertEquals(200 + k, s.read(t -> t.lookup(ROOT, "k" + k)).child(), "caller " + k);
            }
            assertNull(s.read(t -> t.lookup(ROOT, "half")));
        }
    }

    /** A write whose work blocks the writer thread until {@code release}; returns once it runs. */
    private static Future<?> holdWriter(LmdbMetadataStore s, ExecutorService ex, CountDownLatch release)
            throws InterruptedException {
        CountDownLatch running = new CountDownLatch(1);
        Future<?> holder = ex.submit(() -> s.write(t -> {
            running.countDown();
            try {
                return release.await(WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }));
        assertTrue(running.await(WAIT_SECONDS, TimeUnit.SECONDS), "the holder's work runs");
        return holder;
    }

    private static void awaitQueued(LmdbMetadataStore s, int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (s.queuedWrites() < n) {
            assertTrue(System.nanoTime() < deadline, "only " + s.queuedWrites() + " of " + n + " works queued");
            Thread.sleep(5);
        }
    }
}
