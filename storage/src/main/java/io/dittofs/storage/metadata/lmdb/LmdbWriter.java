package io.dittofs.storage.metadata.lmdb;

import io.dittofs.core.FsError;
import io.dittofs.core.FsException;
import io.dittofs.core.spi.MetadataStore;
import io.dittofs.core.spi.MetadataTxn;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The LMDB writer thread and its queue: classic group commit on one platform thread.
 *
 * <p>A caller queues a {@link Request} and parks. The writer takes everything queued so far (up
 * to {@link #MAX_BATCH}) as one batch and hands it to the {@link Committer}, which runs the works
 * in one LMDB write transaction and commits. It then answers the works that did not ask for
 * durability at once; if any did, it flushes ({@code mdb_env_sync}) once for all of them and
 * answers them after the flush. Whatever queued during the commit and the flush is the next
 * batch, so the batch grows with the load by itself and N concurrent durable callers cost one
 * flush per batch, not N. There is no other thread: a caller's only hand-off is this queue, and
 * the flush runs on the writer (a platform thread), so no virtual caller is pinned by the native
 * call.
 *
 * <p>{@link #sync()} returns at once when every commit made before it was called is covered by a
 * finished flush; otherwise it queues a durable no-op and so shares the next flush.
 *
 * <p>A caller interrupted while its request still waits cancels it; once the writer took it, the
 * caller waits for its outcome, so a write never commits behind the back of a caller that saw it
 * fail. {@link #close()} lets every request queued before it finish; later ones fail with
 * {@link MetadataStore#closed()}.
 *
 * <p>Thread-safe.
 */
final class LmdbWriter {
    /** Most works in one batch (one LMDB write transaction). */
    static final int MAX_BATCH = 64;

    /** Runs every work of a batch on the writer thread and commits; returns how many transactions it committed. */
    @FunctionalInterface
    interface Committer {
        int commit(List<Request<?>> batch);
    }

    /** One queued work and its outcome. */
    static final class Request<T> {
        private static final int QUEUED = 0;
        private static final int TAKEN = 1;
        private static final int DONE = 2;
        private static final int CANCELLED = 3;

        final MetadataStore.TxnWork<T> work;
        /** The caller needs every commit durable before it returns. */
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
        void run(MetadataTxn txn) {
            result = null;
            failure = null;
            try {
                result = work.run(txn);
            } catch (Throwable e) { // delivered to the caller unchanged
                failure = e;
            }
        }

        void fail(Throwable e) {
            result = null;
            failure = e;
        }

        private boolean take() {
            return state.compareAndSet(QUEUED, TAKEN);
        }

        private boolean cancel() {
            return state.compareAndSet(QUEUED, CANCELLED);
        }

        /** Writer thread: the outcome is final; wakes the caller. */
        private void complete() {
            state.set(DONE);
            LockSupport.unpark(waiter);
        }

        private T await() {
            boolean interrupted = false;
            while (state.get() != DONE) {
                LockSupport.park(this);
                if (Thread.interrupted()) {
                    interrupted = true;
                    if (cancel()) {
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

    /** Queued by {@link #close()}: everything before it runs, nothing after it. */
    private static final Request<Void> STOP = new Request<>(t -> null, false);
    private static final MetadataStore.TxnWork<Void> NOTHING = t -> null;

    private final LinkedBlockingQueue<Request<?>> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    private final Committer committer;
    private final Runnable flush;
    private final AtomicLong commits = new AtomicLong();
    /** Commits covered by the last successful flush. */
    private volatile long flushed;
    private final AtomicLong flushes = new AtomicLong();
    /** Set by the writer once it stops taking requests. */
    private volatile boolean stopped;
    private final CompletableFuture<Object> started = new CompletableFuture<>();
    private Callable<?> init;

    /**
     * @param name      the writer thread's name
     * @param committer runs and commits a batch on the writer thread (see {@link Committer})
     * @param flush     makes every commit durable; throws to fail the durable works waiting for it
     */
    LmdbWriter(String name, Committer committer, Runnable flush) {
        this.committer = committer;
        this.flush = flush;
        this.thread = Thread.ofPlatform().name(name).daemon().unstarted(this::run);
    }

    /**
     * Starts the writer thread, which first runs {@code init} (e.g. what needs a write
     * transaction before any work) and returns its result; what it throws comes out here and the
     * writer stops.
     */
    <T> T start(Callable<T> init) {
        this.init = init;
        thread.start();
        try {
            @SuppressWarnings("unchecked")
            T t = (T) started.get();
            return t;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FsException(FsError.IO, "interrupted while the metadata writer started");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new FsException(FsError.SERVER_FAULT, "metadata writer failed to start", e.getCause());
        }
    }

    /** Whether the current thread is the writer thread (a work must not queue another). */
    boolean isWriterThread() {
        return Thread.currentThread() == thread;
    }

    /** Queues the work, lets the writer run it and waits; with {@code durable}, also for the flush after its commit. */
    <T> T submit(MetadataStore.TxnWork<T> work, boolean durable) {
        Request<T> r = new Request<>(work, durable);
        queue.add(r);
        if (stopped && r.cancel()) { // the writer may have drained the queue before this request arrived
            throw MetadataStore.closed();
        }
        return r.await();
    }

    /** Returns once every commit made before the call is durable: at once if a finished flush covers them. */
    void sync() {
        if (flushed >= commits.get()) {
            return;
        }
        submit(NOTHING, true);
    }

    private void run() {
        try {
            started.complete(init.call());
        } catch (Throwable e) {
            stopped = true;
            started.completeExceptionally(e);
            return;
        }
        init = null;
        List<Request<?>> batch = new ArrayList<>(MAX_BATCH);
        boolean stop = false;
        while (!stop) {
            Request<?> r = takeUninterruptibly();
            while (true) {
                if (r == STOP) {
                    stop = true;
                    break;
                }
                if (r.take()) {
                    batch.add(r);
                }
                if (batch.size() == MAX_BATCH || (r = queue.poll()) == null) {
                    break;
                }
            }
            if (!batch.isEmpty()) {
                runBatch(batch);
                batch.clear();
            }
        }
        stopped = true;
        Request<?> r;
        while ((r = queue.poll()) != null) {
            if (r.take()) {
                r.fail(MetadataStore.closed());
                r.complete();
            }
        }
    }

    private Request<?> takeUninterruptibly() {
        while (true) {
            try {
                return queue.take();
            } catch (InterruptedException e) {
                // nobody interrupts the writer on purpose; keep serving
            }
        }
    }

    /** Commits the batch, answers the works that need no flush, flushes once for the others and answers them. */
    private void runBatch(List<Request<?>> batch) {
        try {
            commits.addAndGet(committer.commit(batch));
        } catch (Throwable e) { // the committer records failures per work; this is a bug guard
            for (Request<?> q : batch) {
                if (q.failure == null) {
                    q.fail(e);
                }
            }
        }
        boolean flushNeeded = false;
        for (Request<?> q : batch) {
            if (q.durable && q.failure == null) {
                flushNeeded = true;
            } else {
                q.complete();
            }
        }
        if (!flushNeeded) {
            return;
        }
        RuntimeException failed = flushCommitted();
        for (Request<?> q : batch) {
            if (q.durable && q.failure == null) {
                if (failed != null) {
                    q.fail(failed);
                }
                q.complete();
            }
        }
    }

    /** Flushes if anything was committed since the last flush; the failure, or null. */
    private RuntimeException flushCommitted() {
        long covers = commits.get(); // only this thread commits: the flush covers all of them
        if (flushed >= covers) {
            return null;
        }
        try {
            flush.run();
        } catch (RuntimeException e) {
            return e;
        }
        flushed = covers;
        flushes.incrementAndGet();
        return null;
    }

    /** Write transactions committed so far. */
    long commits() {
        return commits.get();
    }

    /** Successful flushes so far. */
    long flushes() {
        return flushes.get();
    }

    /** Works waiting for the writer (for tests). */
    int queued() {
        return queue.size();
    }

    /** Lets every request queued so far finish, then stops the writer thread and waits for it. */
    void close() {
        if (!thread.isAlive()) {
            stopped = true;
            return;
        }
        queue.add(STOP);
        boolean interrupted = false;
        while (true) {
            try {
                thread.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
