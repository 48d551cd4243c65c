package io.dittofs.controlplane.instrument;

import io.dittofs.core.spi.BlockStore;
import io.dittofs.core.spi.ContentRegion;

import java.lang.foreign.MemorySegment;

/**
 * A block store that passes every call to the one it wraps: the base of the decorators here,
 * which override only what they measure. Any new {@link BlockStore} method must be forwarded here,
 * or a faster implementation in the wrapped store would be hidden behind the interface default.
 *
 * <p>Thread-safe as the wrapped store is.
 */
abstract class ForwardingBlockStore implements BlockStore {
    /** The wrapped store. */
    protected final BlockStore delegate;

    ForwardingBlockStore(BlockStore delegate) {
        this.delegate = delegate;
    }

    @Override
    public void read(long contentId, long offset, MemorySegment dst) {
        delegate.read(contentId, offset, dst);
    }

    @Override
    public ContentRegion region(long contentId, long offset, long length) {
        return delegate.region(contentId, offset, length);
    }

    @Override
    public void write(long contentId, long offset, MemorySegment src) {
        delegate.write(contentId, offset, src);
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
