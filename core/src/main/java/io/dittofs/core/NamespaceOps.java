package io.dittofs.core;

import io.dittofs.core.Results.Created;
import io.dittofs.core.Results.Linked;
import io.dittofs.core.Results.Renamed;
import io.dittofs.core.Results.Wcc;
import io.dittofs.core.spi.MetadataStore;
import io.dittofs.core.spi.MetadataTxn;

import static io.dittofs.core.Checks.*;
import static io.dittofs.core.Permissions.EXECUTE;
import static io.dittofs.core.Permissions.WRITE;

/**
 * Namespace changes: create, mkdir, symlink, mknod, link, remove, rmdir and rename, each one
 * atomic metadata transaction made durable before it returns; content of files that lose their
 * last link is freed afterwards, under the inode's exclusive lock so that no write in flight
 * recreates it ({@link FsBackend#freeContent}).
 *
 * <p>Part of {@link FileSystem}, which delegates to it; holds no state of its own beyond the
 * share's {@link FsBackend}. Thread-safe.
 */
final class NamespaceOps {
    private final FsBackend fs;
    private final AttrOps attrs;

    NamespaceOps(FsBackend fs, AttrOps attrs) {
        this.fs = fs;
        this.attrs = attrs;
    }

    /** Creates the root directory if the store has none. */
    void ensureRoot(int mode, int uid, int gid) {
        fs.meta().write(t -> {
            if (t.get(MetadataStore.ROOT_ID) == null) {
                long now = fs.now();
                t.put(new Inode(MetadataStore.ROOT_ID, FileType.DIRECTORY, mode, 2, uid, gid, FileSystem.DIR_SIZE,
                        now, now, now, 0, MetadataStore.ROOT_ID, 0, null));
            }
            return null;
        });
    }

    public Created create(AuthContext ctx, long dirId, String name, SetAttr sa, FileSystem.CreateMode how, long verifier) {
        fs.checkWritable();
        Names.checkNew(name);
        boolean[] fresh = {false};
        Created c = fs.mutate(t -> {
            fresh[0] = false; // the work may run again if the store retries the transaction
            Inode dir = requireDir(t, dirId);
            DirEntry existing = t.lookup(dirId, name);
            if (existing != null) {
                Permissions.require(ctx, dir, EXECUTE);
                Inode e = require(t, existing.child());
                switch (how) {
                    case GUARDED -> throw new FsException(FsError.EXISTS, name);
                    case EXCLUSIVE -> {
                        if (e.type() == FileType.REGULAR && e.verifier() == verifier && verifier != 0) {
                            return new Created(e, new Wcc(dir, dir));
                        }
                        throw new FsException(FsError.EXISTS, name);
                    }
                    case UNCHECKED -> {
                        if (e.type() != FileType.REGULAR) {
                            throw new FsException(FsError.EXISTS, name);
                        }
                        return new Created(e, new Wcc(dir, dir));
                    }
                }
            }
            int mode = sa.mode() >= 0 ? sa.mode() : 0644;
            Inode child = newInode(t, ctx, dir, FileType.REGULAR, mode, 0, null,
                    how == FileSystem.CreateMode.EXCLUSIVE ? verifier : 0);
            fresh[0] = true;
            return link(t, ctx, dir, name, child, false);
        });
        if (fresh[0]) {
            fs.guard().markClean(c.child().id()); // a new id: the block store holds nothing of it
        }
        // UNCHECKED create of an existing file with a size truncates it, like open(O_TRUNC).
        if (how == FileSystem.CreateMode.UNCHECKED && sa.size() >= 0 && c.child().size() != sa.size()) {
            Wcc w = attrs.setattr(ctx, c.child().id(), new SetAttr(-1, -1, -1, sa.size(),
                    SetAttr.TimeSet.DONT_CHANGE, SetAttr.TimeSet.DONT_CHANGE), -1);
            return new Created(w.after(), c.dir());
        }
        return c;
    }

