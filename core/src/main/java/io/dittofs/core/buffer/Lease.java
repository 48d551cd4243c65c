package io.dittofs.core.buffer;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Ownership of one pooled buffer. The holder closes it exactly once; a method that takes over
 * a lease says so in its Javadoc. A second close is ignored, so error paths may close defensively.
 * Not for concurrent use by two owners.
 */
public final class Lease implements AutoCloseable {
    private final BufferPool pool;
    private final Object cls;
    private final BufferPool.Buffer buffer;
    private final MemorySegment whole;
    private final MemorySegment segment;
    private final AtomicBoolean released = new AtomicBoolean();

    Lease(BufferPool pool, Object cls, BufferPool.Buffer buffer, int size) {
        this.pool = pool;
        this.cls = cls;
        this.buffer = buffer;
        this.whole = buffer.segment();
        this.segment = whole.asSlice(0, size);
    }

    /** The leased memory, exactly as long as was asked for. */
    public MemorySegment segment() {
        return segment;
    }

    /** The full pooled buffer (its size class), for callers that can use the slack. */
    public MemorySegment capacity() {
        return whole;
    }

    @Override
    public void close() {
        if (released.compareAndSet(false, true)) {
            pool.release(cls, buffer);
        }
    }
}
