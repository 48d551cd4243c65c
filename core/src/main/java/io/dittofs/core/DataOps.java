package io.dittofs.core;

import io.dittofs.core.Results.Read;
import io.dittofs.core.Results.Wcc;
import io.dittofs.core.Results.Written;
import io.dittofs.core.spi.ContentRegion;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.locks.Lock;

import static io.dittofs.core.Checks.*;
import static io.dittofs.core.Permissions.EXECUTE;
import static io.dittofs.core.Permissions.READ;
import static io.dittofs.core.Permissions.WRITE;

/**
 * File content: READ, WRITE and COMMIT, and the relatime update of atime on read.
 *
 * <p>Part of {@link FileSystem}, which delegates to it; holds no state of its own beyond the
 * share's {@link FsBackend}. Thread-safe: writes hold the inode's shared lock of the
 * {@link ContentGuard}; reads take no lock and never look past the size they read.
 */
final class DataOps {
    private static final long RELATIME_NS = 24L * 3600 * 1_000_000_000L;

    private final FsBackend fs;

    DataOps(FsBackend fs) {
        this.fs = fs;
    }

    /**
     * Reads into {@code dst} (whose size is the requested count) from {@code offset}; returns how
     * many bytes were filled from the start of {@code dst} and whether the end of file was reached.
     */
    public Read read(AuthContext ctx, long id, long offset, MemorySegment dst) {
        Inode n = readable(ctx, id, offset);
        // offset may lie anywhere up to 2^63 - 1: past the end nothing is read and eof is set
        long avail = Math.max(0, n.size() - offset);
        int count = (int) Math.min(dst.byteSize(), avail);
        if (count > 0) {
            fs.blocks().read(id, offset, dst.asSlice(0, count));
        }
        boolean eof = count == avail; // offset + count >= size, without overflow
        Inode attr = maybeTouchAtime(n);
        return new Read(count, eof, attr);
    }

    /**
     * The READ of {@link #read} with the data as a region of the block store (sent later without
     * a user-space copy); null, with nothing done, when the store offers none or nothing is to be
     * read. The region's length is what the size allowed when it was read, like {@link #read}'s count.
     */
    public Results.RegionRead readRegion(AuthContext ctx, long id, long offset, int count) {
        Inode n = readable(ctx, id, offset);
        long avail = Math.max(0, n.size() - offset);
        int len = (int) Math.min(count, avail);
        if (len <= 0) {
            return null;
        }
        ContentRegion region = fs.blocks().region(id, offset, len);
        if (region == null) {
            return null;
        }
        try {
            return new Results.RegionRead(len, len == avail, maybeTouchAtime(n), region);
        } catch (RuntimeException | Error e) {
            region.close();
            throw e;
        }
    }

    /** The file, checked to be a regular file {@code ctx} may read at a valid offset. */
    private Inode readable(AuthContext ctx, long id, long offset) {
        if (offset < 0) {
            throw new FsException(FsError.INVALID, "negative offset");
        }
        Inode n = fs.getattr(id);
        requireRegular(n);
        if (!ownerOverride(ctx, n, READ) && !Permissions.permits(ctx, n, EXECUTE)) {
            throw new FsException(FsError.ACCESS_DENIED, "read needs read permission");
        }
        return n;
    }

    /** relatime: atime moves when it is older than mtime/ctime or a day old. */
    private Inode maybeTouchAtime(Inode n) {
        if (fs.readOnly()) {
            return n;
        }
        long now = fs.now();
        if (n.atimeNs() > n.mtimeNs() && n.atimeNs() > n.ctimeNs() && now - n.atimeNs() < RELATIME_NS) {
            return n;
        }
        return fs.meta().write(t -> {
            Inode cur = t.get(n.id());
            if (cur == null) {
                return n;
            }
            Inode upd = cur.withTimes(now, cur.mtimeNs(), cur.ctimeNs());
            t.put(upd);
            return upd;
        });
    }

