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
 * {@code kind} and {@code close} pass straight through ({@link ForwardingBlockStore}).
 *
 * <p>Thread-safe as the wrapped store is.
 */
public final class InstrumentedBlockStore extends ForwardingBlockStore {
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
        super(delegate);
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
        read.move(delegate, contentId, offset, dst, BlockStore::read);
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
        write.move(delegate, contentId, offset, src, BlockStore::write);
    }

    @Override
    public void truncate(long contentId, long size) {
        if (forceRequests != null) {
            forceRequests.inc();
        }
        truncate.time(delegate, contentId, size, 0, (d, c, sz, none) -> d.truncate(c, sz));
    }

    /** Timed, counted and traced as a truncate (both cut content and are forced before they return). */
    @Override
    public void deallocate(long contentId, long offset, long length) {
        if (forceRequests != null) {
            forceRequests.inc();
        }
        truncate.time(delegate, contentId, offset, length, BlockStore::deallocate);
    }

    @Override
    public void delete(long contentId) {
        delete.time(delegate, contentId, 0, 0, (d, c, a, b) -> d.delete(c));
    }

    @Override
    public void sync(long contentId) {
        if (forceRequests != null) {
            forceRequests.inc();
        }
        sync.time(delegate, contentId, 0, 0, (d, c, a, b) -> d.sync(c));
    }
}