    public Created mkdir(AuthContext ctx, long dirId, String name, SetAttr sa) {
        fs.checkWritable();
        Names.checkNew(name);
        return fs.mutate(t -> {
            Inode dir = requireDir(t, dirId);
            if (t.lookup(dirId, name) != null) {
                throw new FsException(FsError.EXISTS, name);
            }
            if (dir.nlink() >= FileSystem.LINK_MAX) {
                throw new FsException(FsError.TOO_MANY_LINKS, "directory has " + FileSystem.LINK_MAX + " subdirectories");
            }
            int mode = sa.mode() >= 0 ? sa.mode() : 0755;
            Inode child = newInode(t, ctx, dir, FileType.DIRECTORY, mode, 0, null, 0);
            return link(t, ctx, dir, name, child, true);
        });
    }

    public Created symlink(AuthContext ctx, long dirId, String name, String target, SetAttr sa) {
        fs.checkWritable();
        Names.checkNew(name);
        if (target == null || target.isEmpty()) {
            throw new FsException(FsError.INVALID, "empty symlink target");
        }
        int len = target.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        if (len > Names.PATH_MAX || target.indexOf('\0') >= 0) {
            throw new FsException(FsError.NAME_TOO_LONG, "symlink target too long");
        }
        return fs.mutate(t -> {
            Inode dir = requireDir(t, dirId);
            if (t.lookup(dirId, name) != null) {
                throw new FsException(FsError.EXISTS, name);
            }
            Inode child = newInode(t, ctx, dir, FileType.SYMLINK, 0777, 0, target, 0);
            return link(t, ctx, dir, name, child, false);
        });
    }

    /** Creates a device node, FIFO or socket (metadata only). Devices need root. */
    public Created mknod(AuthContext ctx, long dirId, String name, FileType type, long rdev, SetAttr sa) {
        fs.checkWritable();
        Names.checkNew(name);
        switch (type) {
            case CHAR_DEVICE, BLOCK_DEVICE -> {
                if (!ctx.isRoot()) {
                    throw new FsException(FsError.NOT_OWNER, "mknod of a device needs root");
                }
            }
            case FIFO, SOCKET -> {
            }
            default -> throw new FsException(FsError.BAD_TYPE, "mknod of " + type);
        }
        return fs.mutate(t -> {
            Inode dir = requireDir(t, dirId);
            if (t.lookup(dirId, name) != null) {
                throw new FsException(FsError.EXISTS, name);
            }
            int mode = sa.mode() >= 0 ? sa.mode() : 0644;
            Inode child = newInode(t, ctx, dir, type, mode, rdev, null, 0);
            return link(t, ctx, dir, name, child, false);
        });
    }

    private Inode newInode(MetadataTxn t, AuthContext ctx, Inode dir, FileType type, int mode, long rdev,
                           String target, long verifier) {
        Permissions.require(ctx, dir, WRITE | EXECUTE);
        long now = fs.now();
        boolean sgidDir = (dir.mode() & Inode.S_ISGID) != 0;
        int gid = sgidDir ? dir.gid() : ctx.gid();
        // Linux mkdir keeps only rwx and sticky of the requested mode; S_ISGID comes from the parent
        mode &= type == FileType.DIRECTORY ? 01777 : 07777;
        if (type == FileType.DIRECTORY && sgidDir) {
            mode |= Inode.S_ISGID;
        } else if (type != FileType.DIRECTORY && (mode & Inode.S_ISGID) != 0 && !ctx.isRoot() && !ctx.inGroup(gid)) {
            mode &= ~Inode.S_ISGID;
        }
        long size = switch (type) {
            case DIRECTORY -> FileSystem.DIR_SIZE;
            case SYMLINK -> target.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
            default -> 0;
        };
        long id = t.allocateId();
        return new Inode(id, type, mode, type == FileType.DIRECTORY ? 2 : 1, ctx.uid(), gid, size,
                now, now, now, rdev, type == FileType.DIRECTORY ? dir.id() : 0, verifier, target);
    }

