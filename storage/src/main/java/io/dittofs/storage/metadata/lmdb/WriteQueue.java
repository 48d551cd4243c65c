package io.dittofs.storage.metadata.lmdb;

import io.dittofs.core.FsError;
import io.dittofs.core.FsException;
import io.dittofs.core.spi.MetadataStore;

import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * The write works waiting for the LMDB writer thread. A caller queues a {@link Request} and parks;
 * the writer thread takes every request queued so far (up to {@link #MAX_BATCH}) as one batch,
 * so that concurrent callers share one LMDB commit and, for durable requests, one
 * {@code mdb_env_sync}: the caller's only thread hop is this queue, and the batch size grows with
 * the load by itself (classic group commit: what queues during one flush is the next batch).
 *
 * <p>At most one drain task is scheduled on the writer executor at a time ({@link #scheduled});
 * it runs until the queue is empty. A caller interrupted while its request still waits cancels
 * it; once the writer took it, the caller waits for its outcome, so a write never commits
 * behind the back of a caller that saw it fail.
 *
 * <p>Thread-safe.
 */
final class WriteQueue {
    /** Most requests in one batch (one LMDB write transaction). */
    static final int MAX_BATCH = 64;

    /** One queued write work and its outcome. */
    static final class Request<T> {
        private static final int QUEUED = 0;
        private static final int TAKEN = 1;
        private static final int DONE = 2;
        private static final int CANCELLED = 3;

        final MetadataStore.TxnWork<T> work;
        /** The caller needs every commit durable ({@code mdb_env_sync}) before it returns. */
        final boolean durable;
        private final Thread waiter = Thread.currentThread();
        private final AtomicInteger state = new AtomicInteger(QUEUED);
        T result;
        Throwable failure;

        Request(MetadataStore.TxnWork<T> work, boolean durable) {
            this.work = work;
            this.durable = durable;
        }

        /** Writer thread: runs {@link #work} on {@code txn}, keeping its result or failure. */
        void run(io.dittofs.core.spi.MetadataTxn txn) {
            result = null;
            failure = null;
            try {
                result = work.run(txn);
            } catch (Throwable e) { // delivered to the caller unchanged
                failure = e;
            }
        }

        /** Writer thread: runs {@link #work} in a transaction of its own through {@code runner}. */
        void runAlone(Runner runner) {
            result = null;
            failure = null;
            try {
                result = runner.run(work);
            } catch (Throwable e) { // delivered to the caller unchanged
                failure = e;
            }
        }

        /** Writer thread: the outcome is final; wakes the caller. */
        void complete() {
            state.set(DONE);
            LockSupport.unpark(waiter);
        }

        void fail(Throwable e) {
            result = null;
            failure = e;
            complete();
        }

        private boolean take() {
            return state.compareAndSet(QUEUED, TAKEN);
        }

        /** Caller: waits for the outcome and returns or throws it. */
        T await() {
            boolean interrupted = false;
            while (state.get() != DONE) {
                LockSupport.park(this);
                if (Thread.interrupted()) {
                    interrupted = true;
                    if (state.compareAndSet(QUEUED, CANCELLED)) {
                        Thread.currentThread().interrupt();
                        throw new FsException(FsError.IO, "interrupted before the metadata transaction ran");
                    }
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            Throwable f = failure;
            if (f == null) {
                return result;
            }
            if (f instanceof RuntimeException re) {
                throw re;
            }
            if (f instanceof Error err) {
                throw err;
            }
            throw new FsException(FsError.SERVER_FAULT, "metadata transaction failed", f);
        }
    }

    /** Runs one work in a write transaction of its own. */
    interface Runner {
        <T> T run(MetadataStore.TxnWork<T> work);
    }

    private final ConcurrentLinkedQueue<Request<?>> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final ExecutorService writer;
    private final Consumer<List<Request<?>>> runBatch;

    /**
     * @param writer   the single writer thread
     * @param runBatch runs on the writer thread: executes and completes every request of a batch
     */
    WriteQueue(ExecutorService writer, Consumer<List<Request<?>>> runBatch) {
        this.writer = writer;
        this.runBatch = runBatch;
    }

    /** Queues the work, lets the writer thread run it and waits for its outcome. */
    <T> T submit(MetadataStore.TxnWork<T> work, boolean durable) {
        Request<T> r = new Request<>(work, durable);
        queue.add(r);
        schedule();
        return r.await();
    }

    private void schedule() {
        if (!scheduled.get() && scheduled.compareAndSet(false, true)) {
            try {
                writer.execute(this::drain);
            } catch (RejectedExecutionException e) {
                scheduled.set(false);
                failQueued(); // closed: nobody will run them
            }
        }
    }

    /** Writer thread: runs batches until the queue is empty. */
    private void drain() {
        var batch = new java.util.ArrayList<Request<?>>(MAX_BATCH);
        while (true) {
            Request<?> r;
            while (batch.size() < MAX_BATCH && (r = queue.poll()) != null) {
                if (r.take()) {
                    batch.add(r);
                }
            }
            if (batch.isEmpty()) {
                scheduled.set(false);
                // a request queued after the last poll but before the flag dropped: take it on
                if (queue.isEmpty() || !scheduled.compareAndSet(false, true)) {
                    return;
                }
                continue;
            }
            try {
                runBatch.accept(batch);
            } catch (Throwable e) { // the batch runner completes requests itself; this is a bug guard
                for (Request<?> q : batch) {
                    if (q.state.get() != Request.DONE) {
                        q.fail(e);
                    }
                }
            }
            batch.clear();
        }
    }

    /** Requests waiting for the writer thread (for tests). */
    int queued() {
        return queue.size();
    }

    private void failQueued() {
        Request<?> r;
        while ((r = queue.poll()) != null) {
            if (r.take()) {
                r.fail(MetadataStore.closed());
            }
        }
    }
}
