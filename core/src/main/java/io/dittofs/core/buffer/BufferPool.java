package io.dittofs.core.buffer;

import org.agrona.concurrent.ManyToManyConcurrentArrayQueue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A bounded pool of off-heap buffers in three size classes (4 KiB, 64 KiB and 1 MiB + 64 KiB,
 * the last big enough for a 1 MiB READ/WRITE record with its headers). Buffers come from one
 * long-lived shared {@link Arena} and are reused; the number of buffers of each class is capped,
 * so a flood of requests waits for buffers instead of growing memory without bound.
 *
 * <p>Thread-safe. Ownership: {@link #acquire} hands out a {@link Lease}; its holder must
 * {@link Lease#close()} it exactly once (try-with-resources), after which the segment must not
 * be touched.
 */
public final class BufferPool implements AutoCloseable {
    public static final int SMALL = 4 * 1024;
    public static final int MEDIUM = 64 * 1024;
    public static final int LARGE = 1024 * 1024 + 64 * 1024;
    private static final int[] SIZES = {SMALL, MEDIUM, LARGE};

    private final Arena arena = Arena.ofShared();
    private final Class[] classes;
    private final AtomicLong allocatedBytes = new AtomicLong();

    private final class Class {
        final int size;
        final Semaphore permits;
        final ManyToManyConcurrentArrayQueue<MemorySegment> free;

        Class(int size, int max) {
            this.size = size;
            this.permits = new Semaphore(max);
            this.free = new ManyToManyConcurrentArrayQueue<>(Math.max(2, max));
        }
    }

    /** A pool with the default caps: 4096 small, 1024 medium and 256 large buffers. */
    public BufferPool() {
        this(4096, 1024, 256);
    }

    public BufferPool(int maxSmall, int maxMedium, int maxLarge) {
        classes = new Class[] {new Class(SMALL, maxSmall), new Class(MEDIUM, maxMedium), new Class(LARGE, maxLarge)};
    }

    /** The largest buffer this pool hands out. */
    public int maxSize() {
        return LARGE;
    }

    /**
     * A buffer of at least {@code size} bytes (the returned segment is exactly {@code size} long),
     * waiting while every buffer of that class is leased.
     *
     * @throws IllegalArgumentException if {@code size} exceeds {@link #maxSize()}
     * @throws PoolExhaustedException   if none frees up within 30 seconds
     */
    public Lease acquire(int size) {
        if (size < 0 || size > LARGE) {
            throw new IllegalArgumentException("buffer size " + size);
        }
        Class c = classes[classFor(size)];
        try {
            if (!c.permits.tryAcquire(30, TimeUnit.SECONDS)) {
                throw new PoolExhaustedException(c.size);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PoolExhaustedException(c.size);
        }
        MemorySegment seg = c.free.poll();
        if (seg == null) {
            try {
                seg = arena.allocate(c.size, 64);
                allocatedBytes.addAndGet(c.size);
            } catch (RuntimeException | OutOfMemoryError e) {
                c.permits.release();
                throw e;
            }
        }
        return new Lease(this, c, seg, size);
    }

    private static int classFor(int size) {
        for (int i = 0; i < SIZES.length; i++) {
            if (size <= SIZES[i]) {
                return i;
            }
        }
        throw new IllegalArgumentException("buffer size " + size);
    }

    void release(Object cls, MemorySegment whole) {
        Class c = (Class) cls;
        c.free.offer(whole);
        c.permits.release();
    }

    /** Off-heap bytes this pool has allocated so far (it never shrinks before {@link #close()}). */
    public long allocatedBytes() {
        return allocatedBytes.get();
    }

    /** Buffers of the given class that can be leased right now without waiting for a release. */
    public int available(int size) {
        return classes[classFor(size)].permits.availablePermits();
    }

    @Override
    public void close() {
        arena.close();
    }

    /** Thrown when a buffer could not be obtained in time. */
    public static final class PoolExhaustedException extends RuntimeException {
        PoolExhaustedException(int size) {
            super("no " + size + "-byte buffer available", null, false, false);
        }
    }
}
