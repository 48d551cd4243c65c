package io.dittofs.storage.block.file;

import io.dittofs.core.FsError;
import io.dittofs.core.FsException;
import io.dittofs.core.spi.BlockStore;
import io.dittofs.core.spi.ContentRegion;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.atomic.LongAdder;

/**
 * File content in a local directory, <b>written in place</b>: one sparse file per inode
 * ({@link FileLayout}: {@code root/<id mod 256>/<id>}), updated with positional writes straight
 * from the caller's off-heap segment into the page cache. A 4 KiB write is a 4 KiB
 * {@code pwrite}; nothing is copied, rewritten whole or renamed. Holes stay holes (the kernel
 * reads them as zeros), reads past the end are zero-filled, truncate is {@code ftruncate},
 * a deallocated range is a punched hole ({@link FileSpace}), delete is {@code unlink} (atomic;
 * it becomes durable with the file system's next journal
 * commit, and if power is lost before, the content survives as an orphan file that no inode
 * refers to, since inode numbers are never reused: it costs space, never correctness).
 *
 * <p><b>Durability</b>: {@link #write} leaves data in the page cache (an UNSTABLE NFS write).
 * {@link #sync} makes exactly this file durable: one {@code fdatasync} shared by all concurrent
 * callers of the file ({@link GroupSync}), plus, once after the file was created, an
 * {@code fsync} of its fan-out directory (also group-committed, and run at the same time as the
 * file's {@code fdatasync}) so its directory entry is durable too. A shrinking {@link #truncate} is forced before it returns: otherwise a power loss could
 * bring the cut bytes back into a later hole. A crash may tear a write that was never synced
 * (mixed old and new bytes in its range); NFS clients resend such writes when the write verifier
 * changes.
 *
 * <p><b>Open files</b>: a bounded cache of open channels with CLOCK eviction (no global lock:
 * a concurrent map plus a lock-free queue). A channel is closed only when nobody uses it
 * ({@link OpenFile#retireIfIdle()}); if it still has unforced changes, a marker remembers that
 * for the next {@link #sync}. A channel closed under a user (an interrupted thread closes a
 * {@code FileChannel}) is dropped and the operation retried on a fresh one.
 *
 * <p>{@link #usedBytes} is the disk space the content files take ({@code st_blocks * 512},
 * {@link NativeStat}): holes cost nothing. A write only marks its file; the files marked since
 * the last call are {@code stat}ed when it is asked (FSSTAT, or a file's {@link #spaceUsed}, as in
 * every WRITE reply's attributes). A write that only overwrites a file known to have no holes
 * (within its size, whose last measured allocation covers that size) cannot change its
 * allocation and does not mark it, so a 4 KiB random overwrite costs no {@code stat} (issue 9.4;
 * a file system that allocates speculatively past EOF, as XFS does, can make a hole look covered,
 * and {@code used} then lags until the file's next extending write or truncate). {@link #capacityBytes} is that
 * plus the space still usable on the file system, so FSSTAT's free figure is the file
 * system's. {@link #maxFileSize} is probed once
 * at open (ext4: 16 TiB - 4 KiB); writes beyond it fail with {@link FsError#FILE_TOO_LARGE}.
 *
 * <p>Thread-safe; per-file locking only (writers share a file's read lock, truncate and delete
 * take its write lock).
 */
public final class FileBlockStore implements BlockStore {
    /** Default bound of open channels. */
    public static final int DEFAULT_OPEN_FILES = 512;
    private static final int RETRIES = 100;
    /** Largest piece handed to one positional call (a ByteBuffer holds at most 2 GiB). */
    private static final long CHUNK = 1L << 30;

    private final FileLayout layout;
    private final ChannelCache cache;
    private final FileSpace space;
    private final long maxFileSize;
    private final LongAdder regions = new LongAdder();
    private volatile boolean closed;

    public FileBlockStore(Path root) {
        this(root, DEFAULT_OPEN_FILES);
    }

