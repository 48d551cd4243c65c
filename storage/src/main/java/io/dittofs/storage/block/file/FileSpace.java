package io.dittofs.storage.block.file;

import io.dittofs.core.FsError;
import io.dittofs.core.FsException;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.ClosedChannelException;

/**
 * Holes and reservations of {@link FileBlockStore}'s content files ({@link NativeSpace} does the
 * native calls): {@link #deallocate} punches a hole (blocks freed, zeros read, length kept) under
 * the file's write lock and forces it like a shrinking truncate, so a power loss cannot bring the
 * old bytes back; on a file system that cannot punch, it writes zeros instead. {@link #allocate}
 * reserves blocks under the read lock, as a write would extend the file. {@link #next} answers
 * SEEK_DATA/SEEK_HOLE from the file system, which sees the page cache the store writes into.
 *
 * <p>Thread-safe, as {@link FileBlockStore}: per-file locking only.
 */
final class FileSpace {
    /** Largest piece of zeros written at once where holes cannot be punched. */
    private static final long ZERO_CHUNK = 1L << 20;

    private final FileLayout layout;
    private final ChannelCache cache;

    FileSpace(FileLayout layout, ChannelCache cache) {
        this.layout = layout;
        this.cache = cache;
    }

    void deallocate(long id, long offset, long length) {
        while (true) {
            OpenFile f = cache.acquire(id, false);
            if (f == null) {
                return; // nothing stored: all of it reads as zeros already
            }
            long gen = 0;
            f.rw.writeLock().lock();
            try {
                if (f.deleted) {
                    continue;
                }
                long end = Math.min(offset + length, f.size.get());
                if (offset >= end) {
                    return; // past the stored bytes: zeros already
                }
                if (!NativeSpace.punch(layout.file(id), offset, end - offset)) {
                    writeZeros(f, offset, end - offset);
                }
                cache.touched(f);
                gen = f.data.changed();
            } catch (IOException e) {
                throw FileLayout.failure("deallocate", id, e);
            } finally {
                f.rw.writeLock().unlock();
                if (gen == 0) {
                    f.release();
                }
            }
            try {
                f.data.await(gen, () -> cache.forceData(f));
                return;
            } catch (IOException e) {
                throw FileLayout.failure("deallocate", id, e);
            } finally {
                f.release();
            }
        }
    }

    private static void writeZeros(OpenFile f, long offset, long length) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment zeros = arena.allocate(Math.min(ZERO_CHUNK, length), 64);
            long done = 0;
            while (done < length) {
                long n = Math.min(zeros.byteSize(), length - done);
                var b = zeros.asSlice(0, n).asByteBuffer();
                while (b.hasRemaining()) {
                    done += f.channel.write(b, offset + done);
                }
            }
        } catch (ClosedChannelException e) {
            throw new IOException("channel closed while writing zeros", e);
        }
    }

    void allocate(long id, long offset, long length) {
        if (length == 0) {
            return;
        }
        while (true) {
            OpenFile f = cache.acquire(id, true);
            f.rw.readLock().lock();
            try {
                if (f.deleted) {
                    continue;
                }
                if (NativeSpace.reserve(layout.file(id), offset, length)) {
                    f.size.getAndAccumulate(offset + length, Math::max);
                    cache.touched(f);
                    f.data.changed();
                }
                return;
            } catch (IOException e) {
                throw FileLayout.failure("allocate", id, e);
            } finally {
                f.rw.readLock().unlock();
                f.release();
            }
        }
    }

    /**
     * SEEK_DATA ({@code data}) or SEEK_HOLE from {@code offset}; {@link Long#MAX_VALUE} for "no
     * data from there on". Without an answer from the file system everything stored is data.
     */
    long next(long id, long offset, boolean data) {
        OpenFile f = cache.acquire(id, false);
        if (f == null) {
            return data ? Long.MAX_VALUE : offset; // nothing stored: one hole
        }
        f.rw.readLock().lock(); // no delete or punch meanwhile
        try {
            if (f.deleted) {
                return data ? Long.MAX_VALUE : offset;
            }
            long r = NativeSpace.seek(layout.file(id), offset, data);
            if (r == NativeSpace.UNKNOWN) {
                long len = f.size.get();
                return data ? (offset < len ? offset : Long.MAX_VALUE) : Math.max(offset, len);
            }
            if (r == NativeSpace.NONE) {
                return data ? Long.MAX_VALUE : offset; // SEEK_HOLE: ENXIO only at or past the end
            }
            return r;
        } catch (IOException e) {
            throw FileLayout.failure(data ? "seek data" : "seek hole", id, e);
        } finally {
            f.rw.readLock().unlock();
            f.release();
        }
    }

    static void checkRange(long offset, long length) {
        if (offset < 0 || length < 0 || length > Long.MAX_VALUE - offset) {
            throw new FsException(FsError.INVALID, "range " + offset + "+" + length);
        }
    }
}