    private Created link(MetadataTxn t, AuthContext ctx, Inode dir, String name, Inode child, boolean isDir) {
        t.put(child);
        t.addEntry(dir.id(), name, child.id());
        long now = child.ctimeNs();
        Inode dirAfter = dir.touched(now);
        if (isDir) {
            dirAfter = dirAfter.withNlink(dir.nlink() + 1, now);
        }
        t.put(dirAfter);
        return new Created(child, new Wcc(dir, dirAfter));
    }

    /** Removes a non-directory entry (unlink). */
    public Wcc remove(AuthContext ctx, long dirId, String name) {
        return unlink(ctx, dirId, name, false);
    }

    /** Removes an empty directory. */
    public Wcc rmdir(AuthContext ctx, long dirId, String name) {
        return unlink(ctx, dirId, name, true);
    }

    private Wcc unlink(AuthContext ctx, long dirId, String name, boolean wantDir) {
        fs.checkWritable();
        Names.check(name);
        if (Names.isDot(name)) {
            throw new FsException(wantDir && "..".equals(name) ? FsError.NOT_EMPTY : FsError.INVALID, name);
        }
        long[] freed = {0};
        Wcc w = fs.mutate(t -> {
            Inode dir = requireDir(t, dirId);
            Permissions.require(ctx, dir, WRITE | EXECUTE);
            DirEntry e = t.lookup(dirId, name);
            if (e == null) {
                throw new FsException(FsError.NOT_FOUND, name);
            }
            Inode child = require(t, e.child());
            Permissions.requireStickyOk(ctx, dir, child);
            if (wantDir && !child.isDirectory()) {
                throw new FsException(FsError.NOT_DIRECTORY, name);
            }
            if (!wantDir && child.isDirectory()) {
                throw new FsException(FsError.IS_DIRECTORY, name);
            }
            if (wantDir && !t.isEmpty(child.id())) {
                throw new FsException(FsError.NOT_EMPTY, name);
            }
            t.removeEntry(dirId, name);
            long now = fs.now();
            Inode dirAfter = dir.touched(now);
            if (wantDir) {
                dirAfter = dirAfter.withNlink(dir.nlink() - 1, now);
            }
            t.put(dirAfter);
            freed[0] = dropLink(t, child, now);
            return new Wcc(dir, dirAfter);
        });
        if (freed[0] != 0) {
            fs.freeContent(freed[0]);
        }
        return w;
    }

    /** One name less for {@code child}; returns its id if the object is gone and its content must be freed. */
    private static long dropLink(MetadataTxn t, Inode child, long now) {
        int nlink = child.isDirectory() ? 0 : child.nlink() - 1;
        if (nlink <= 0) {
            t.delete(child.id());
            return child.type() == FileType.REGULAR ? child.id() : 0;
        }
        t.put(child.withNlink(nlink, now));
        return 0;
    }