    /** @param maxOpen bound of the open-channel cache (at least 1) */
    public FileBlockStore(Path root, int maxOpen) {
        if (maxOpen < 1) {
            throw new IllegalArgumentException("maxOpen must be at least 1");
        }
        try {
            layout = new FileLayout(root);
            cache = new ChannelCache(layout, maxOpen, layout.measure());
            maxFileSize = probe(layout);
            space = new FileSpace(layout, cache);
        } catch (IOException e) {
            throw new FsException(FsError.IO, "cannot open block store at " + root + ": " + e.getMessage(), e);
        }
    }

    private static long probe(FileLayout layout) {
        try {
            return layout.probeMaxFileSize();
        } catch (IOException e) {
            return Long.MAX_VALUE; // e.g. a full disk: writes then report the real error themselves
        }
    }

    @Override
    public void read(long contentId, long offset, MemorySegment dst) {
        checkOpen();
        if (offset < 0) {
            throw new FsException(FsError.INVALID, "negative offset");
        }
        for (int attempt = 0; ; attempt++) {
            OpenFile f = cache.acquire(contentId, false);
            if (f == null) {
                dst.fill((byte) 0);
                return;
            }
            try {
                long done = 0;
                long len = Math.min(dst.byteSize(), Long.MAX_VALUE - offset); // no file reaches past Long.MAX_VALUE
                while (done < len) {
                    ByteBuffer b = dst.asSlice(done, Math.min(CHUNK, len - done)).asByteBuffer();
                    int n = f.channel.read(b, offset + done);
                    if (n < 0) {
                        dst.asSlice(done).fill((byte) 0); // past the end of the file
                        return;
                    }
                    done += n;
                }
                if (done < dst.byteSize()) {
                    dst.asSlice(done).fill((byte) 0);
                }
                return;
            } catch (ClosedChannelException e) {
                dropBroken(f, e, attempt, "read");
            } catch (IOException e) {
                throw FileLayout.failure("read", contentId, e);
            } finally {
                f.release();
            }
        }
    }

    /**
     * The range as a {@link FileContentRegion} of the open file (sent with {@code sendfile}); null
     * when no file exists for the content (it is all holes: {@link #read} zero-fills it).
     */
    @Override
    public ContentRegion region(long contentId, long offset, long length) {
        checkOpen();
        if (offset < 0 || length < 0 || length > Long.MAX_VALUE - offset) {
            throw new FsException(FsError.INVALID, "region " + offset + "+" + length);
        }
        OpenFile f = cache.acquire(contentId, false);
        if (f == null) {
            return null;
        }
        regions.increment();
        return new FileContentRegion(f, offset, length);
    }

    /** Regions handed out for zero-copy sends so far. */
    public long regions() {
        return regions.sum();
    }

    @Override
    public void write(long contentId, long offset, MemorySegment src) {
        checkOpen();
        long len = src.byteSize();
        if (offset < 0) {
            throw new FsException(FsError.INVALID, "negative offset");
        }
        if (offset > maxFileSize - len) {
            throw new FsException(FsError.FILE_TOO_LARGE, "write to " + offset + "+" + len + " past the largest file ("
                    + maxFileSize + " bytes) of " + layout.root);
        }
        if (len == 0) {
            return;
        }
        for (int attempt = 0; ; attempt++) {
            OpenFile f = cache.acquire(contentId, true);
            f.rw.readLock().lock();
            try {
                if (f.deleted) {
                    continue; // deleted meanwhile: write into a new file
                }
                long before = f.size.get();
                long done = 0;
                while (done < len) {
                    done += f.channel.write(src.asSlice(done, Math.min(CHUNK, len - done)).asByteBuffer(), offset + done);
                }
                f.size.getAndAccumulate(offset + len, Math::max);
                if (offset + len > before || f.allocated.get() < BlockStore.roundUpToSpaceUnit(before)) {
                    cache.touched(f); // it may have taken blocks: measured again (one stat) when asked
                }
                f.data.changed();
                return;
            } catch (ClosedChannelException e) {
                dropBroken(f, e, attempt, "write");
            } catch (IOException e) {
                throw FileLayout.failure("write", contentId, e);
            } finally {
                f.rw.readLock().unlock();
                f.release();
            }
        }
    }

