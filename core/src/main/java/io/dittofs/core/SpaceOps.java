package io.dittofs.core;

import io.dittofs.core.Results.Copied;
import io.dittofs.core.Results.Seek;
import io.dittofs.core.Results.Wcc;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.locks.Lock;

import static io.dittofs.core.Checks.ownerOverride;
import static io.dittofs.core.Checks.require;
import static io.dittofs.core.Checks.requireRegular;
import static io.dittofs.core.Permissions.EXECUTE;
import static io.dittofs.core.Permissions.READ;
import static io.dittofs.core.Permissions.WRITE;

/**
 * Space and sparse-file operations of NFSv4.2 (RFC 7862): ALLOCATE (section 15.1), DEALLOCATE
 * (15.4), SEEK (15.11) and intra-server COPY (15.2), on the {@link io.dittofs.core.spi.BlockStore}
 * space calls ({@code allocate}, {@code deallocate}, {@code nextData}, {@code nextHole}).
 *
 * <p>Size rules: ALLOCATE past the end of file extends the size (the new bytes read as zeros);
 * DEALLOCATE never changes the size and only punches what lies below it. Both need write
 * permission (the owner always has it, as for WRITE), update mtime and ctime (so the change
 * attribute moves) when they change anything, and, like a write by a non-root user, clear
 * setuid/setgid. SEEK needs read permission and bounds every answer by the size.
 *
 * <p>Part of {@link FileSystem}; no state of its own. Thread-safe: a growth holds the inode's
 * exclusive lock of the {@link ContentGuard} (as a SETATTR of the size does) after making the
 * file clean past its end; a hole holds the shared lock (as a WRITE does), so neither interleaves
 * with a truncate or a removal.
 */
final class SpaceOps {
    private final FsBackend fs;
    private final DataOps data;

    SpaceOps(FsBackend fs, DataOps data) {
        this.fs = fs;
        this.data = data;
    }

    /** ALLOCATE: reserves {@code [offset, offset + length)} in the block store and grows the size to its end if needed. */
    Wcc allocate(AuthContext ctx, long id, long offset, long length) {
        fs.checkWritable();
        long end = checkedEnd(offset, length);
        while (true) {
            Lock lock = fs.guard().exclusive(id);
            lock.lock();
            try {
                Inode n = writable(ctx, id);
                if (end <= n.size() || fs.guard().isClean(id)) {
                    fs.blocks().allocate(id, offset, length);
                    return end <= n.size() ? new Wcc(n, n) : grow(ctx, id, end);
                }
            } finally {
                lock.unlock();
            }
            fs.ensureCleanPastEof(id); // takes the exclusive lock itself
        }
    }

    /** The size change of a growth; the caller holds the exclusive lock and knows the file clean past its end. */
    private Wcc grow(AuthContext ctx, long id, long end) {
        try {
            return fs.mutate(t -> {
                Inode cur = require(t, id);
                if (end <= cur.size()) {
                    return new Wcc(cur, cur);
                }
                long now = fs.now();
                Inode after = cur.withSize(end, now, now).withMode(DataOps.clearedMode(ctx, cur.mode()), now);
                t.put(after);
                return new Wcc(cur, after);
            });
        } catch (RuntimeException | Error e) {
            fs.guard().forget(id); // reserved blocks may lie past the size
            throw e;
        }
    }

    /** DEALLOCATE: punches the part of {@code [offset, offset + length)} below the size; the size stays. */
    Wcc deallocate(AuthContext ctx, long id, long offset, long length) {
        fs.checkWritable();
        if (offset < 0 || length < 0) {
            throw new FsException(FsError.INVALID, "range " + offset + "+" + length);
        }
        long end = length > Long.MAX_VALUE - offset ? Long.MAX_VALUE : offset + length; // cut at the size below
        Lock lock = fs.guard().shared(id);
        lock.lock();
        try {
            Inode n = writable(ctx, id);
            long stop = Math.min(end, n.size());
            if (offset >= stop) {
                return new Wcc(n, n); // all past the end of file: already zeros
            }
            fs.blocks().deallocate(id, offset, stop - offset);
            return fs.mutate(t -> {
                Inode cur = require(t, id);
                long now = fs.now();
                Inode after = cur.withTimes(cur.atimeNs(), now, now).withMode(DataOps.clearedMode(ctx, cur.mode()), now);
                t.put(after);
                return new Wcc(cur, after);
            });
        } finally {
            lock.unlock();
        }
    }

