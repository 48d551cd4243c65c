package io.dittofs.core.buffer;

import org.agrona.concurrent.ManyToManyConcurrentArrayQueue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A bounded pool of off-heap buffers in three size classes (4 KiB, 64 KiB and 1 MiB + 64 KiB,
 * the last big enough for a 1 MiB READ/WRITE record with its headers), plus an optional fourth,
 * {@link #HUGE} (8 MiB + 64 KiB, for SMB's multi-credit 8 MiB READ/WRITE), present only when the
 * pool is built with a cap of huge buffers; its count is then the pool's global budget of memory
 * for large I/O, so many clients asking for 8 MiB at once wait instead of exhausting memory. Buffers are
 * allocated on first need and reused; the number of buffers of each class is capped,
 * so a flood of requests waits for buffers instead of growing memory without bound. Waiting is
 * bounded (30 s) and fair: buffers go to waiters in the order they asked.
 *
 * <p>The pool shrinks back after a burst: every {@linkplain #trim() trim} (a virtual thread of the
 * pool runs one every 5 s) frees the free buffers of each class beyond the most that were leased at
 * once since the previous trim (and beyond a small floor per class: 16 small, 4 medium, 1 large, no
 * huge), so a buffer is freed 5 to 10 s after the load that needed it ended. Each buffer has an
 * {@link Arena} of its own, so freeing it gives its memory back to the C heap at once (one shared
 * arena frees nothing before it closes); a leased buffer is never freed.
 *
 * <p>A {@linkplain #share share} is a view of the pool for one owner (a connection) that may
 * hold at most a budget of medium and large buffers at once; past its budget an owner waits for
 * its own releases before it competes for the shared buffers, so one owner cannot take the whole
 * pool.
 *
 * <p>Thread-safe. Ownership: {@link #acquire} hands out a {@link Lease}; its holder must
 * {@link Lease#close()} it exactly once (try-with-resources), after which the segment must not
 * be touched.
 */
public final class BufferPool implements AutoCloseable {
    public static final int SMALL = 4 * 1024;
    public static final int MEDIUM = 64 * 1024;
    public static final int LARGE = 1024 * 1024 + 64 * 1024;
    /** The largest class: an 8 MiB READ/WRITE with its headers (only in pools built with huge buffers). */
    public static final int HUGE = 8 * 1024 * 1024 + 64 * 1024;
    private static final int[] SIZES = {SMALL, MEDIUM, LARGE, HUGE};
    private static final long MAX_WAIT_NANOS = TimeUnit.SECONDS.toNanos(30);
    /** Free buffers each class keeps through a trim however idle it is: small, medium, large, huge. */
    private static final int[] FLOORS = {16, 4, 1, 0};
    /** How often the pool's own thread trims it. */
    public static final Duration TRIM_INTERVAL = Duration.ofSeconds(5);

    private final Class[] classes;
    private final AtomicLong allocatedBytes;
    /** The largest buffer handed out: {@link #LARGE}, or {@link #HUGE} when the pool has huge buffers. */
    private final int maxSize;
    /** A share's budget per size class (null: no budget of its own); null for the pool itself. */
    private final Semaphore[] budget;
    /**
     * A share whose owner is gone: its acquires fail at once, its waiters are woken; for the pool
     * itself, the pool is closed (its free buffers are freed, and so is every buffer released later).
     */
    private volatile boolean closed;
    /** The pool itself, which owns the buffers (this, for the pool). */
    private final BufferPool root;
    /** The pool's trimming thread (null for a share, or when the pool is trimmed by hand only). */
    private final Thread trimmer;
    /** Leases out through this share (or the pool itself), per size class. */
    private final AtomicIntegerArray leased = new AtomicIntegerArray(SIZES.length);

    private static final class Class {
        final int index;
        final int size;
        final int max;
        final Semaphore permits;
        final ManyToManyConcurrentArrayQueue<Buffer> free;
        /** Buffers of this class that exist (leased or free). */
        final AtomicInteger live = new AtomicInteger();
        /**
         * The most buffers leased at once since the last trim: the ones a trim keeps. Updated
         * without a lock (a lost update only makes a trim free a buffer that is then allocated again).
         */
        volatile int peak;

        Class(int index, int max) {
            this.index = index;
            this.size = SIZES[index];
            this.max = max;
            this.permits = new Semaphore(max, true);
            this.free = new ManyToManyConcurrentArrayQueue<>(Math.max(2, max));
        }
    }

    /** One pooled buffer and the arena that owns its memory alone. */
    record Buffer(Arena arena, MemorySegment segment) {
    }

    /** A pool with the default caps: 4096 small, 1024 medium and 256 large buffers, no huge ones. */
    public BufferPool() {
        this(4096, 1024, 256);
    }

    /** A pool without huge buffers ({@link #maxSize()} is {@link #LARGE}). */
    public BufferPool(int maxSmall, int maxMedium, int maxLarge) {
        this(maxSmall, maxMedium, maxLarge, 0);
    }

    /**
     * A pool with at most {@code maxHuge} buffers of {@link #HUGE} bytes as well (0: none, and
     * {@link #maxSize()} is {@link #LARGE}).
     */
    public BufferPool(int maxSmall, int maxMedium, int maxLarge, int maxHuge) {
        this(maxSmall, maxMedium, maxLarge, maxHuge, TRIM_INTERVAL);
    }

    /**
     * Like {@link #BufferPool(int, int, int, int)}, trimmed every {@code trimEvery} by a thread of its
     * own, or only by calls to {@link #trim()} when {@code trimEvery} is zero.
     */
    BufferPool(int maxSmall, int maxMedium, int maxLarge, int maxHuge, Duration trimEvery) {
        if (maxHuge < 0) {
            throw new IllegalArgumentException("huge buffers " + maxHuge);
        }
        this.classes = new Class[] {new Class(0, maxSmall), new Class(1, maxMedium), new Class(2, maxLarge),
            new Class(3, maxHuge)};
        this.allocatedBytes = new AtomicLong();
        this.maxSize = maxHuge > 0 ? HUGE : LARGE;
        this.budget = null;
        this.root = this;
        this.trimmer = trimEvery.isZero() ? null
                : Thread.ofVirtual().name("buffer-pool-trim").start(() -> trimEvery(trimEvery));
    }

    private BufferPool(BufferPool pool, int maxSmall, int maxMedium, int maxLarge, int maxHuge) {
        this.root = pool;
        this.trimmer = null;
        this.classes = pool.classes;
        this.allocatedBytes = pool.allocatedBytes;
        this.maxSize = pool.maxSize;
        this.budget = new Semaphore[] {maxSmall == 0 ? null : new Semaphore(maxSmall, true),
                new Semaphore(maxMedium, true), new Semaphore(maxLarge, true), new Semaphore(maxHuge, true)};
    }

    /**
     * A share of this pool for one owner: leases come from the same buffers, but the owner holds
     * at most {@code maxMedium} medium and {@code maxLarge} large buffers at a time (small ones are
     * capped only by the pool). Closing a share says its owner is gone: leases already out stay
     * valid until closed, but every acquire through the share fails from then on, including
     * those waiting; the pool itself stays open.
     */
    public BufferPool share(int maxMedium, int maxLarge) {
        return share(0, maxMedium, maxLarge);
    }

    /**
     * Like {@link #share(int, int)}, with a budget of {@code maxSmall} small buffers as well
     * (0: small ones capped only by the pool).
     */
    public BufferPool share(int maxSmall, int maxMedium, int maxLarge) {
        return share(maxSmall, maxMedium, maxLarge, 1);
    }

    /**
     * Like {@link #share(int, int, int)}, with a budget of {@code maxHuge} {@link #HUGE} buffers
     * (used only when the pool has huge buffers).
     */
    public BufferPool share(int maxSmall, int maxMedium, int maxLarge, int maxHuge) {
        if (maxSmall < 0 || maxMedium < 1 || maxLarge < 1 || maxHuge < 1) {
            throw new IllegalArgumentException("budget " + maxSmall + "/" + maxMedium + "/" + maxLarge + "/"
                    + maxHuge);
        }
        if (budget != null) {
            throw new IllegalStateException("a share cannot be shared again");
        }
        return new BufferPool(this, maxSmall, maxMedium, maxLarge, maxHuge);
    }

    /** The largest buffer this pool hands out: {@link #HUGE} if it was built with huge buffers, else {@link #LARGE}. */
    public int maxSize() {
        return maxSize;
    }

    /**
     * A buffer of at least {@code size} bytes (the returned segment is exactly {@code size} long),
     * waiting while every buffer of that class is leased, or while a share holds its budget of them.
     *
     * @throws IllegalArgumentException if {@code size} exceeds {@link #maxSize()}
     * @throws PoolExhaustedException   if none frees up within 30 seconds, the thread is interrupted,
     *                                  or this is a closed share
     */
    public Lease acquire(int size) {
        if (size < 0 || size > maxSize) {
            throw new IllegalArgumentException("buffer size " + size);
        }
        Class c = classes[classFor(size)];
        long deadline = System.nanoTime() + MAX_WAIT_NANOS;
        Semaphore own = budget == null ? null : budget[c.index];
        if (own != null) {
            take(own, deadline, c.size);
        }
        Buffer buf;
        try {
            if (closed) {
                throw new PoolExhaustedException(c.size);
            }
            take(c.permits, deadline, c.size);
            if (closed) { // closed while queued for the pool: pass the buffer on to the next waiter
                c.permits.release();
                throw new PoolExhaustedException(c.size);
            }
            int out = c.max - c.permits.availablePermits();
            if (out > c.peak) {
                c.peak = out;
            }
            buf = c.free.poll();
            if (buf == null) {
                buf = allocate(c);
            }
        } catch (RuntimeException | OutOfMemoryError e) {
            if (own != null) {
                own.release();
            }
            throw e;
        }
        leased.incrementAndGet(c.index);
        return new Lease(this, c, buf, size);
    }

    private static void take(Semaphore s, long deadline, int size) {
        try {
            // the timed form queues behind earlier waiters of a fair semaphore; tryAcquire() would barge
            if (!s.tryAcquire(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                throw new PoolExhaustedException(size);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PoolExhaustedException(size);
        }
    }

    private Buffer allocate(Class c) {
        Arena arena = Arena.ofShared();
        try {
            if (root.closed) {
                throw new IllegalStateException("buffer pool closed");
            }
            Buffer buf = new Buffer(arena, arena.allocate(c.size, 64));
            c.live.incrementAndGet();
            allocatedBytes.addAndGet(c.size);
            return buf;
        } catch (RuntimeException | OutOfMemoryError e) {
            arena.close();
            c.permits.release();
            throw e;
        }
    }

    private void free(Class c, Buffer buf) {
        c.live.decrementAndGet();
        allocatedBytes.addAndGet(-c.size);
        buf.arena().close();
    }

    private static int classFor(int size) {
        for (int i = 0; i < SIZES.length; i++) {
            if (size <= SIZES[i]) {
                return i;
            }
        }
        throw new IllegalArgumentException("buffer size " + size);
    }

    void release(Object cls, Buffer buf) {
        Class c = (Class) cls;
        leased.decrementAndGet(c.index);
        if (!c.free.offer(buf)) { // only when a trim raced with a burst of allocations
            free(c, buf);
        }
        if (root.closed) {
            freeAll(c);
        }
        c.permits.release();
        if (budget != null && budget[c.index] != null) {
            budget[c.index].release();
        }
    }

    /** Leases taken through this pool (or share) and not yet closed, all size classes together. */
    public int leased() {
        int n = 0;
        for (int i = 0; i < SIZES.length; i++) {
            n += leased.get(i);
        }
        return n;
    }

    /** Leases of the size class of {@code size} taken through this pool (or share) and not yet closed. */
    public int leased(int size) {
        return leased.get(classFor(size));
    }

    /**
     * Threads waiting for a buffer of any class because the pool has none left (not those waiting
     * for their share's budget): nonzero means the pool is under pressure right now.
     */
    public int waiters() {
        int n = 0;
        for (Class c : classes) {
            n += c.permits.getQueueLength();
        }
        return n;
    }

    /** Like {@link #waiters()}, for the size class of {@code size} only. */
    public int waiters(int size) {
        return classes[classFor(size)].permits.getQueueLength();
    }

    /** Off-heap bytes of the buffers this pool holds now, leased or free (trims and {@link #close()} lower it). */
    public long allocatedBytes() {
        return allocatedBytes.get();
    }

    /**
     * Frees the free buffers of each class beyond the most that were leased at once since the
     * previous trim (and beyond the class's floor), then starts the next period. Leased buffers are
     * never freed. The pool's own thread calls this every {@link #TRIM_INTERVAL}; safe to call from
     * any thread, also on a share (it trims the pool).
     */
    public void trim() {
        for (Class c : classes) {
            int keep = Math.max(c.peak, FLOORS[c.index]);
            c.peak = c.max - c.permits.availablePermits(); // the next period starts with what is out now
            for (int excess = c.live.get() - keep; excess > 0; excess--) {
                Buffer buf = c.free.poll();
                if (buf == null) {
                    break;
                }
                free(c, buf);
            }
        }
    }

    private void trimEvery(Duration interval) {
        while (!closed) {
            try {
                Thread.sleep(interval);
            } catch (InterruptedException e) {
                return;
            }
            if (!closed) {
                trim();
            }
        }
    }

    private void freeAll(Class c) {
        for (Buffer buf = c.free.poll(); buf != null; buf = c.free.poll()) {
            free(c, buf);
        }
    }

    /**
     * Buffers of the given class that can be leased right now without waiting for a release
     * (for a share, also within its budget).
     */
    public int available(int size) {
        int i = classFor(size);
        int free = classes[i].permits.availablePermits();
        return budget == null || budget[i] == null ? free : Math.min(free, budget[i].availablePermits());
    }

    /**
     * Closes the pool and frees its free buffers (a buffer still leased is freed when its lease
     * closes); for a {@linkplain #share share}, fails its waiting and future acquires and leaves the
     * pool open.
     */
    @Override
    public void close() {
        if (budget == null) {
            closed = true;
            if (trimmer != null) {
                trimmer.interrupt();
            }
            for (Class c : classes) {
                freeAll(c);
            }
            return;
        }
        if (!closed) {
            closed = true;
            for (Semaphore s : budget) {
                if (s != null) {
                    s.release(1 << 20); // wakes every waiter, which then sees the share closed
                }
            }
        }
    }

    /** Thrown when a buffer could not be obtained in time. */
    public static final class PoolExhaustedException extends RuntimeException {
        PoolExhaustedException(int size) {
            super("no " + size + "-byte buffer available", null, false, false);
        }
    }
}
