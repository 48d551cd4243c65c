package io.dittofs.core.spi;

import io.dittofs.core.FsError;
import io.dittofs.core.FsException;

import java.lang.foreign.MemorySegment;

/**
 * A block store that holds files up to a given size, over any other store: what a store on a
 * local file system with a per-file limit looks like to {@code FileSystem} and the protocols. It
 * refuses ranges past its limit like a real store does; everything else goes to the delegate.
 *
 * <p>Public (unlike other test classes) because tests in other modules use it through the core
 * test-jar. Thread-safe when the delegate is.
 */
public final class SizeLimitedBlockStore implements BlockStore {
    private final BlockStore delegate;
    private final long maxFileSize;

    public SizeLimitedBlockStore(BlockStore delegate, long maxFileSize) {
        this.delegate = delegate;
        this.maxFileSize = Math.min(maxFileSize, delegate.maxFileSize());
    }

    private void check(long offset, long len) {
        if (offset < 0 || len > maxFileSize || offset > maxFileSize - len) {
            throw new FsException(FsError.FILE_TOO_LARGE, "range " + offset + "+" + len + " past " + maxFileSize);
        }
    }

    @Override
    public void read(long contentId, long offset, MemorySegment dst) {
        delegate.read(contentId, offset, dst);
    }

    @Override
    public void write(long contentId, long offset, MemorySegment src) {
        check(offset, src.byteSize());
        delegate.write(contentId, offset, src);
    }

    @Override
    public void truncate(long contentId, long size) {
        check(size, 0);
        delegate.truncate(contentId, size);
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
    public long usedBytes() {
        return delegate.usedBytes();
    }

    @Override
    public long capacityBytes() {
        return delegate.capacityBytes();
    }

    @Override
    public long maxFileSize() {
        return maxFileSize;
    }

    @Override
    public String kind() {
        return "limited+" + delegate.kind();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
