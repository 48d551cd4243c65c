package io.dittofs.controlplane.instrument;

import io.dittofs.core.spi.BlockStore;
import io.dittofs.core.spi.ContentRegion;
import io.opentelemetry.api.trace.Span;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.LongAdder;

/**
 * A block store that times, counts and traces every data operation of the store it wraps
 * ({@link StoreInstruments#block}): latency and bytes per operation, errors by {@code FsError},
 * a child span of the current RPC call's span when that call is sampled (a deallocation counts as
 * a truncate). Space queries, reservations, data/hole queries,
 * {@code kind} and {@code close} pass straight through. Any new {@link BlockStore} method must be
 * forwarded here, or a faster implementation in the wrapped store would be hidden.
 *
 * <p>Thread-safe as the wrapped store is.
 */
public final class InstrumentedBlockStore implements BlockStore {
    private final BlockStore delegate;
    private final Probe read;
    private final Probe write;
    private final Probe truncate;
    private final Probe delete;
    private final Probe sync;
    /** Reads counted for the cache hit ratio (null when this layer takes no part in it). */
    private final LongAdder reads;
    /** Force requests (sync, truncate) counted at the cache layer for the WAL group size (or null). */
    private final CounterDataPoint forceRequests;

    InstrumentedBlockStore(BlockStore delegate, Probe read, Probe write, Probe truncate, Probe delete, Probe sync,
                           LongAdder reads, CounterDataPoint forceRequests) {
        this.delegate = delegate;
        this.read = read;
        this.write = write;
        this.truncate = truncate;
        this.delete = delete;
        this.sync = sync;
        this.reads = reads;
        this.forceRequests = forceRequests;
    }

    /** The store this one measures. */
    public BlockStore delegate() {
        return delegate;
    }

    @Override
    public void read(long contentId, long offset, MemorySegment dst) {
        if (reads != null) {
            reads.increment();
        }
        Span s = read.start(contentId);
        long t0 = read.clock();
        try {
            delegate.read(contentId, offset, dst);
            read.bytes(s, dst.byteSize());
        } catch (RuntimeException e) {
            read.failed(s, e);
            throw e;
        } finally {
            read.end(s, t0);
        }
    }

    /**
     * Forwarded so READ keeps its zero-copy path (a decorator without it would hide the store's
     * regions behind the interface default). A region handed out counts as a read of its length;
     * the send itself happens later, on the connection, and is not timed here.
     */
    @Override
    public ContentRegion region(long contentId, long offset, long length) {
        long t0 = read.clock();
        ContentRegion r;
        try {
            r = delegate.region(contentId, offset, length);
        } catch (RuntimeException e) {
            Span s = read.start(contentId);
            read.failed(s, e);
            read.end(s, t0);
            throw e;
        }
        if (r != null) { // none offered: the caller reads instead, and that read is what gets counted
            if (reads != null) {
                reads.increment();
            }
            Span s = read.start(contentId);
            read.bytes(s, r.length());
            read.end(s, t0);
        }
        return r;
    }

    @Override
    public void write(long contentId, long offset, MemorySegment src) {
        Span s = write.start(contentId);
        long t0 = write.clock();
        try {
            delegate.write(contentId, offset, src);
            write.bytes(s, src.byteSize());
        } catch (RuntimeException e) {
            write.failed(s, e);
            throw e;
        } finally {
            write.end(s, t0);
        }
    }

    @Override
    public void truncate(long contentId, long size) {
        if (forceRequests != null) {
            forceRequests.inc();
        }
        Span s = truncate.start(contentId);
        long t0 = truncate.clock();
        try {
            delegate.truncate(contentId, size);
        } catch (RuntimeException e) {
            truncate.failed(s, e);
            throw e;
        } finally {
            truncate.end(s, t0);
        }
    }

    /** Timed, counted and traced as a truncate (both cut content and are forced before they return). */
    @Override
    public void deallocate(long contentId, long offset, long length) {
        if (forceRequests != null) {
            forceRequests.inc();
        }
        Span s = truncate.start(contentId);
        long t0 = truncate.clock();
        try {
            delegate.deallocate(contentId, offset, length);
        } catch (RuntimeException e) {
            truncate.failed(s, e);
            throw e;
        } finally {
            truncate.end(s, t0);
        }
    }

    @Override
    public void allocate(long contentId, long offset, long length) {
        delegate.allocate(contentId, offset, length);
    }

    @Override
    public long nextData(long contentId, long offset) {
        return delegate.nextData(contentId, offset);
    }

    @Override
    public long nextHole(long contentId, long offset) {
        return delegate.nextHole(contentId, offset);
    }

    @Override
    public void delete(long contentId) {
        Span s = delete.start(contentId);
        long t0 = delete.clock();
        try {
            delegate.delete(contentId);
        } catch (RuntimeException e) {
            delete.failed(s, e);
            throw e;
        } finally {
            delete.end(s, t0);
        }
    }

    @Override
    public void sync(long contentId) {
        if (forceRequests != null) {
            forceRequests.inc();
        }
        Span s = sync.start(contentId);
        long t0 = sync.clock();
        try {
            delegate.sync(contentId);
        } catch (RuntimeException e) {
            sync.failed(s, e);
            throw e;
        } finally {
            sync.end(s, t0);
        }
    }

    @Override
    public long spaceUsed(long contentId, long size) {
        return delegate.spaceUsed(contentId, size);
    }

    @Override
    public long usedBytes() {
        return delegate.usedBytes();
    }

    @Override
    public long capacityBytes() {
        return delegate.capacityBytes();
    }

    @Override
    public long maxFileSize() {
        return delegate.maxFileSize();
    }

    @Override
    public String kind() {
        return delegate.kind();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
