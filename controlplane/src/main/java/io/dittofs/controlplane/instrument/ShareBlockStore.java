package io.dittofs.controlplane.instrument;

import io.dittofs.core.spi.BlockStore;
import io.dittofs.core.spi.ContentRegion;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;

import java.lang.foreign.MemorySegment;

/**
 * One share's view of its block store: counts the bytes the share's file system reads and writes
 * ({@code dittofs_share_read_bytes_total}, {@code dittofs_share_written_bytes_total}), so a block
 * store bound by several shares still tells them apart. Everything else passes straight through.
 * Any new {@link BlockStore} method must be forwarded here.
 *
 * <p>Thread-safe as the wrapped store is.
 */
public final class ShareBlockStore implements BlockStore {
    private final BlockStore delegate;
    private final CounterDataPoint readBytes;
    private final CounterDataPoint writtenBytes;

    ShareBlockStore(BlockStore delegate, CounterDataPoint readBytes, CounterDataPoint writtenBytes) {
        this.delegate = delegate;
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

    @Override
    public void truncate(long contentId, long size) {
        delegate.truncate(contentId, size);
    }

    @Override
    public void deallocate(long contentId, long offset, long length) {
        delegate.deallocate(contentId, offset, length);
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
        delegate.delete(contentId);
    }

    @Override
    public void sync(long contentId) {
        delegate.sync(contentId);
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
