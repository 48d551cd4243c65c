package io.dittofs.core;

import io.dittofs.core.Results.Created;
import io.dittofs.core.Results.DirPage;
import io.dittofs.core.Results.Entry;
import io.dittofs.core.Results.FsStat;
import io.dittofs.core.Results.Linked;
import io.dittofs.core.Results.Read;
import io.dittofs.core.Results.Renamed;
import io.dittofs.core.Results.Wcc;
import io.dittofs.core.Results.Written;
import io.dittofs.core.spi.BlockStore;
import io.dittofs.core.spi.MetadataStore;
import io.dittofs.core.spi.MetadataTxn;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import static io.dittofs.core.Permissions.EXECUTE;
import static io.dittofs.core.Permissions.READ;
import static io.dittofs.core.Permissions.WRITE;

/**
 * The POSIX semantics of one share: permission checks, timestamps, link counts, namespace rules.
 * Protocols translate their wire calls into these methods and map {@link FsException} back;
 * they hold no file-system logic themselves.
 *
 * <p>Namespace changes run in one {@link MetadataStore#write} transaction each, so they are
 * atomic. Content goes to the {@link BlockStore} outside transactions. Thread-safe.
 */
public final class FileSystem {
    /** Directory size as reported to clients. */
    static final long DIR_SIZE = 4096;
    /** Most hard links one object may have. */
    public static final int LINK_MAX = 65000;
    /** Cookies 1 and 2 are "." and ".."; store cookies are shifted past them. */
    private static final long COOKIE_BASE = 2;
    private static final long RELATIME_NS = 24L * 3600 * 1_000_000_000L;

    private final MetadataStore meta;
    private final BlockStore blocks;
    private final boolean readOnly;
    private final Clock clock;

    /** Source of timestamps (replaceable in tests). */
    @FunctionalInterface
    public interface Clock {
        long nowNanos();

        Clock SYSTEM = () -> {
            java.time.Instant i = java.time.Instant.now();
            return i.getEpochSecond() * 1_000_000_000L + i.getNano();
        };
    }

    public FileSystem(MetadataStore meta, BlockStore blocks, boolean readOnly) {
        this(meta, blocks, readOnly, Clock.SYSTEM);
    }

    public FileSystem(MetadataStore meta, BlockStore blocks, boolean readOnly, Clock clock) {
        this.meta = meta;
        this.blocks = blocks;
        this.readOnly = readOnly;
        this.clock = clock;
        ensureRoot(0755, 0, 0);
    }

    /** Creates the root directory if the store has none. */
    private void ensureRoot(int mode, int uid, int gid) {
        meta.write(t -> {
            if (t.get(MetadataStore.ROOT_ID) == null) {
                long now = clock.nowNanos();
                t.put(new Inode(MetadataStore.ROOT_ID, FileType.DIRECTORY, mode, 2, uid, gid, DIR_SIZE,
                        now, now, now, 0, MetadataStore.ROOT_ID, 0, null));
            }
            return null;
        });
    }

    public long rootId() {
        return MetadataStore.ROOT_ID;
    }

    public boolean readOnly() {
        return readOnly;
    }

    public MetadataStore metadataStore() {
        return meta;
    }

    public BlockStore blockStore() {
        return blocks;
    }

    // ---------------------------------------------------------------- attributes

    public Inode getattr(long id) {
        return meta.read(t -> require(t, id));
    }