    @Override
    public void truncate(long contentId, long size) {
        checkOpen();
        if (size < 0) {
            throw new FsException(FsError.INVALID, "negative size");
        }
        if (size > maxFileSize) {
            throw new FsException(FsError.FILE_TOO_LARGE, "size " + size + " past the largest file (" + maxFileSize
                    + " bytes) of " + layout.root);
        }
        for (int attempt = 0; ; attempt++) {
            OpenFile f = cache.acquire(contentId, false);
            if (f == null) {
                return; // nothing stored: reads are zeros already
            }
            long gen = 0;
            f.rw.writeLock().lock();
            try {
                if (f.deleted) {
                    continue;
                }
                long before = f.size.get();
                if (size >= before) {
                    return; // growing: the hole reads as zeros without touching the file
                }
                f.channel.truncate(size);
                f.size.set(size);
                cache.touched(f);
                gen = f.data.changed();
            } catch (ClosedChannelException e) {
                dropBroken(f, e, attempt, "truncate");
            } catch (IOException e) {
                throw FileLayout.failure("truncate", contentId, e);
            } finally {
                f.rw.writeLock().unlock();
                if (gen == 0) {
                    f.release();
                }
            }
            if (gen != 0) {
                try {
                    f.data.await(gen, () -> cache.forceData(f));
                    return;
                } catch (ClosedChannelException e) {
                    dropBroken(f, e, attempt, "truncate"); // the next attempt forces the reopened file
                } catch (IOException e) {
                    throw FileLayout.failure("truncate", contentId, e);
                } finally {
                    f.release();
                }
            }
        }
    }

    /** Punches a hole ({@link FileSpace#deallocate}): its blocks are freed, and it is forced like a shrinking truncate. */
    @Override
    public void deallocate(long contentId, long offset, long length) {
        checkOpen();
        FileSpace.checkRange(offset, length);
        if (length > 0) {
            space.deallocate(contentId, offset, length);
        }
    }

    /** Reserves the blocks with {@code fallocate} ({@link FileSpace#allocate}); nothing where the file system cannot. */
    @Override
    public void allocate(long contentId, long offset, long length) {
        checkOpen();
        FileSpace.checkRange(offset, length);
        if (offset > maxFileSize - length) {
            throw new FsException(FsError.FILE_TOO_LARGE, "allocate " + offset + "+" + length + " past the largest file ("
                    + maxFileSize + " bytes) of " + layout.root);
        }
        space.allocate(contentId, offset, length);
    }

    /** {@code lseek(SEEK_DATA)} on the content file. */
    @Override
    public long nextData(long contentId, long offset) {
        checkOpen();
        FileSpace.checkRange(offset, 0);
        return space.next(contentId, offset, true);
    }

    /** {@code lseek(SEEK_HOLE)} on the content file. */
    @Override
    public long nextHole(long contentId, long offset) {
        checkOpen();
        FileSpace.checkRange(offset, 0);
        return space.next(contentId, offset, false);
    }

    @Override
    public void delete(long contentId) {
        checkOpen();
        while (true) {
            OpenFile f = cache.acquire(contentId, false);
            if (f == null) {
                return;
            }
            f.rw.writeLock().lock();
            try {
                if (f.deleted) {
                    continue;
                }
                Files.deleteIfExists(layout.file(contentId));
                f.deleted = true;
                f.size.set(0);
                cache.removed(f);
                return;
            } catch (IOException e) {
                throw FileLayout.failure("delete", contentId, e);
            } finally {
                f.rw.writeLock().unlock();
                f.release();
                cache.tryEvict(f);
            }
        }
    }

