package io.dittofs.core;

import io.dittofs.core.Results.Created;
import io.dittofs.core.Results.DirPage;
import io.dittofs.core.Results.FsStat;
import io.dittofs.core.Results.Linked;
import io.dittofs.core.Results.Read;
import io.dittofs.core.Results.Renamed;
import io.dittofs.core.Results.Wcc;
import io.dittofs.core.Results.Written;
import io.dittofs.core.notify.ChangeEvent;
import io.dittofs.core.notify.ChangeNotifier;
import io.dittofs.core.spi.BlockStore;
import io.dittofs.core.spi.MetadataStore;

import java.lang.foreign.MemorySegment;

/**
 * The POSIX semantics of one share: permission checks, timestamps, link counts, namespace rules.
 * Protocols translate their wire calls into these methods and map {@link FsException} back;
 * they hold no file-system logic themselves.
 *
 * <p>Namespace changes run in one {@link MetadataStore#write} transaction each, so they are
 * atomic. Content goes to the {@link BlockStore} outside transactions. This class is the
 * facade; the rules live by concern in {@link AttrOps} (attributes, ACCESS), {@link DataOps}
 * (READ/WRITE/COMMIT), {@link NamespaceOps} (create, link, remove, rename) and
 * {@link DirectoryOps} (LOOKUP, READLINK, READDIR) and {@link XattrOps} (extended attributes). Thread-safe.
 */
public final class FileSystem {
    /** Directory size as reported to clients. */
    static final long DIR_SIZE = 4096;
    /** Most hard links one object may have. */
    public static final int LINK_MAX = 65000;

