package io.dittofs.core;

import io.dittofs.core.Results.Wcc;
import io.dittofs.core.spi.MetadataStore;

import java.util.concurrent.locks.Lock;

import static io.dittofs.core.Checks.*;
import static io.dittofs.core.Permissions.WRITE;

/**
 * Attributes: SETATTR (owner, group, mode, size, times) with the utimes/chown/chmod rules of
 * POSIX, and ACCESS.
 *
 * <p>Part of {@link FileSystem}, which delegates to it; holds no state of its own beyond the
 * share's {@link FsBackend}. Thread-safe: a size change holds the inode's exclusive lock of the
 * {@link ContentGuard}.
 */
final class AttrOps {
    private final FsBackend fs;

    AttrOps(FsBackend fs) {
        this.fs = fs;
    }

    /**
     * Changes attributes. {@code guardCtime} (or -1) must equal the current ctime (RFC 1813
     * section 3.3.2 {@code sattrguard3}), else NOT_SYNC.
     */
    public Wcc setattr(AuthContext ctx, long id, SetAttr sa, long guardCtime) {
        if (fs.readOnly() && !sa.isEmpty()) {
            throw Checks.readOnlyError();
        }
        MetadataStore.TxnWork<Wcc> change = t -> {
            Inode before = require(t, id);
            if (guardCtime >= 0 && before.ctimeNs() != guardCtime) {
                throw new FsException(FsError.NOT_SYNC, "ctime guard mismatch");
            }
            if (sa.size() >= 0) {
                checkSizeChange(ctx, before, sa.size());
            }
            Inode after = applySetAttr(ctx, before, sa, fs.now());
            t.put(after);
            return new Wcc(before, after);
        };
        if (sa.size() < 0) {
            return fs.mutate(change);
        }
        Lock lock = fs.guard().exclusive(id);
        lock.lock();
        try {
            return resize(id, sa.size(), change);
        } finally {
            lock.unlock();
        }
    }

    /**
     * A SETATTR that sets the size, under the inode's exclusive lock so no write interleaves:
     * a file that grows is first made clean past its old end; the metadata commits first and a
     * file that shrinks has its content cut (durably) afterwards, so a crash in between leaves
     * content past the size, which the next growth cuts.
     */
    private Wcc resize(long id, long size, MetadataStore.TxnWork<Wcc> change) {
        Inode cur = fs.getattr(id);
        if (cur.type() == FileType.REGULAR && size > cur.size()) {
            fs.ensureCleanPastEof(id);
        }
        Wcc w = fs.mutate(change);
        if (size < w.before().size()) {
            try {
                fs.blocks().truncate(id, size);
                fs.blocks().sync(id);
                fs.guard().markClean(id);
            } catch (RuntimeException | Error e) {
                fs.guard().forget(id);
                throw e;
            }
        }
        return w;
    }

    private void checkSizeChange(AuthContext ctx, Inode n, long size) {
        if (n.isDirectory()) {
            throw new FsException(FsError.IS_DIRECTORY, "size of a directory");
        }
        if (n.type() != FileType.REGULAR) {
            throw new FsException(FsError.INVALID, "size of a " + n.type());
        }
        if (!ownerOverride(ctx, n, WRITE)) {
            throw new FsException(FsError.ACCESS_DENIED, "truncate needs write permission");
        }
        long max = fs.blocks().maxFileSize();
        if (size > max) {
            throw new FsException(FsError.FILE_TOO_LARGE, "size " + size + " past the largest file size " + max);
        }
    }

    private Inode applySetAttr(AuthContext ctx, Inode n, SetAttr sa, long now) {
        Inode r = n;
        boolean changed = false;
        if (sa.uid() >= 0 || sa.gid() >= 0) {
            int uid = sa.uid() >= 0 ? (int) sa.uid() : n.uid();
            int gid = sa.gid() >= 0 ? (int) sa.gid() : n.gid();
            if (!ctx.isRoot()) {
                if (ctx.uid() != n.uid()) { // Linux chown_ok/chgrp_ok: even a no-op chown needs the owner
                    throw new FsException(FsError.NOT_OWNER, "only the owner or root can chown");
                }
                if (uid != n.uid()) {
                    throw new FsException(FsError.NOT_OWNER, "only root can change the owner");
                }
                if (gid != n.gid() && (ctx.uid() != n.uid() || !ctx.inGroup(gid))) {
                    throw new FsException(FsError.NOT_OWNER, "group change not permitted");
                }
            }
            int mode = r.mode();
            // Linux (chown_common): on every non-directory, by anyone, even when the ids stay the
            // same, chown clears S_ISUID, and S_ISGID when group-exec is set
            if (!n.isDirectory()) {
                mode &= ~(Inode.S_ISUID | ((mode & 010) != 0 ? Inode.S_ISGID : 0));
            }
            r = r.withOwner(uid, gid, mode, now);
            changed = true;
        }
        if (sa.mode() >= 0) {
            Permissions.requireOwner(ctx, n);
            int mode = sa.mode() & 07777;
            if (!ctx.isRoot() && !n.isDirectory() && !ctx.inGroup(r.gid())) {
                mode &= ~Inode.S_ISGID;
            }
            r = r.withMode(mode, now);
            changed = true;
        }
        if (sa.size() >= 0) {
            int mode = r.mode();
            if (!ctx.isRoot()) { // Linux file_remove_privs: S_ISUID, and S_ISGID with group-exec
                mode &= ~(Inode.S_ISUID | ((mode & 010) != 0 ? Inode.S_ISGID : 0));
            }
            r = new Inode(r.id(), r.type(), mode, r.nlink(), r.uid(), r.gid(), sa.size(), r.atimeNs(),
                    now, now, r.rdev(), r.parent(), r.verifier(), r.symlink());
            changed = true;
        }
        long atime = timeFor(ctx, n, sa.atime(), r.atimeNs(), now);
        long mtime = timeFor(ctx, n, sa.mtime(), r.mtimeNs(), now);
        if (atime != r.atimeNs() || mtime != r.mtimeNs() || sa.atime().kind() != SetAttr.TimeSet.Kind.DONT_CHANGE
                || sa.mtime().kind() != SetAttr.TimeSet.Kind.DONT_CHANGE) {
            r = r.withTimes(atime, mtime, now);
            changed = true;
        }
        return changed ? r : n;
    }

    /** utimes rules: explicit times need ownership; "now" needs ownership or write permission. */
    private static long timeFor(AuthContext ctx, Inode n, SetAttr.TimeSet ts, long current, long now) {
        return switch (ts.kind()) {
            case DONT_CHANGE -> current;
            case SERVER_TIME -> {
                if (!ctx.isRoot() && ctx.uid() != n.uid() && !Permissions.permits(ctx, n, WRITE)) {
                    throw new FsException(FsError.ACCESS_DENIED, "utimes(now) needs write permission");
                }
                yield now;
            }
            case CLIENT_TIME -> {
                Permissions.requireOwner(ctx, n);
                yield ts.nanos();
            }
        };
    }

    /** The rwx bits (0..7) the caller holds on the object, for ACCESS. */
    public int access(AuthContext ctx, long id) {
        return access(ctx, fs.getattr(id));
    }

    /** {@link #access(AuthContext, long)} for attributes the caller already holds. */
    public int access(AuthContext ctx, Inode n) {
        int g = Permissions.granted(ctx, n);
        if (fs.readOnly()) {
            g &= ~WRITE;
        }
        return g;
    }
}