    /**
     * SEEK: the first data ({@code data}) or hole at or after {@code offset}, bounded by the size
     * (the end of file is a hole); {@link Seek#NONE} when the offset is at or past the end, or no
     * data follows it.
     */
    Seek seek(AuthContext ctx, long id, long offset, boolean data) {
        Inode n = readable(ctx, id, offset);
        long size = n.size();
        if (offset >= size) {
            return Seek.NONE;
        }
        if (data) {
            long d = Math.max(offset, fs.blocks().nextData(id, offset));
            return d >= size ? Seek.NONE : new Seek(false, d);
        }
        long h = Math.min(size, Math.max(offset, fs.blocks().nextHole(id, offset)));
        return new Seek(h >= size, h);
    }

    /**
     * COPY within the share: {@code count} bytes of {@code src} from {@code srcOffset} to
     * {@code dst} at {@code dstOffset}, through {@code buffer} (the caller's; at least 4 KiB).
     * Holes of the source stay holes: data runs (found with the store's data/hole query) are
     * written as WRITEs are, holes are punched where the destination had bytes, and a trailing
     * hole grows the size. The destination is durable when this returns.
     *
     * @throws FsException INVALID when the source range ends past its size, or the ranges of a
     *                     file copied onto itself overlap
     */
    Copied copy(AuthContext ctx, long src, long srcOffset, long dst, long dstOffset, long count, MemorySegment buffer) {
        fs.checkWritable();
        if (buffer.byteSize() < 1) {
            throw new IllegalArgumentException("copy buffer is empty");
        }
        Inode s = readable(ctx, src, srcOffset);
        if (count < 0 || srcOffset > s.size() || count > s.size() - srcOffset) {
            throw new FsException(FsError.INVALID, "copy source range past the end of file");
        }
        long dstEnd = checkedEnd(dstOffset, count);
        writable(ctx, dst);
        if (src == dst && srcOffset < dstEnd && dstOffset < srcOffset + count) {
            throw new FsException(FsError.INVALID, "copy ranges of one file overlap");
        }
        long srcEnd = srcOffset + count;
        long at = srcOffset;
        while (at < srcEnd) {
            long d = Math.min(srcEnd, Math.max(at, fs.blocks().nextData(src, at)));
            if (d > at) {
                deallocate(ctx, dst, dstOffset + (at - srcOffset), d - at);
                at = d;
                continue;
            }
            long h = Math.min(srcEnd, fs.blocks().nextHole(src, at));
            if (h <= at) {
                h = srcEnd; // a store that contradicts itself: copy the rest as data
            }
            copyData(ctx, src, at, dst, dstOffset + (at - srcOffset), h - at, buffer);
            at = h;
        }
        if (count > 0 && fs.getattr(dst).size() < dstEnd) {
            allocateSize(ctx, dst, dstEnd); // the copy ends in a hole
        }
        fs.syncContentAndMeta(dst);
        return new Copied(count, fs.getattr(dst));
    }

    private void copyData(AuthContext ctx, long src, long from, long dst, long to, long length, MemorySegment buffer) {
        for (long done = 0; done < length; ) {
            int n = (int) Math.min(buffer.byteSize(), length - done);
            MemorySegment chunk = buffer.asSlice(0, n);
            fs.blocks().read(src, from + done, chunk);
            data.write(ctx, dst, to + done, chunk, Stability.UNSTABLE);
            done += n;
        }
    }

    /** Grows the size to {@code end} without reserving (a trailing hole of a COPY). */
    private void allocateSize(AuthContext ctx, long id, long end) {
        while (true) {
            Lock lock = fs.guard().exclusive(id);
            lock.lock();
            try {
                if (fs.guard().isClean(id) || fs.getattr(id).size() >= end) {
                    grow(ctx, id, end);
                    return;
                }
            } finally {
                lock.unlock();
            }
            fs.ensureCleanPastEof(id);
        }
    }

    /** {@code offset + length}, after checking the range is a valid one that fits the store. */
    private long checkedEnd(long offset, long length) {
        if (offset < 0 || length < 0) {
            throw new FsException(FsError.INVALID, "range " + offset + "+" + length);
        }
        long max = fs.blocks().maxFileSize();
        if (length > max || offset > max - length) {
            throw new FsException(FsError.FILE_TOO_LARGE, "range " + offset + "+" + length + " past the largest file size " + max);
        }
        return offset + length;
    }

    private Inode writable(AuthContext ctx, long id) {
        Inode n = fs.getattr(id);
        requireRegular(n);
        if (!ownerOverride(ctx, n, WRITE)) {
            throw new FsException(FsError.ACCESS_DENIED, "needs write permission");
        }
        return n;
    }

    private Inode readable(AuthContext ctx, long id, long offset) {
        if (offset < 0) {
            throw new FsException(FsError.INVALID, "negative offset");
        }
        Inode n = fs.getattr(id);
        requireRegular(n);
        if (!ownerOverride(ctx, n, READ) && !Permissions.permits(ctx, n, EXECUTE)) {
            throw new FsException(FsError.ACCESS_DENIED, "needs read permission");
        }
        return n;
    }
}