    public Renamed rename(AuthContext ctx, long fromDirId, String fromName, long toDirId, String toName) {
        fs.checkWritable();
        Names.check(fromName);
        Names.check(toName);
        if (Names.isDot(fromName) || Names.isDot(toName)) {
            throw new FsException(FsError.INVALID, "cannot rename . or ..");
        }
        long[] freed = {0};
        Renamed r = fs.mutate(t -> {
            Inode fromDir = requireDir(t, fromDirId);
            Inode toDir = fromDirId == toDirId ? fromDir : requireDir(t, toDirId);
            Permissions.require(ctx, fromDir, WRITE | EXECUTE);
            Permissions.require(ctx, toDir, WRITE | EXECUTE);
            DirEntry se = t.lookup(fromDirId, fromName);
            if (se == null) {
                throw new FsException(FsError.NOT_FOUND, fromName);
            }
            Inode src = require(t, se.child());
            Permissions.requireStickyOk(ctx, fromDir, src);
            if (fromDirId == toDirId && fromName.equals(toName)) {
                return new Renamed(new Wcc(fromDir, fromDir), new Wcc(toDir, toDir));
            }
            boolean moveDir = src.isDirectory() && fromDirId != toDirId;
            if (moveDir) {
                checkNotAncestor(t, src.id(), toDirId);
                Permissions.require(ctx, src, WRITE); // its ".." changes
            }
            long now = fs.now();
            DirEntry te = t.lookup(toDirId, toName);
            int toLinkDelta = src.isDirectory() && fromDirId != toDirId ? 1 : 0;
            if (te != null) {
                Inode target = require(t, te.child());
                if (target.id() == src.id()) {
                    return new Renamed(new Wcc(fromDir, fromDir), new Wcc(toDir, toDir));
                }
                Permissions.requireStickyOk(ctx, toDir, target);
                if (src.isDirectory() && !target.isDirectory()) {
                    throw new FsException(FsError.NOT_DIRECTORY, toName);
                }
                if (!src.isDirectory() && target.isDirectory()) {
                    throw new FsException(FsError.IS_DIRECTORY, toName);
                }
                if (target.isDirectory()) {
                    if (!t.isEmpty(target.id())) {
                        throw new FsException(FsError.NOT_EMPTY, toName);
                    }
                    toLinkDelta -= 1;
                }
                t.removeEntry(toDirId, toName);
                freed[0] = dropLink(t, target, now);
            }
            t.removeEntry(fromDirId, fromName);
            t.addEntry(toDirId, toName, src.id());
            Inode moved = src.isDirectory() ? src.withParent(toDirId, now) : src.withNlink(src.nlink(), now);
            t.put(moved);
            if (fromDirId == toDirId) {
                Inode after = fromDir.touched(now).withNlink(fromDir.nlink() + toLinkDelta, now);
                t.put(after);
                return new Renamed(new Wcc(fromDir, after), new Wcc(fromDir, after));
            }
            Inode fromAfter = fromDir.touched(now).withNlink(fromDir.nlink() - (src.isDirectory() ? 1 : 0), now);
            Inode toAfter = toDir.touched(now).withNlink(toDir.nlink() + toLinkDelta, now);
            t.put(fromAfter);
            t.put(toAfter);
            return new Renamed(new Wcc(fromDir, fromAfter), new Wcc(toDir, toAfter));
        });
        if (freed[0] != 0) {
            fs.freeContent(freed[0]);
        }
        return r;
    }

    /** Refuses to move directory {@code dirId} into itself or its own subtree. */
    private static void checkNotAncestor(MetadataTxn t, long dirId, long target) {
        long cur = target;
        for (int depth = 0; depth < 100_000; depth++) {
            if (cur == dirId) {
                throw new FsException(FsError.INVALID, "cannot move a directory into its own subtree");
            }
            if (cur == MetadataStore.ROOT_ID) {
                return;
            }
            cur = require(t, cur).parent();
        }
        throw new FsException(FsError.SERVER_FAULT, "directory parent chain too deep");
    }

    public Linked link(AuthContext ctx, long fileId, long dirId, String name) {
        fs.checkWritable();
        Names.checkNew(name);
        return fs.mutate(t -> {
            Inode file = require(t, fileId);
            if (file.isDirectory()) {
                throw new FsException(FsError.NOT_OWNER, "hard link to a directory (EPERM, as Linux)");
            }
            Inode dir = requireDir(t, dirId);
            Permissions.require(ctx, dir, WRITE | EXECUTE);
            if (t.lookup(dirId, name) != null) {
                throw new FsException(FsError.EXISTS, name);
            }
            if (file.nlink() >= FileSystem.LINK_MAX) {
                throw new FsException(FsError.TOO_MANY_LINKS, name);
            }
            long now = fs.now();
            Inode fileAfter = file.withNlink(file.nlink() + 1, now);
            t.put(fileAfter);
            t.addEntry(dirId, name, fileId);
            Inode dirAfter = dir.touched(now);
            t.put(dirAfter);
            return new Linked(fileAfter, new Wcc(dir, dirAfter));
        });
    }
}