    @Override
    public void sync(long contentId) {
        checkOpen();
        for (int attempt = 0; ; attempt++) {
            OpenFile f = cache.acquire(contentId, false);
            if (f == null) {
                cache.forget(contentId); // deleted meanwhile (or never written): nothing to force
                return;
            }
            try {
                long g = f.direntGen.get();
                FutureTask<Void> dirent = g > 0 ? forceDirentAside(contentId, g) : null;
                try {
                    f.data.await(f.data.current(), () -> cache.forceData(f));
                } finally {
                    if (dirent != null) {
                        awaitDirent(dirent);
                    }
                }
                if (g > 0) {
                    f.direntGen.compareAndSet(g, 0);
                }
                return;
            } catch (ClosedChannelException e) {
                dropBroken(f, e, attempt, "sync");
            } catch (IOException e) {
                throw FileLayout.failure("sync", contentId, e);
            } finally {
                f.release();
            }
        }
    }

    /**
     * Starts forcing the directory entry of a new file on a virtual thread, so that it overlaps
     * the file's own {@code fdatasync}: a first sync of a new file costs one flush round, not two.
     */
    private FutureTask<Void> forceDirentAside(long contentId, long gen) {
        FutureTask<Void> t = new FutureTask<>(() -> {
            cache.forceDirent(contentId, gen);
            return null;
        });
        Thread.ofVirtual().name("dirent-sync-", contentId).start(t);
        return t;
    }

    /** Waits (through interrupts, which it keeps) for the directory force; throws its failure. */
    private static void awaitDirent(FutureTask<Void> dirent) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    dirent.get();
                    return;
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof RuntimeException re) {
                        throw re;
                    }
                    if (e.getCause() instanceof Error err) {
                        throw err;
                    }
                    throw new FsException(FsError.IO, "sync of a directory entry failed", e.getCause());
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The open-channel cache (for tests). */
    ChannelCache channels() {
        return cache;
    }

    /** A channel closed under us (an interrupted thread closes a FileChannel): the next lookup replaces it. */
    private void dropBroken(OpenFile f, ClosedChannelException e, int attempt, String op) {
        checkOpen();
        if (e instanceof ClosedByInterruptException || attempt >= RETRIES) {
            throw new FsException(FsError.IO, op + " of content " + f.id + " interrupted", e);
        }
    }

    /**
     * The content file's disk space ({@code st_blocks * 512}, so punched holes and never-written
     * ranges do not count): for an open file its last measured allocation, measured again (one
     * {@code stat}) only when it was written, cut or punched since; for a file not open one
     * {@code stat} (it is not opened for it).
     */
    @Override
    public long spaceUsed(long contentId, long size) {
        checkOpen();
        if (size == 0) {
            return 0; // no stat for the empty files a READDIRPLUS of a fresh tree lists
        }
        return cache.allocated(contentId, size);
    }

    @Override
    public long usedBytes() {
        return cache.usedBytes();
    }

    @Override
    public long capacityBytes() {
        try {
            long free = Files.getFileStore(layout.root).getUsableSpace();
            long used = Math.max(0, usedBytes());
            return free > Long.MAX_VALUE - used ? Long.MAX_VALUE : used + free;
        } catch (IOException e) {
            return -1;
        }
    }

    @Override
    public long maxFileSize() {
        return maxFileSize;
    }

    @Override
    public String kind() {
        return "fs";
    }

    /** Closes every open channel (unforced data stays in the page cache, as with any close). */
    @Override
    public void close() {
        closed = true;
        cache.closeAll();
    }

    /** {@code fdatasync} calls of content files so far (each may cover many callers). */
    public long dataForces() {
        return cache.dataForces();
    }

    /** How many times a content file's allocation was measured ({@code stat}), for tests. */
    long allocationStats() {
        return cache.allocationStats();
    }

    /** {@code fsync} calls of fan-out directories so far (for new files' entries). */
    public long dirForces() {
        return cache.dirForces();
    }

    /** How many opens of a content file failed because it did not exist (for tests). */
    long missedOpens() {
        return layout.missedOpens();
    }

    private void checkOpen() {
        if (closed) {
            throw new FsException(FsError.IO, "block store closed");
        }
    }
}