    private final MetadataStore meta;
    private final BlockStore blocks;
    private final boolean readOnly;
    private final FsBackend fs;
    private final AttrOps attrs;
    private final DataOps data;
    private final NamespaceOps names;
    private final DirectoryOps dirs;
    private final XattrOps xattrs;
    private final SpaceOps space;
    private final ChangeNotifier changes = new ChangeNotifier();

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
        this.fs = new FsBackend(meta, blocks, readOnly, clock);
        this.attrs = new AttrOps(fs);
        this.data = new DataOps(fs);
        this.names = new NamespaceOps(fs, attrs);
        this.dirs = new DirectoryOps(fs);
        this.xattrs = new XattrOps(fs);
        this.space = new SpaceOps(fs, data);
        names.ensureRoot(0755, 0, 0);
    }

    /** Extended attributes of this share's objects (RFC 8276; SMB EAs). */
    public XattrOps xattrs() {
        return xattrs;
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

    /** The change-event hook: every successful namespace, attribute and data change of this share. */
    public ChangeNotifier changes() {
        return changes;
    }

    // ---------------------------------------------------------------- attributes

    public Inode getattr(long id) {
        return fs.getattr(id);
    }

    /**
     * Bytes of storage {@code n} takes (NFSv3 {@code used}, NFSv4 {@code space_used}, SMB
     * {@code AllocationSize}): for a regular file what its block store holds for it
     * ({@link BlockStore#spaceUsed}, so holes do not count), for other objects the size rounded
     * up to 4 KiB. Cheap enough for every GETATTR: stores answer from memory where they can.
     */
    public long spaceUsed(Inode n) {
        return n.type() == FileType.REGULAR ? blocks.spaceUsed(n.id(), n.size())
                : BlockStore.roundUpToSpaceUnit(n.size());
    }

    /**
     * Changes attributes. {@code guardCtime} (or -1) must equal the current ctime (RFC 1813
     * section 3.3.2 {@code sattrguard3}), else NOT_SYNC.
     */
    public Wcc setattr(AuthContext ctx, long id, SetAttr sa, long guardCtime) {
        Wcc w = attrs.setattr(ctx, id, sa, guardCtime);
        if (changes.active() && !sa.isEmpty()) {
            changes.modified(id, w.after() != null && w.after().isDirectory(), ChangeNotifier.changesOf(sa));
        }
        return w;
    }

    /** The rwx bits (0..7) the caller holds on the object, for ACCESS. */
    public int access(AuthContext ctx, long id) {
        return attrs.access(ctx, id);
    }

    /** {@link #access(AuthContext, long)} for attributes the caller already holds. */
    public int access(AuthContext ctx, Inode n) {
        return attrs.access(ctx, n);
    }

    // ---------------------------------------------------------------- lookup

    /** Resolves {@code name} in {@code dir}; "." and ".." included. Needs search (x) permission. */
    public Inode lookup(AuthContext ctx, long dirId, String name) {
        return dirs.lookup(ctx, dirId, name);
    }

    public String readlink(AuthContext ctx, long id) {
        return dirs.readlink(ctx, id);
    }

    /**
     * Lists up to {@code max} entries after {@code cookie} (0 = from the start; "." and ".."
     * come first). Cookies stay valid while entries come and go.
     */
    public DirPage readdir(AuthContext ctx, long dirId, long cookie, int max, boolean withAttrs) {
        return dirs.readdir(ctx, dirId, cookie, max, withAttrs);
    }

    // ---------------------------------------------------------------- data

    /**
     * Reads into {@code dst} (whose size is the requested count) from {@code offset}; returns how
     * many bytes were filled from the start of {@code dst} and whether the end of file was reached.
     */
    public Read read(AuthContext ctx, long id, long offset, MemorySegment dst) {
        return data.read(ctx, id, offset, dst);
    }

    /**
     * Reads {@code count} bytes from {@code offset} as a region of the block store, to be sent to
     * a socket without a user-space copy; null when the store offers no region for them (or there
     * is nothing to read), in which case nothing was done and the caller uses {@link #read}.
     */
    public Results.RegionRead readRegion(AuthContext ctx, long id, long offset, int count) {
        return data.readRegion(ctx, id, offset, count);
    }

    /** Writes {@code src} at {@code offset}; FILE_SYNC/DATA_SYNC make data durable before returning. */
    public Written write(AuthContext ctx, long id, long offset, MemorySegment src, Stability stability) {
        Written w = data.write(ctx, id, offset, src, stability);
        if (changes.active()) {
            changes.modified(id, false, ChangeEvent.SIZE | ChangeEvent.LAST_WRITE);
        }
        return w;
    }

    /** Makes all earlier writes of the file durable (COMMIT). */
    public Inode commit(AuthContext ctx, long id) {
        return data.commit(ctx, id);
    }

    // ---------------------------------------------------------------- space (NFSv4.2, RFC 7862)

    /**
     * Reserves space for {@code [offset, offset + length)} where the block store can, and grows the
     * size to the range's end if it lies past it (ALLOCATE, RFC 7862 section 15.1). Needs write permission.
     */
    public Wcc allocate(AuthContext ctx, long id, long offset, long length) {
        return dataChanged(id, space.allocate(ctx, id, offset, length));
    }

    /**
     * Makes {@code [offset, offset + length)} a hole: it reads as zeros and the store frees its
     * space where it can; the size never changes and nothing past it is touched (DEALLOCATE,
     * RFC 7862 section 15.4). Needs write permission; durable when this returns.
     */
    public Wcc deallocate(AuthContext ctx, long id, long offset, long length) {
        return dataChanged(id, space.deallocate(ctx, id, offset, length));
    }

    /** The first data ({@code data}) or hole at or after {@code offset} (SEEK, RFC 7862 section 15.11). Needs read permission. */
    public Results.Seek seek(AuthContext ctx, long id, long offset, boolean data) {
        return space.seek(ctx, id, offset, data);
    }

    /**
     * Copies {@code count} bytes from {@code src} at {@code srcOffset} to {@code dst} at
     * {@code dstOffset} through the caller's {@code buffer}, keeping holes (COPY, RFC 7862
     * section 15.2, intra-server and synchronous); durable when this returns.
     */
    public Results.Copied copy(AuthContext ctx, long src, long srcOffset, long dst, long dstOffset, long count,
                               MemorySegment buffer) {
        Results.Copied c = space.copy(ctx, src, srcOffset, dst, dstOffset, count, buffer);
        dataChanged(dst, c);
        return c;
    }

    /** Tells change watchers that {@code id}'s data (and maybe size) changed; returns {@code result}. */
    private <T> T dataChanged(long id, T result) {
        if (changes.active()) {
            changes.modified(id, false, ChangeEvent.SIZE | ChangeEvent.LAST_WRITE);
        }
        return result;
    }

    // ---------------------------------------------------------------- namespace

    /** How CREATE treats an existing name (RFC 1813 section 3.3.8 {@code createmode3}). */
    public enum CreateMode { UNCHECKED, GUARDED, EXCLUSIVE }

    public Created create(AuthContext ctx, long dirId, String name, SetAttr sa, CreateMode how, long verifier) {
        Created c = names.create(ctx, dirId, name, sa, how, verifier);
        if (changes.active()) {
            if (c.dir().before() != c.dir().after()) { // an existing file comes back with its directory unchanged
                changes.added(dirId, name, c.child());
            } else if (sa.size() >= 0) {
                changes.modified(c.child().id(), false, ChangeEvent.SIZE | ChangeEvent.LAST_WRITE);
            }
        }
        return c;
    }

    public Created mkdir(AuthContext ctx, long dirId, String name, SetAttr sa) {
        return added(dirId, name, names.mkdir(ctx, dirId, name, sa));
    }

    public Created symlink(AuthContext ctx, long dirId, String name, String target, SetAttr sa) {
        return added(dirId, name, names.symlink(ctx, dirId, name, target, sa));
    }

    private Created added(long dirId, String name, Created c) {
        if (changes.active()) {
            changes.added(dirId, name, c.child());
        }
        return c;
    }

    /** Creates a device node, FIFO or socket (metadata only). Devices need root. */
    public Created mknod(AuthContext ctx, long dirId, String name, FileType type, long rdev, SetAttr sa) {
        return added(dirId, name, names.mknod(ctx, dirId, name, type, rdev, sa));
    }

    /** Removes a non-directory entry (unlink). */
    public Wcc remove(AuthContext ctx, long dirId, String name) {
        Wcc w = names.remove(ctx, dirId, name);
        if (changes.active()) {
            changes.removed(dirId, name, -1, false);
        }
        return w;
    }

    /** Removes an empty directory. */
    public Wcc rmdir(AuthContext ctx, long dirId, String name) {
        long id = -1;
        if (changes.active()) { // watchers of the directory itself learn it went
            try {
                id = dirs.lookup(AuthContext.ROOT, dirId, name).id();
            } catch (FsException e) {
                id = -1; // rmdir itself reports the error
            }
        }
        Wcc w = names.rmdir(ctx, dirId, name);
        if (changes.active()) {
            changes.removed(dirId, name, id, true);
        }
        return w;
    }

    public Renamed rename(AuthContext ctx, long fromDirId, String fromName, long toDirId, String toName) {
        Inode moved = null;
        if (changes.active()) {
            try {
                moved = dirs.lookup(AuthContext.ROOT, fromDirId, fromName);
            } catch (FsException e) {
                moved = null; // the rename itself reports the error
            }
        }
        Renamed r = names.rename(ctx, fromDirId, fromName, toDirId, toName);
        if (moved != null && changes.active()) {
            changes.renamed(fromDirId, fromName, toDirId, toName, moved.id(), moved.isDirectory());
        }
        return r;
    }

    public Linked link(AuthContext ctx, long fileId, long dirId, String name) {
        Linked l = names.link(ctx, fileId, dirId, name);
        if (changes.active()) {
            changes.added(dirId, name, l.file());
        }
        return l;
    }

    // ---------------------------------------------------------------- file system

    /** The largest file size this share can hold (its block store's {@link BlockStore#maxFileSize}). */
    public long maxFileSize() {
        return blocks.maxFileSize();
    }

    /**
     * Space and inode figures for FSSTAT: never negative, {@code free <= total} and
     * {@code used <= total} (a store reporting more used than capacity gets total = used).
     */
    public FsStat fsstat() {
        long cap = blocks.capacityBytes();
        long used = Math.max(0, blocks.usedBytes());
        MetadataStore.StoreStats s = meta.stats();
        long total = Math.max(used, cap > 0 ? cap : 1L << 50);
        long free = total - used;
        long files = s.files() >= 0 ? s.files() : 0;
        long freeFiles = s.freeFiles() >= 0 ? s.freeFiles() : (1L << 40);
        long totalFiles = freeFiles > Long.MAX_VALUE - files ? Long.MAX_VALUE : files + freeFiles;
        return new FsStat(total, free, totalFiles, freeFiles);
    }
}
