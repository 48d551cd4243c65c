package io.dittofs.storage.block.file;

import io.dittofs.core.spi.ContentRegion;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.channels.WritableByteChannel;

/**
 * A range of one content file held open for a READ reply ({@link FileBlockStore#region}): sent
 * with {@link java.nio.channels.FileChannel#transferTo} ({@code sendfile} on Linux, page cache to
 * socket), read with {@code pread} where the sender must copy. Holds a use of its
 * {@link OpenFile} until closed, so the channel cache never closes the channel under a send; a
 * concurrent truncate or delete only makes the file end early (the rest reads as zeros).
 *
 * <p>Not thread-safe: one sender uses it.
 */
final class FileContentRegion implements ContentRegion {
    private final OpenFile file;
    private final long offset;
    private final long length;
    private boolean closed;

    /** Takes over the caller's use of {@code file}. */
    FileContentRegion(OpenFile file, long offset, long length) {
        this.file = file;
        this.offset = offset;
        this.length = length;
    }

    @Override
    public long length() {
        return length;
    }

    @Override
    public long transferTo(long position, long max, WritableByteChannel target) throws IOException {
        long n = Math.min(max, length - position);
        if (n <= 0) {
            return 0;
        }
        return file.channel.transferTo(offset + position, n, target);
    }

    @Override
    public void read(long position, MemorySegment dst) throws IOException {
        if (position < 0 || dst.byteSize() > length - position) {
            throw new IndexOutOfBoundsException("read of " + dst.byteSize() + " at " + position + " of " + length);
        }
        long done = 0;
        while (done < dst.byteSize()) {
            int n = file.channel.read(dst.asSlice(done).asByteBuffer(), offset + position + done);
            if (n < 0) {
                dst.asSlice(done).fill((byte) 0); // the file ends early now (truncated meanwhile)
                return;
            }
            done += n;
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            file.release();
        }
    }
}
