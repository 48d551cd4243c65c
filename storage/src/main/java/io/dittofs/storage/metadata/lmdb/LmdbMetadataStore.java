package io.dittofs.storage.metadata.lmdb;

import io.dittofs.core.DirEntry;
import io.dittofs.core.FsError;
import io.dittofs.core.FsException;
import io.dittofs.core.Inode;
import io.dittofs.core.spi.MetadataStore;
import org.lmdbjava.ByteBufferProxy;
import org.lmdbjava.DbiFlags;
import org.lmdbjava.Env;
import org.lmdbjava.EnvFlags;
import org.lmdbjava.EnvInfo;
import org.lmdbjava.LmdbException;
import org.lmdbjava.Txn;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * A persistent {@link MetadataStore} in an LMDB environment (lmdbjava), one directory per share.
 *
 * <h2>Layout</h2>
 * Four named databases; every number is a big-endian u64 so that LMDB's byte order is numeric
 * order (see {@link LmdbCodec}):
 * <pre>
 *   inodes   id                      -> format u8 (=1) | type u8 | mode, nlink, uid, gid i32 |
 *                                       size, atime, mtime, ctime, rdev, parent, verifier i64 |
 *                                       symlink length i32 (-1 = none) | symlink UTF-8
 *   entries  dir | name UTF-8        -> child | cookie              (LOOKUP)
 *   cookies  dir | cookie            -> child | name UTF-8          (READDIR, in cookie order)
 *   meta     0x00                    -> store format (u64, =1)
 *            0x01                    -> last inode id handed out
 *            0x02 | dir              -> last cookie the directory handed out
 *            0x03 | id | name UTF-8  -> extended attribute value ({@link LmdbXattrs})
 * </pre>
 * {@code entries} and {@code cookies} always change together in one transaction. The cookies
 * index carries the child as well as the name so a READDIR page is one cursor walk, with no
 * second lookup per entry. Counters live in the same transaction as the rows they number, so
 * ids and cookies survive restarts and are never handed out twice (ids of aborted transactions
 * are also skipped for the life of the process).
 *
 * <h2>Threads and transactions</h2>
 * The environment is opened with {@code MDB_NOTLS} (read transactions are not tied to an OS
 * thread) and {@code MDB_NOSYNC} (commits reach the page cache; {@link #sync()} makes them
 * durable). LMDB write transactions belong to the OS thread that began them, and a virtual
 * thread may change carriers at any blocking point, so every {@link #write} runs on one dedicated
 * platform thread, {@link LmdbWriter}: the caller queues its work and waits for it; the writer
 * runs what queued meanwhile as one batch in one transaction ({@link #commit}), answers it, and
 * flushes once for the batch's durable works before answering them (group commit). The work
 * must not call {@code write} itself (that would wait for its own thread). A read is first served on the
 * caller's thread from the {@link LmdbReadCache} of committed inodes and directory entries (no
 * native call, no hop: GETATTR, ACCESS and LOOKUP of objects in use); when the cache cannot answer
 * it, it runs on one of {@link #READ_THREADS} platform reader threads in a short LMDB read
 * transaction (lmdbjava's jnr-ffi keeps per-thread native scratch memory, which a fresh virtual
 * thread per call would mmap and munmap each time). A fair semaphore caps concurrent readers below
 * LMDB's reader table size and lets the writer thread take every permit while it grows the map,
 * because {@code mdb_env_set_mapsize} requires that no transaction is active.
 *
 * <h2>Batched write changes</h2>
 * {@link #noteWrite} (the size/mtime change of an UNSTABLE WRITE) runs no transaction: the change
 * waits in {@link PendingWrites}, overlaid on every inode a transaction reads, until a flush
 * writes all waiting changes in one transaction: at every {@link #sync()} (so before the reply to
 * a COMMIT, a stable WRITE or a namespace change), when {@link #MAX_PENDING} inodes wait, about
 * {@link #PENDING_AGE_MS} after they were noted, and at {@link #close()}. A crash loses only
 * changes of writes no COMMIT covered, which the client resends (the write verifier changes).
 *
 * <h2>Space</h2>
 * When a write hits {@code MDB_MAP_FULL} the transaction is aborted, the map doubles (up to
 * {@code maxMapSize}) and the work runs again, so a work may run more than once and must not
 * have effects outside its transaction. At the maximum the write fails with
 * {@link FsError#NO_SPACE}; nothing of it is committed and the environment stays usable.
 *
 * <p>Thread-safe.
 */
public final class LmdbMetadataStore implements MetadataStore {
    /** Default initial map: 1 GiB of address space (the file only grows as pages are used). */
    public static final long DEFAULT_INITIAL_MAP_SIZE = 1L << 30;
    /** Default ceiling: 1 TiB. */
    public static final long DEFAULT_MAX_MAP_SIZE = 1L << 40;

    private static final int MAX_READERS = 1024;
    /** Reader permits; a little below the reader table so LMDB never reports it full. */
    private static final int READ_PERMITS = MAX_READERS - 24;
    private static final long RESIZE_WAIT_SECONDS = 10;
    private static final long CLOSE_WAIT_SECONDS = 60;
    /** Most inodes with pending write changes; the write that reaches it flushes them. */
    static final int MAX_PENDING = 4096;
    /** How long pending write changes may stay in memory only, at most (about). */
    static final long PENDING_AGE_MS = 1000;

    private final Path dir;
    private final long maxMapSize;
    private final Env<ByteBuffer> env;
    private final LmdbTxn.Dbs dbs;
    private final int maxNameBytes;
    /** The writer thread: runs write works in batches (group commit) and flushes. */
    private final LmdbWriter writer;
    /**
     * Read transactions run on a few platform threads: lmdbjava (through jnr/jffi) keeps per-thread
     * native state and buffers, which a fresh virtual thread per request would allocate and free
     * (mmap/munmap) on every call.
     */
    private final ExecutorService readers;
    static final int READ_THREADS = 4;
    /** Writer-thread state: scratch buffers and the id floor. */
    private final LmdbWriteTxn.Writer writerState;
    /** Current map size; changed only on the writer thread. */
    private volatile long mapSize;

    private final Semaphore gate = new Semaphore(READ_PERMITS, true);
    /** Key buffers for read transactions (bounded pool; no thread-locals). */
    private final ArrayBlockingQueue<ByteBuffer> readKeys = new ArrayBlockingQueue<>(64);
    private final int keyCapacity;

    /** Size/mtime changes of WRITEs, in memory until a flush (see {@link #noteWrite}). */
    private final PendingWrites pending = new PendingWrites();
    /** Committed inodes and entries for reads without a transaction or a thread hop. */
    private final LmdbReadCache cache = new LmdbReadCache();
    private final AtomicLong cacheHits = new AtomicLong();
    /** Flushes pending write changes that stayed in memory for a second. */
    private final ScheduledExecutorService pendingFlusher;

    /** Test hook run on the writer thread right before each flush. */
    volatile Runnable beforeFlush = () -> { };

    private final Object closeLock = new Object();
    private volatile boolean closed;

    /** Opens (creating if needed) the store in {@code dir} with a 1 GiB initial and 1 TiB maximum map. */
    public LmdbMetadataStore(Path dir) {
        this(dir, DEFAULT_INITIAL_MAP_SIZE, DEFAULT_MAX_MAP_SIZE);
    }

    /**
     * Opens (creating if needed) the store in {@code dir}.
     *
     * @param initialMapSize the map size to start with (an existing, larger environment keeps
     *                       the space it already uses)
     * @param maxMapSize     the size the map may grow to before writes fail with NO_SPACE
     */
    public LmdbMetadataStore(Path dir, long initialMapSize, long maxMapSize) {
        if (initialMapSize <= 0 || maxMapSize < initialMapSize) {
            throw new IllegalArgumentException("map sizes " + initialMapSize + ", " + maxMapSize);
        }
        this.dir = dir;
        this.maxMapSize = maxMapSize;
        try {
            io.dittofs.storage.PrivateFiles.createDirectories(dir);
        } catch (IOException e) {
            throw new FsException(FsError.IO, "cannot create " + dir, e);
        }
        String name = "lmdb-" + dir.getFileName();
        writer = new LmdbWriter(name + "-writer", this::commit, () -> {
            beforeFlush.run();
            envSync();
        });
        readers = Executors.newFixedThreadPool(READ_THREADS, Thread.ofPlatform().name(name + "-reader-", 0).daemon().factory());
        pendingFlusher = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name(name + "-pending").daemon().factory());
        try {
            env = Env.create(ByteBufferProxy.PROXY_OPTIMAL)
                    .setMapSize(initialMapSize)
                    .setMaxDbs(4)
                    .setMaxReaders(MAX_READERS)
                    .open(dir.toFile(), io.dittofs.storage.PrivateFiles.FILE_MODE, EnvFlags.MDB_NOTLS, EnvFlags.MDB_NOSYNC);
        } catch (LmdbException e) {
            shutdownThreads();
            throw new FsException(FsError.IO, "cannot open LMDB environment in " + dir + ": " + e.getMessage(), e);
        }
        keyCapacity = env.getMaxKeySize() + 16;
        maxNameBytes = env.getMaxKeySize() - 8;
        writerState = new LmdbWriteTxn.Writer(keyCapacity);
        try {
            dbs = writer.start(this::openDatabases);
            mapSize = env.info().mapSize;
        } catch (RuntimeException e) {
            env.close();
            shutdownThreads();
            throw e;
        }
        pendingFlusher.scheduleWithFixedDelay(this::flushIdle, PENDING_AGE_MS, PENDING_AGE_MS, TimeUnit.MILLISECONDS);
    }

    /** Runs on the writer thread: opens the databases and checks (or stamps) the format. */
    private LmdbTxn.Dbs openDatabases() {
        LmdbTxn.Dbs d = new LmdbTxn.Dbs(env.openDbi("inodes", DbiFlags.MDB_CREATE),
                env.openDbi("entries", DbiFlags.MDB_CREATE), env.openDbi("cookies", DbiFlags.MDB_CREATE),
                env.openDbi("meta", DbiFlags.MDB_CREATE));
        try (Txn<ByteBuffer> txn = env.txnWrite()) {
            ByteBuffer k = LmdbCodec.tagKey(writerState.key, LmdbCodec.TAG_FORMAT);
            ByteBuffer v = d.meta().get(txn, k);
            if (v == null) {
                d.meta().put(txn, k, LmdbCodec.longValue(writerState.val(8), LmdbCodec.STORE_FORMAT));
                txn.commit();
            } else if (LmdbCodec.readLong(v) != LmdbCodec.STORE_FORMAT) {
                throw new FsException(FsError.SERVER_FAULT,
                        "LMDB metadata in " + dir + " has format " + LmdbCodec.readLong(v));
            }
        }
        return d;
    }

    // ---------------------------------------------------------------- transactions

    /**
     * Serves the work from the {@link LmdbReadCache} on the caller's thread when it can (no LMDB
     * call, no thread hop); otherwise runs it again in an LMDB read transaction on a reader thread.
     */
    @Override
    public <T> T read(TxnWork<T> work) {
        checkOpen();
        long stamp = cache.stamp();
        if ((stamp & 1) == 0) {
            LmdbCachedTxn t = new LmdbCachedTxn(cache, pending);
            T result = null;
            RuntimeException failure = null;
            try {
                result = work.run(t);
            } catch (RuntimeException e) {
                failure = e;
            } finally {
                t.end();
            }
            if (!t.missed() && cache.unchangedSince(stamp)) {
                cacheHits.incrementAndGet(); // a failure (LOOKUP of a known-missing name) is a hit too
                if (failure != null) {
                    throw failure;
                }
                return result;
            }
        }
        return onThread(readers, () -> readHere(work));
    }

    /**
     * A read transaction on the current (reader) thread; what it found goes into the cache. Runs
     * again if a pending write change left memory meanwhile (see {@link PendingWrites#removals}).
     */
    private <T> T readHere(TxnWork<T> work) {
        while (true) {
            long removals = pending.removals();
            T result = readOnce(work);
            if (pending.removals() == removals) {
                return result;
            }
        }
    }

    private <T> T readOnce(TxnWork<T> work) {
        long stamp = cache.stamp(); // before the snapshot is taken
        LmdbTxn[] done = new LmdbTxn[1];
        try {
            return withReadTxn(txn -> {
                ByteBuffer key = readKeys.poll();
                if (key == null) {
                    key = ByteBuffer.allocateDirect(keyCapacity);
                }
                LmdbTxn t = new LmdbTxn(dbs, txn, key, maxNameBytes, pending, true);
                try {
                    return work.run(t);
                } finally {
                    t.end();
                    readKeys.offer(key);
                    done[0] = t;
                }
            });
        } finally {
            // what the snapshot held, also when the work then failed (a LOOKUP of a missing name
            // ends in NOT_FOUND: its absence is cached for the next one)
            if (done[0] != null) {
                cache.offer(stamp, done[0].readInodes, done[0].readEntries);
            }
        }
    }

    /** Runs {@code body} in a read transaction, holding one reader permit. */
    private <T> T withReadTxn(Function<Txn<ByteBuffer>, T> body) {
        checkOpen();
        gate.acquireUninterruptibly();
        try {
            checkOpen();
            Txn<ByteBuffer> txn;
            try {
                txn = env.txnRead();
            } catch (LmdbException e) {
                throw new FsException(FsError.IO, "LMDB read transaction: " + e.getMessage(), e);
            }
            try (txn) {
                return body.apply(txn);
            }
        } finally {
            gate.release();
        }
    }

    @Override
    public <T> T write(TxnWork<T> work) {
        return submit(work, false);
    }

    /**
     * Like {@link #write} followed by {@link #sync()}, with one hand-off: the writer thread commits
     * the work together with every other queued work and flushes once for all durable works of
     * the batch before answering them ({@link LmdbWriter}).
     */
    @Override
    public <T> T writeAndSync(TxnWork<T> work) {
        return submit(work, true);
    }

    private <T> T submit(TxnWork<T> work, boolean durable) {
        checkOpen();
        if (writer.isWriterThread()) {
            throw new IllegalStateException("write() called from inside a write transaction");
        }
        return writer.submit(work, durable);
    }

    /**
     * On the writer thread: runs a batch of queued works in one LMDB write transaction (each sees
     * the ones before it, as if run one after the other) and commits once. A work that fails
     * before changing anything just fails; if one fails after changing the transaction (or LMDB
     * fails inside it), the batch is aborted and every work runs again in a transaction of its
     * own. Returns the number of transactions committed.
     */
    private int commit(List<LmdbWriter.Request<?>> batch) {
        try {
            if (commitTogether(batch)) {
                return 1;
            }
        } catch (RuntimeException | Error e) { // no commit: beginning failed, or the map is at its maximum
            if (batch.size() == 1) {
                batch.getFirst().fail(e);
                return 0;
            }
        }
        int commits = 0;
        for (LmdbWriter.Request<?> r : batch) {
            try {
                commitTogether(List.of(r));
                commits++;
            } catch (RuntimeException | Error e) {
                r.fail(e);
            }
        }
        return commits;
    }

    /**
     * Runs the works in one transaction and commits it, growing the map and running them again
     * when it is full. Returns false if they must run one by one (a work failed after changing
     * the transaction, or LMDB failed inside it); a single work never has to: its failure is
     * recorded on it and the transaction aborted.
     */
    private boolean commitTogether(List<LmdbWriter.Request<?>> batch) {
        boolean alone = batch.size() == 1;
        while (true) {
            Txn<ByteBuffer> txn = beginWrite();
            LmdbWriteTxn[] done = new LmdbWriteTxn[batch.size()];
            Map<Long, PendingWrites.Pending> batchPersisted = alone ? null : new java.util.HashMap<>();
            boolean mapFull = false;
            boolean spoiled = false;
            int ok = 0;
            for (int i = 0; i < batch.size(); i++) {
                LmdbWriter.Request<?> r = batch.get(i);
                LmdbWriteTxn t = new LmdbWriteTxn(dbs, txn, writerState, maxNameBytes, pending, batchPersisted);
                r.run(t);
                t.end();
                if (t.mapFull) {
                    mapFull = true;
                    break;
                }
                if (t.failure != null || (r.failure != null && t.wrote)) {
                    spoiled = true;
                    if (alone && r.failure == null) {
                        r.fail(t.failure);
                    }
                    break;
                }
                if (r.failure == null) {
                    done[i] = t;
                    t.shareWithBatch();
                    ok++;
                }
            }
            if (mapFull || spoiled || ok == 0) {
                txn.close(); // aborts
                if (mapFull) {
                    grow();
                    continue;
                }
                return alone || !spoiled;
            }
            cache.commitBegins();
            try {
                txn.commit();
            } catch (Env.MapFullException e) {
                cache.commitEnds(null, null);
                txn.close();
                grow();
                continue;
            } catch (LmdbException e) {
                cache.commitEnds(null, null);
                txn.close();
                throw new FsException(FsError.IO, "LMDB commit: " + e.getMessage(), e);
            }
            txn.close();
            committed(done);
            return true;
        }
    }

    private void envSync() {
        try {
            env.sync(true);
        } catch (LmdbException e) {
            throw new FsException(FsError.IO, "LMDB sync: " + e.getMessage(), e);
        }
    }

    /** After a batch commit: pending changes it persisted leave memory; the read cache learns its changes. */
    private void committed(LmdbWriteTxn[] done) {
        Map<Long, Inode> inodes = null;
        Map<LmdbReadCache.Name, DirEntry> entries = null;
        try {
            for (LmdbWriteTxn t : done) {
                if (t != null) {
                    t.committed();
                    inodes = merged(inodes, t.changedInodes);
                    entries = merged(entries, t.changedEntries);
                }
            }
        } finally {
            cache.commitEnds(inodes, entries);
        }
    }

    /** {@code into} with {@code later}'s changes over it (either may be null). */
    private static <K, V> Map<K, V> merged(Map<K, V> into, Map<K, V> later) {
        if (later == null) {
            return into;
        }
        if (into == null) {
            return later;
        }
        into.putAll(later);
        return into;
    }

    private Txn<ByteBuffer> beginWrite() {
        try {
            return env.txnWrite();
        } catch (LmdbException e) {
            throw new FsException(FsError.IO, "LMDB write transaction: " + e.getMessage(), e);
        }
    }

    /** On the writer thread, with no write transaction open: doubles the map or fails with NO_SPACE. */
    private void grow() {
        long current = mapSize;
        if (current >= maxMapSize) {
            throw new FsException(FsError.NO_SPACE, "metadata map is at its maximum of " + maxMapSize + " bytes");
        }
        long next = current > maxMapSize / 2 ? maxMapSize : current * 2;
        boolean all;
        try {
            all = gate.tryAcquire(READ_PERMITS, RESIZE_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            all = false;
        }
        if (!all) {
            throw new FsException(FsError.JUKEBOX, "readers kept the metadata map busy; try again");
        }
        try {
            env.setMapSize(next);
            mapSize = Math.max(next, env.info().mapSize);
        } catch (LmdbException e) {
            throw new FsException(FsError.IO, "LMDB map resize to " + next + ": " + e.getMessage(), e);
        } finally {
            gate.release(READ_PERMITS);
        }
    }

    /**
     * Runs {@code task} on {@code thread} and waits; what it throws comes out unchanged. If the
     * caller is interrupted before the task starts, the task is cancelled; once started it is
     * waited for, so a write never commits behind the back of a caller that saw it fail.
     */
    private static <T> T onThread(ExecutorService thread, Callable<T> task) {
        Future<T> f;
        try {
            f = thread.submit(task);
        } catch (RejectedExecutionException e) {
            throw MetadataStore.closed();
        }
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return f.get();
                } catch (InterruptedException e) {
                    interrupted = true;
                    if (f.cancel(false)) {
                        throw new FsException(FsError.IO, "interrupted before the metadata transaction ran");
                    }
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    if (cause instanceof RuntimeException re) {
                        throw re;
                    }
                    if (cause instanceof Error err) {
                        throw err;
                    }
                    throw new FsException(FsError.SERVER_FAULT, "metadata transaction failed", cause);
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    // ---------------------------------------------------------------- batched write changes

    /**
     * Keeps the change in memory ({@link PendingWrites}), visible to every later transaction, with
     * no LMDB transaction and no thread hop. The changes are written in one transaction by the next
     * {@link #sync()} (COMMIT, stable WRITEs and every namespace change call it), when
     * {@link #MAX_PENDING} inodes have some, about a second after they were noted, or at close.
     */
    @Override
    public void noteWrite(long id, long end, long timeNs) {
        checkOpen();
        if (pending.note(id, end, timeNs) >= MAX_PENDING) {
            flushPending();
        }
    }

    /** Writes every pending change in one transaction (not yet synced). */
    private void flushPending() {
        write(t -> {
            ((LmdbWriteTxn) t).applyPending();
            return null;
        });
    }

    /** The periodic flush: pending changes become durable about a second after they were noted. */
    private void flushIdle() {
        try {
            if (!closed && !pending.isEmpty()) {
                sync();
            }
        } catch (RuntimeException e) {
            // a failing store also fails the next COMMIT, which reports it; keep the schedule
        }
    }

    /** How many write transactions committed (for tests and metrics). */
    long commits() {
        return writer.commits();
    }

    /** How many write works wait for the writer thread (for tests). */
    int queuedWrites() {
        return writer.queued();
    }

    /** How many reads the cache served without an LMDB transaction (for tests and metrics). */
    long cacheHits() {
        return cacheHits.get();
    }

    /** How many inodes have write changes in memory only (for tests and metrics). */
    int pendingInodes() {
        return pending.size();
    }

    // ---------------------------------------------------------------- durability, stats, life cycle

    /**
     * Writes the pending changes of WRITEs, then makes every committed transaction durable
     * ({@code mdb_env_sync(force)} on the writer thread, so no virtual caller is pinned by the
     * native call). Returns at once if a finished flush covers every commit made before the call;
     * otherwise it shares the writer's next flush with every durable work queued meanwhile
     * (group commit, see {@link LmdbWriter}).
     */
    @Override
    public void sync() {
        if (!pending.isEmpty()) {
            // the pending changes' transaction and the flush in one trip to the writer thread
            writeAndSync(t -> {
                ((LmdbWriteTxn) t).applyPending();
                return null;
            });
            return;
        }
        checkOpen();
        writer.sync();
    }

    /** Files are inodes; free files are estimated from the map space left at the current bytes per file. */
    @Override
    public StoreStats stats() {
        // inside the read gate: mdb_env_info reads the map, which a resize may be replacing
        return withReadTxn(txn -> {
            long files = dbs.inodes().stat(txn).entries;
            EnvInfo info = env.info();
            long used = (info.lastPageNumber + 1) * env.stat().pageSize;
            long perFile = files < 1000 ? 512 : Math.max(64, used / files);
            return new StoreStats(files, Math.max(0, maxMapSize - used) / perFile);
        });
    }

    @Override
    public String kind() {
        return "lmdb";
    }

    /** How many times {@link #sync()} flushed (for tests and metrics). */
    long flushes() {
        return writer.flushes();
    }

    /** The map size now (for tests and metrics). */
    long mapSize() {
        return mapSize;
    }

    /**
     * Lets queued writes finish, waits for running reads, flushes and closes the environment.
     * Idempotent; every later operation fails with {@link FsError#IO}.
     */
    @Override
    public void close() {
        pendingFlusher.shutdown();
        awaitQuietly(pendingFlusher);
        if (!closed && !pending.isEmpty()) {
            try {
                flushPending(); // the final sync below makes it durable
            } catch (RuntimeException e) {
                // closing anyway: uncommitted UNSTABLE sizes are lost, as after a crash
            }
        }
        synchronized (closeLock) {
            if (closed) {
                return;
            }
            closed = true;
        }
        writer.close(); // queued works finish first
        readers.shutdown();
        awaitQuietly(readers);
        gate.acquireUninterruptibly(READ_PERMITS);
        try {
            try {
                env.sync(true);
            } catch (LmdbException ignored) {
                // closing anyway; committed data is in the page cache
            }
            env.close();
        } finally {
            gate.release(READ_PERMITS);
        }
    }

    private void shutdownThreads() {
        pendingFlusher.shutdown();
        readers.shutdown();
        writer.close();
    }

    private static void awaitQuietly(ExecutorService ex) {
        try {
            ex.awaitTermination(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void checkOpen() {
        if (closed) {
            throw MetadataStore.closed();
        }
    }

    @Override
    public String toString() {
        return "LmdbMetadataStore[" + dir + "]";
    }
}