    /**
     * Changes attributes. {@code guardCtime} (or -1) must equal the current ctime (RFC 1813
     * section 3.3.2 {@code sattrguard3}), else NOT_SYNC.
     */
    public Wcc setattr(AuthContext ctx, long id, SetAttr sa, long guardCtime) {
        if (readOnly && !sa.isEmpty()) {
            throw readOnlyError();
        }
        Wcc w = mutate(t -> {
            Inode before = require(t, id);
            if (guardCtime >= 0 && before.ctimeNs() != guardCtime) {
                throw new FsException(FsError.NOT_SYNC, "ctime guard mismatch");
            }
            if (sa.size() >= 0) {
                checkSizeChange(ctx, before, sa.size());
            }
            Inode after = applySetAttr(ctx, before, sa, clock.nowNanos());
            t.put(after);
            return new Wcc(before, after);
        });
        // Content is cut only once the whole request was accepted and recorded; readers already
        // see the new size, so nothing past it is visible in between.
        if (sa.size() >= 0 && sa.size() != w.before().size()) {
            blocks.truncate(id, sa.size());
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
    }

    private Inode applySetAttr(AuthContext ctx, Inode n, SetAttr sa, long now) {
        Inode r = n;
        boolean changed = false;
        if (sa.uid() >= 0 || sa.gid() >= 0) {
            int uid = sa.uid() >= 0 ? (int) sa.uid() : n.uid();
            int gid = sa.gid() >= 0 ? (int) sa.gid() : n.gid();
            if (!ctx.isRoot()) {
                if (uid != n.uid()) {
                    throw new FsException(FsError.NOT_OWNER, "only root can change the owner");
                }
                if (gid != n.gid() && (ctx.uid() != n.uid() || !ctx.inGroup(gid))) {
                    throw new FsException(FsError.NOT_OWNER, "group change not permitted");
                }
            }
            int mode = r.mode();
            if ((uid != n.uid() || gid != n.gid()) && n.type() == FileType.REGULAR) {
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
            if (!ctx.isRoot()) {
                mode &= ~Inode.S_ISUID;
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
        return access(ctx, getattr(id));
    }

    /** {@link #access(AuthContext, long)} for attributes the caller already holds. */
    public int access(AuthContext ctx, Inode n) {
        int g = Permissions.granted(ctx, n);
        if (readOnly) {
            g &= ~WRITE;
        }
        return g;
    }

    // ---------------------------------------------------------------- lookup

    /** Resolves {@code name} in {@code dir}; "." and ".." included. Needs search (x) permission. */
    public Inode lookup(AuthContext ctx, long dirId, String name) {
        Names.check(name);
        return meta.read(t -> {
            Inode dir = requireDir(t, dirId);
            Permissions.require(ctx, dir, EXECUTE);
            if (".".equals(name)) {
                return dir;
            }
            if ("..".equals(name)) {
                return require(t, dir.parent());
            }
            DirEntry e = t.lookup(dirId, name);
            if (e == null) {
                throw new FsException(FsError.NOT_FOUND, name);
            }
            return require(t, e.child());
        });
    }

    public String readlink(AuthContext ctx, long id) {
        Inode n = getattr(id);
        if (n.type() != FileType.SYMLINK) {
            throw new FsException(FsError.INVALID, "not a symlink");
        }
        return n.symlink();
    }

    // ---------------------------------------------------------------- data

    /**
     * Reads into {@code dst} (whose size is the requested count) from {@code offset}; returns how
     * many bytes were filled from the start of {@code dst} and whether the end of file was reached.
     */
    public Read read(AuthContext ctx, long id, long offset, MemorySegment dst) {
        if (offset < 0) {
            throw new FsException(FsError.INVALID, "negative offset");
        }
        Inode n = getattr(id);
        requireRegular(n);
        if (!ownerOverride(ctx, n, READ) && !Permissions.permits(ctx, n, EXECUTE)) {
            throw new FsException(FsError.ACCESS_DENIED, "read needs read permission");
        }
        long avail = Math.max(0, n.size() - offset);
        int count = (int) Math.min(dst.byteSize(), avail);
        if (count > 0) {
            blocks.read(id, offset, dst.asSlice(0, count));
        }
        boolean eof = offset + count >= n.size();
        Inode attr = maybeTouchAtime(n);
        return new Read(count, eof, attr);
    }

    /** relatime: atime moves when it is older than mtime/ctime or a day old. */
    private Inode maybeTouchAtime(Inode n) {
        if (readOnly) {
            return n;
        }
        long now = clock.nowNanos();
        if (n.atimeNs() > n.mtimeNs() && n.atimeNs() > n.ctimeNs() && now - n.atimeNs() < RELATIME_NS) {
            return n;
        }
        return meta.write(t -> {
            Inode cur = t.get(n.id());
            if (cur == null) {
                return n;
            }
            Inode upd = cur.withTimes(now, cur.mtimeNs(), cur.ctimeNs());
            t.put(upd);
            return upd;
        });
    }

    /** Writes {@code src} at {@code offset}; FILE_SYNC/DATA_SYNC make data durable before returning. */
    public Written write(AuthContext ctx, long id, long offset, MemorySegment src, Stability stability) {
        checkWritable();
        long len = src.byteSize();
        if (offset < 0 || offset > Long.MAX_VALUE - len) {
            throw new FsException(FsError.FILE_TOO_LARGE, "offset out of range");
        }
        Inode n = getattr(id);
        requireRegular(n);
        if (!ownerOverride(ctx, n, WRITE)) {
            throw new FsException(FsError.ACCESS_DENIED, "write needs write permission");
        }
        if (len > 0) {
            blocks.write(id, offset, src);
        }
        if (stability != Stability.UNSTABLE) {
            blocks.sync(id);
        }
        long end = offset + len;
        Wcc wcc = meta.write(t -> {
            Inode before = require(t, id);
            long now = clock.nowNanos();
            int mode = before.mode();
            if (!ctx.isRoot() && (mode & (Inode.S_ISUID | Inode.S_ISGID)) != 0) {
                mode &= ~(Inode.S_ISUID | ((mode & 010) != 0 ? Inode.S_ISGID : 0));
            }
            Inode after = new Inode(id, before.type(), mode, before.nlink(), before.uid(), before.gid(),
                    Math.max(before.size(), end), before.atimeNs(), now, now, before.rdev(), before.parent(),
                    before.verifier(), before.symlink());
            t.put(after);
            return new Wcc(before, after);
        });
        if (stability != Stability.UNSTABLE) {
            meta.sync();
        }
        return new Written((int) len, stability == Stability.UNSTABLE ? Stability.UNSTABLE : Stability.FILE_SYNC, wcc);
    }

    /** Makes all earlier writes of the file durable (COMMIT). */
    public Inode commit(AuthContext ctx, long id) {
        Inode n = getattr(id);
        requireRegular(n);
        blocks.sync(id);
        meta.sync();
        return n;
    }

    // ---------------------------------------------------------------- namespace

    /** How CREATE treats an existing name (RFC 1813 section 3.3.8 {@code createmode3}). */
    public enum CreateMode { UNCHECKED, GUARDED, EXCLUSIVE }

    public Created create(AuthContext ctx, long dirId, String name, SetAttr sa, CreateMode how, long verifier) {
        checkWritable();
        Names.checkNew(name);
        Created c = mutate(t -> {
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
                    how == CreateMode.EXCLUSIVE ? verifier : 0);
            return link(t, ctx, dir, name, child, false);
        });
        // UNCHECKED create of an existing file with a size truncates it, like open(O_TRUNC).
        if (how == CreateMode.UNCHECKED && sa.size() >= 0 && c.child().size() != sa.size()) {
            Wcc w = setattr(ctx, c.child().id(), new SetAttr(-1, -1, -1, sa.size(),
                    SetAttr.TimeSet.DONT_CHANGE, SetAttr.TimeSet.DONT_CHANGE), -1);
            return new Created(w.after(), c.dir());
        }
        return c;
    }

    public Created mkdir(AuthContext ctx, long dirId, String name, SetAttr sa) {
        checkWritable();
        Names.checkNew(name);
        return mutate(t -> {
            Inode dir = requireDir(t, dirId);
            if (t.lookup(dirId, name) != null) {
                throw new FsException(FsError.EXISTS, name);
            }
            if (dir.nlink() >= LINK_MAX) {
                throw new FsException(FsError.TOO_MANY_LINKS, "directory has " + LINK_MAX + " subdirectories");
            }
            int mode = sa.mode() >= 0 ? sa.mode() : 0755;
            Inode child = newInode(t, ctx, dir, FileType.DIRECTORY, mode, 0, null, 0);
            return link(t, ctx, dir, name, child, true);
        });
    }

    public Created symlink(AuthContext ctx, long dirId, String name, String target, SetAttr sa) {
        checkWritable();
        Names.checkNew(name);
        if (target == null || target.isEmpty()) {
            throw new FsException(FsError.INVALID, "empty symlink target");
        }
        int len = target.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        if (len > Names.PATH_MAX || target.indexOf('\0') >= 0) {
            throw new FsException(FsError.NAME_TOO_LONG, "symlink target too long");
        }
        return mutate(t -> {
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
        checkWritable();
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
        return mutate(t -> {
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
        long now = clock.nowNanos();
        boolean sgidDir = (dir.mode() & Inode.S_ISGID) != 0;
        int gid = sgidDir ? dir.gid() : ctx.gid();
        mode &= 07777;
        if (type == FileType.DIRECTORY && sgidDir) {
            mode |= Inode.S_ISGID;
        } else if (type != FileType.DIRECTORY && (mode & Inode.S_ISGID) != 0 && !ctx.isRoot() && !ctx.inGroup(gid)) {
            mode &= ~Inode.S_ISGID;
        }
        long size = switch (type) {
            case DIRECTORY -> DIR_SIZE;
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
        checkWritable();
        Names.check(name);
        if (Names.isDot(name)) {
            throw new FsException(wantDir && "..".equals(name) ? FsError.NOT_EMPTY : FsError.INVALID, name);
        }
        long[] freed = {0};
        Wcc w = mutate(t -> {
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
            long now = clock.nowNanos();
            Inode dirAfter = dir.touched(now);
            if (wantDir) {
                dirAfter = dirAfter.withNlink(dir.nlink() - 1, now);
            }
            t.put(dirAfter);
            freed[0] = dropLink(t, child, now);
            return new Wcc(dir, dirAfter);
        });
        if (freed[0] != 0) {
            blocks.delete(freed[0]);
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
        checkWritable();
        Names.check(fromName);
        Names.check(toName);
        if (Names.isDot(fromName) || Names.isDot(toName)) {
            throw new FsException(FsError.INVALID, "cannot rename . or ..");
        }
        long[] freed = {0};
        Renamed r = mutate(t -> {
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
            long now = clock.nowNanos();
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
            blocks.delete(freed[0]);
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
        checkWritable();
        Names.checkNew(name);
        return mutate(t -> {
            Inode file = require(t, fileId);
            if (file.isDirectory()) {
                throw new FsException(FsError.IS_DIRECTORY, "hard link to a directory");
            }
            Inode dir = requireDir(t, dirId);
            Permissions.require(ctx, dir, WRITE | EXECUTE);
            if (t.lookup(dirId, name) != null) {
                throw new FsException(FsError.EXISTS, name);
            }
            if (file.nlink() >= LINK_MAX) {
                throw new FsException(FsError.TOO_MANY_LINKS, name);
            }
            long now = clock.nowNanos();
            Inode fileAfter = file.withNlink(file.nlink() + 1, now);
            t.put(fileAfter);
            t.addEntry(dirId, name, fileId);
            Inode dirAfter = dir.touched(now);
            t.put(dirAfter);
            return new Linked(fileAfter, new Wcc(dir, dirAfter));
        });
    }

    /**
     * Lists up to {@code max} entries after {@code cookie} (0 = from the start; "." and ".."
     * come first). Cookies stay valid while entries come and go.
     */
    public DirPage readdir(AuthContext ctx, long dirId, long cookie, int max, boolean withAttrs) {
        if (max <= 0) {
            throw new FsException(FsError.INVALID, "readdir count");
        }
        return meta.read(t -> {
            Inode dir = requireDir(t, dirId);
            Permissions.require(ctx, dir, READ);
            List<Entry> out = new ArrayList<>(Math.min(max, 1024));
            if (cookie < 1) {
                out.add(new Entry(".", dir.id(), 1, withAttrs ? dir : null));
            }
            if (cookie < 2 && out.size() < max) {
                Inode parent = require(t, dir.parent());
                out.add(new Entry("..", parent.id(), 2, withAttrs ? parent : null));
            }
            int want = max - out.size();
            if (want == 0) {
                return new DirPage(out, false, dir);
            }
            long after = Math.max(0, cookie - COOKIE_BASE);
            List<DirEntry> page = t.list(dirId, after, want + 1);
            boolean eof = page.size() <= want;
            for (int i = 0; i < Math.min(want, page.size()); i++) {
                DirEntry e = page.get(i);
                Inode attr = withAttrs ? t.get(e.child()) : null;
                out.add(new Entry(e.name(), e.child(), e.cookie() + COOKIE_BASE, attr));
            }
            return new DirPage(out, eof, dir);
        });
    }

    public FsStat fsstat() {
        long cap = blocks.capacityBytes();
        long used = blocks.usedBytes();
        MetadataStore.StoreStats s = meta.stats();
        long total = cap > 0 ? cap : Math.max(used, 1L << 50);
        long free = Math.max(0, total - used);
        long files = s.files() >= 0 ? s.files() : 0;
        long freeFiles = s.freeFiles() >= 0 ? s.freeFiles() : (1L << 40);
        return new FsStat(total, free, files + freeFiles, freeFiles);
    }

    // ---------------------------------------------------------------- helpers

    /**
     * A namespace or attribute change: one atomic transaction, made durable before the caller
     * acknowledges it (NFSv3 servers must commit metadata changes before replying).
     */
    private <T> T mutate(MetadataStore.TxnWork<T> work) {
        T result = meta.write(work);
        meta.sync();
        return result;
    }

    private static Inode require(MetadataTxn t, long id) {
        Inode n = t.get(id);
        if (n == null) {
            throw new FsException(FsError.STALE, "no inode " + id);
        }
        return n;
    }

    private static Inode requireDir(MetadataTxn t, long id) {
        Inode n = require(t, id);
        if (!n.isDirectory()) {
            throw new FsException(FsError.NOT_DIRECTORY, "inode " + id);
        }
        return n;
    }

    private static void requireRegular(Inode n) {
        if (n.isDirectory()) {
            throw new FsException(FsError.IS_DIRECTORY, "inode " + n.id());
        }
        if (n.type() != FileType.REGULAR) {
            throw new FsException(FsError.INVALID, "not a regular file");
        }
    }

    /**
     * NFS servers let the owner read and write their own file whatever its mode, because the
     * client already checked the mode at open time (a file created 0444 by tar must still be
     * writable by the handle that created it).
     */
    private static boolean ownerOverride(AuthContext ctx, Inode n, int want) {
        return ctx.uid() == n.uid() || Permissions.permits(ctx, n, want);
    }

    private void checkWritable() {
        if (readOnly) {
            throw readOnlyError();
        }
    }

    private static FsException readOnlyError() {
        return new FsException(FsError.READ_ONLY, "share is read-only");
    }
}
