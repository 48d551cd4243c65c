package io.dittofs.controlplane.instrument;

import io.dittofs.core.spi.BlockStore;
import io.dittofs.core.spi.ContentRegion;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;

import java.lang.foreign.MemorySegment;

/**
 * One share's view of its block store: counts the bytes the share's file system reads and writes
 * ({@code dittofs_share_read_bytes_total}, {@code dittofs_share_written_bytes_total}), so a block
 * store bound by several shares still tells them apart. Everything else passes straight through
 * ({@link ForwardingBlockStore}).
 *
 * <p>Thread-safe as the wrapped store is.
 */
public final class ShareBlockStore extends ForwardingBlockStore {
    private final CounterDataPoint readBytes;
    private final CounterDataPoint writtenBytes;

    ShareBlockStore(BlockStore delegate, CounterDataPoint readBytes, CounterDataPoint writtenBytes) {
        super(delegate);
        this.readBytes = readBytes;
        this.writtenBytes = writtenBytes;
    }

    /** The store this share reads and writes. */
    public BlockStore delegate() {
        return delegate;
    }

    @Override
    public void read(long contentId, long offset, MemorySegment dst) {
        delegate.read(contentId, offset, dst);
        readBytes.inc(dst.byteSize());
    }

    /** Forwarded so READ keeps its zero-copy path; the bytes count as read when the region is handed out. */
    @Override
    public ContentRegion region(long contentId, long offset, long length) {
        ContentRegion r = delegate.region(contentId, offset, length);
        if (r != null) {
            readBytes.inc(r.length());
        }
        return r;
    }

    @Override
    public void write(long contentId, long offset, MemorySegment src) {
        delegate.write(contentId, offset, src);
        writtenBytes.inc(src.byteSize());
    }
}