    /**
     * Writes {@code src} at {@code offset}; FILE_SYNC/DATA_SYNC make data durable before returning.
     * Holds the inode's shared lock from the existence check to the size update, so a truncate or
     * a removal never interleaves with it; a file that grows is first made clean past its end
     * ({@link FsBackend#ensureCleanPastEof}).
     */
    public Written write(AuthContext ctx, long id, long offset, MemorySegment src, Stability stability) {
        fs.checkWritable();
        long len = src.byteSize();
        long max = fs.blocks().maxFileSize();
        if (offset < 0 || len > max || offset > max - len) { // offset + len > max, without overflow
            throw new FsException(FsError.FILE_TOO_LARGE, "write of " + len + " bytes at "
                    + Long.toUnsignedString(offset) + " ends past the largest file size " + max);
        }
        long end = offset + len;
        Lock lock = fs.guard().shared(id);
        while (true) {
            lock.lock();
            try {
                Inode n = fs.getattr(id); // STALE once removed: a dead inode gets no content
                requireRegular(n);
                if (!ownerOverride(ctx, n, WRITE)) {
                    throw new FsException(FsError.ACCESS_DENIED, "write needs write permission");
                }
                if (len == 0) { // succeeds and changes nothing: no data, no size, no mtime (pynfs WRT4)
                    return new Written(0, stability == Stability.UNSTABLE ? Stability.UNSTABLE : Stability.FILE_SYNC,
                            new Wcc(n, n));
                }
                if (end <= n.size() || fs.guard().isClean(id)) {
                    return writeLocked(ctx, n, offset, src, stability);
                }
            } finally {
                lock.unlock();
            }
            fs.ensureCleanPastEof(id); // needs the exclusive lock: not while holding the shared one
        }
    }

    /**
     * The content and size change of {@link #write}; the caller holds the inode's shared lock and
     * read {@code before} under it. An UNSTABLE write that clears no setuid/setgid bit hands its
     * size/mtime change to {@link io.dittofs.core.spi.MetadataStore#noteWrite} (batched by stores
     * that can; durable by the next COMMIT); the other writes run a transaction of their own.
     */
    private Written writeLocked(AuthContext ctx, Inode before, long offset, MemorySegment src, Stability stability) {
        long id = before.id();
        long len = src.byteSize();
        long end = offset + len;
        Wcc wcc;
        try {
            if (len > 0) {
                fs.blocks().write(id, offset, src);
            }
            if (stability != Stability.UNSTABLE) {
                fs.blocks().sync(id);
            }
            if (stability == Stability.UNSTABLE && clearedMode(ctx, before.mode()) == before.mode()) {
                long now = fs.now();
                fs.meta().noteWrite(id, end, now);
                wcc = new Wcc(before, before.withSize(Math.max(before.size(), end), now, now));
            } else {
                wcc = fs.meta().write(t -> {
                    Inode cur = require(t, id);
                    long now = fs.now();
                    Inode after = new Inode(id, cur.type(), clearedMode(ctx, cur.mode()), cur.nlink(), cur.uid(),
                            cur.gid(), Math.max(cur.size(), end), cur.atimeNs(), now, now, cur.rdev(), cur.parent(),
                            cur.verifier(), cur.symlink());
                    t.put(after);
                    return new Wcc(cur, after);
                });
            }
        } catch (RuntimeException | Error e) {
            fs.guard().forget(id); // some of the data may be in the block store past the size
            throw e;
        }
        if (stability != Stability.UNSTABLE) {
            fs.meta().sync();
        }
        return new Written((int) len, stability == Stability.UNSTABLE ? Stability.UNSTABLE : Stability.FILE_SYNC, wcc);
    }

    /** The mode after a write by {@code ctx}: a non-root writer clears setuid, and setgid of group-executable files. */
    static int clearedMode(AuthContext ctx, int mode) {
        if (!ctx.isRoot() && (mode & (Inode.S_ISUID | Inode.S_ISGID)) != 0) {
            return mode & ~(Inode.S_ISUID | ((mode & 010) != 0 ? Inode.S_ISGID : 0));
        }
        return mode;
    }

    /** Makes all earlier writes of the file durable (COMMIT). */
    public Inode commit(AuthContext ctx, long id) {
        Inode n = fs.getattr(id);
        requireRegular(n);
        fs.syncContentAndMeta(id);
        return n;
    }
}
