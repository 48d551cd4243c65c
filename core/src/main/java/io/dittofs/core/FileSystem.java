package io.dittofs.core;

import io.dittofs.core.Results.Created;
import io.dittofs.core.Results.DirPage;
import io.dittofs.core.Results.FsStat;
import io.dittofs.core.Results.Linked;
import io.dittofs.core.Results.Read;
import io.dittofs.core.Results.Renamed;
import io.dittofs.core.Results.Wcc;
import io.dittofs.core.Results.Written;
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
 * {@link DirectoryOps} (LOOKUP, READLINK, READDIR). Thread-safe.
 */
public final class FileSystem {
    /** Directory size as reported to clients. */
    static final long DIR_SIZE = 4096;
    /** Most hard links one object may have. */
    public static final int LINK_MAX = 65000;

    private final MetadataStore meta;
    private final BlockStore blocks;
    private final boolean readOnly;
    private final Clock clock;
    private final FsBackend fs;
    private final AttrOps attrs;
    private final DataOps data;
    private final NamespaceOps names;
    private final DirectoryOps dirs;
    private final SpaceOps space;

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
        this.fs = new FsBackend(meta, blocks, readOnly, clock);
        this.attrs = new AttrOps(fs);
        this.data = new DataOps(fs);
        this.names = new NamespaceOps(fs, attrs);
        this.dirs = new DirectoryOps(fs);
        this.space = new SpaceOps(fs, data);
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
        return fs.getattr(id);
    }

    /**
     * Changes attributes. {@code guardCtime} (or -1) must equal the current ctime (RFC 1813
     * section 3.3.2 {@code sattrguard3}), else NOT_SYNC.
     */
    public Wcc setattr(AuthContext ctx, long id, SetAttr sa, long guardCtime) {
        return attrs.setattr(ctx, id, sa, guardCtime);
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
        return data.write(ctx, id, offset, src, stability);
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
        return space.allocate(ctx, id, offset, length);
    }

    /**
     * Makes {@code [offset, offset + length)} a hole: it reads as zeros and the store frees its
     * space where it can; the size never changes and nothing past it is touched (DEALLOCATE,
     * RFC 7862 section 15.4). Needs write permission; durable when this returns.
     */
    public Wcc deallocate(AuthContext ctx, long id, long offset, long length) {
        return space.deallocate(ctx, id, offset, length);
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
        return space.copy(ctx, src, srcOffset, dst, dstOffset, count, buffer);
    }

    // ---------------------------------------------------------------- namespace

    /** How CREATE treats an existing name (RFC 1813 section 3.3.8 {@code createmode3}). */
    public enum CreateMode { UNCHECKED, GUARDED, EXCLUSIVE }

    public Created create(AuthContext ctx, long dirId, String name, SetAttr sa, CreateMode how, long verifier) {
        return names.create(ctx, dirId, name, sa, how, verifier);
    }

    public Created mkdir(AuthContext ctx, long dirId, String name, SetAttr sa) {
        return names.mkdir(ctx, dirId, name, sa);
    }

    public Created symlink(AuthContext ctx, long dirId, String name, String target, SetAttr sa) {
        return names.symlink(ctx, dirId, name, target, sa);
    }

    /** Creates a device node, FIFO or socket (metadata only). Devices need root. */
    public Created mknod(AuthContext ctx, long dirId, String name, FileType type, long rdev, SetAttr sa) {
        return names.mknod(ctx, dirId, name, type, rdev, sa);
    }

    /** Removes a non-directory entry (unlink). */
    public Wcc remove(AuthContext ctx, long dirId, String name) {
        return names.remove(ctx, dirId, name);
    }

    /** Removes an empty directory. */
    public Wcc rmdir(AuthContext ctx, long dirId, String name) {
        return names.rmdir(ctx, dirId, name);
    }

    public Renamed rename(AuthContext ctx, long fromDirId, String fromName, long toDirId, String toName) {
        return names.rename(ctx, fromDirId, fromName, toDirId, toName);
    }

    public Linked link(AuthContext ctx, long fileId, long dirId, String name) {
        return names.link(ctx, fileId, dirId, name);
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
