package io.dittofs.protocols.nfs.v3;

import io.dittofs.core.AuthContext;
import io.dittofs.core.FileSystem;
import io.dittofs.core.FileSystem.CreateMode;
import io.dittofs.core.FileType;
import io.dittofs.core.FsError;
import io.dittofs.core.FsException;
import io.dittofs.core.Inode;
import io.dittofs.core.Permissions;
import io.dittofs.core.Results;
import io.dittofs.core.SetAttr;
import io.dittofs.core.Share;
import io.dittofs.core.ShareRegistry;
import io.dittofs.core.Stability;
import io.dittofs.core.lock.Delegations;
import io.dittofs.core.lock.FileKey;
import io.dittofs.protocols.errmap.ErrorMap;
import io.dittofs.protocols.errmap.StatusNames;
import io.dittofs.protocols.nfs.FileHandles;
import io.dittofs.protocols.rpc.RpcCall;
import io.dittofs.protocols.rpc.RpcProgram;
import io.dittofs.protocols.xdr.BadXdrException;
import io.dittofs.protocols.xdr.XdrDecoder;
import io.dittofs.protocols.xdr.XdrEncoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.foreign.MemorySegment;
import java.security.SecureRandom;

import static io.dittofs.protocols.nfs.v3.Nfs3Xdr.postOpAttr;
import static io.dittofs.protocols.nfs.v3.Nfs3Xdr.wcc;
import static io.dittofs.protocols.nfs.v3.Nfs3Xdr.wccAfter;

/**
 * NFS version 3 (RFC 1813), program 100003: all 22 procedures. Each procedure decodes its
 * arguments, calls {@link FileSystem} and encodes the result; {@link FsException} becomes an
 * {@code nfsstat3} through {@link ErrorMap} in {@link #fail}, the one place this program maps
 * errors. Thread-safe.
 */
public final class Nfs3Program implements RpcProgram {
    private static final Logger LOG = LoggerFactory.getLogger(Nfs3Program.class);
    public static final int PROGRAM = 100003;
    static final int NFS3_OK = 0;
    /** rtmax/wtmax: 1 MiB transfers. */
    static final int MAX_IO = 1024 * 1024;

    static final int NULL = 0;
    static final int GETATTR = 1;
    static final int SETATTR = 2;
    static final int LOOKUP = 3;
    static final int ACCESS = 4;
    static final int READLINK = 5;
    static final int READ = 6;
    static final int WRITE = 7;
    static final int CREATE = 8;
    static final int MKDIR = 9;
    static final int SYMLINK = 10;
    static final int MKNOD = 11;
    static final int REMOVE = 12;
    static final int RMDIR = 13;
    static final int RENAME = 14;
    static final int LINK = 15;
    static final int READDIR = 16;
    static final int READDIRPLUS = 17;
    static final int FSSTAT = 18;
    static final int FSINFO = 19;
    static final int PATHCONF = 20;
    static final int COMMIT = 21;
    private static final String[] NAMES = {"NULL", "GETATTR", "SETATTR", "LOOKUP", "ACCESS", "READLINK", "READ",
        "WRITE", "CREATE", "MKDIR", "SYMLINK", "MKNOD", "REMOVE", "RMDIR", "RENAME", "LINK", "READDIR",
        "READDIRPLUS", "FSSTAT", "FSINFO", "PATHCONF", "COMMIT"};

    /**
     * Decides, before the access policy, whether a call from this client may use a share at all:
     * the control plane's export options (allowed client addresses, privileged source port).
     * Implementations are thread-safe.
     */
    @FunctionalInterface
    public interface CallPolicy {
        /**
         * @throws FsException to refuse the call: {@link FsError#ACCESS_DENIED} (NFS3ERR_ACCES) for a
         *                     client not allowed, {@link FsError#NOT_OWNER} (NFS3ERR_PERM, what knfsd
         *                     returns for an insecure source port) for a source port refused
         */
        void check(RpcCall call, Share share);

        CallPolicy ALLOW_ALL = (c, s) -> {
        };
    }

    private final ShareRegistry shares;
    private final CallPolicy callPolicy;
    private final long writeVerifier;
    private volatile Delegations delegations;
    private final Nfs3DirOps dirOps = new Nfs3DirOps(this);

    /** A resolved file handle: the share, the caller as the share sees it, and the inode. */
    record Target(Share share, AuthContext ctx, long id, boolean canWrite) {
        FileSystem fs() {
            return share.fs();
        }

        byte[] handle(long inode) {
            return FileHandles.encode(share.id(), inode);
        }
    }

    public Nfs3Program(ShareRegistry shares) {
        this(shares, CallPolicy.ALLOW_ALL);
    }

    /** A program whose calls pass {@code callPolicy} before they touch a share. */
    public Nfs3Program(ShareRegistry shares, CallPolicy callPolicy) {
        this.shares = shares;
        this.callPolicy = callPolicy;
        // changes on every server start, so clients resend uncommitted UNSTABLE writes (RFC 1813 3.3.7)
        this.writeVerifier = new SecureRandom().nextLong() ^ System.nanoTime();
    }

    /**
     * Read delegations (NFSv4) and leases other protocols hold: SETATTR, WRITE, REMOVE and RENAME of such
     * a file recall them first and answer NFS3ERR_JUKEBOX meanwhile. Null: none consulted.
     */
    public void useDelegations(Delegations d) {
        this.delegations = d;
    }

    /** Recalls other protocols' delegations of the inode; throws JUKEBOX while any is held. */
    private void beforeChange(Target t, long inode) {
        Delegations d = delegations;
        if (d != null) {
            d.breakFor(new FileKey(t.share().id(), inode), null, null);
        }
    }

    /** As {@link #beforeChange(Target, long)} for a directory entry, if it exists. */
    private void beforeChange(Target dir, String name) {
        Delegations d = delegations;
        if (d == null || !d.any()) {
            return;
        }
        try {
            beforeChange(dir, dir.fs().lookup(dir.ctx(), dir.id(), name).id());
        } catch (FsException e) {
            if (e.error() != FsError.NOT_FOUND) {
                throw e;
            }
        }
    }

    public long writeVerifier() {
        return writeVerifier;
    }

    @Override
    public int program() {
        return PROGRAM;
    }

    @Override
    public int lowVersion() {
        return 3;
    }

    @Override
    public int highVersion() {
        return 3;
    }

    @Override
    public boolean hasProcedure(int version, int proc) {
        return proc >= NULL && proc <= COMMIT;
    }

    @Override
    public boolean nonIdempotent(int version, int proc) {
        return switch (proc) {
            case SETATTR, WRITE, CREATE, MKDIR, SYMLINK, MKNOD, REMOVE, RMDIR, RENAME, LINK -> true;
            default -> false;
        };
    }

    @Override
    public String name() {
        return "NFS3";
    }

    @Override
    public String procName(int version, int proc) {
        return proc >= 0 && proc < NAMES.length ? NAMES[proc] : Integer.toString(proc);
    }

    /** Every procedure but NULL returns {@code nfsstat3} first (RFC 1813 section 3.3). */
    @Override
    public String resultStatus(int version, int proc, int status) {
        return proc == NULL ? null : StatusNames.nfs3(status);
    }

    @Override
    public void call(RpcCall call, XdrDecoder a, XdrEncoder r) {
        long start = r.position();
        Target t = null;
        try {
            if (call.proc() == NULL) {
                return;
            }
            t = target(call, a);
            switch (call.proc()) {
                case GETATTR -> getattr(t, r);
                case SETATTR -> setattr(t, a, r);
                case LOOKUP -> lookup(t, a, r);
                case ACCESS -> access(t, a, r);
                case READLINK -> readlink(t, r);
                case READ -> read(t, a, r);
                case WRITE -> write(t, a, r);
                case CREATE -> create(t, a, r);
                case MKDIR -> mkdir(t, a, r);
                case SYMLINK -> symlink(t, a, r);
                case MKNOD -> mknod(t, a, r);
                case REMOVE -> remove(t, a, r, false);
                case RMDIR -> remove(t, a, r, true);
                case RENAME -> rename(call, t, a, r);
                case LINK -> link(call, t, a, r);
                case READDIR -> dirOps.readdir(t, a, r, false);
                case READDIRPLUS -> dirOps.readdir(t, a, r, true);
                case FSSTAT -> fsstat(t, r);
                case FSINFO -> fsinfo(t, r);
                case PATHCONF -> pathconf(t, r);
                case COMMIT -> commit(t, a, r);
                default -> throw new IllegalStateException("unreachable: proc " + call.proc());
            }
        } catch (FsException e) {
            r.position(start);
            fail(call.proc(), t, e, r);
        }
    }

    /** Decodes the first argument of every procedure, the object's handle. */
    Target target(RpcCall call, XdrDecoder a) {
        MemorySegment fh = a.readOpaque(Nfs3Xdr.FH_MAX);
        FileHandles.Handle h = FileHandles.decode(fh);
        Share s = shares.byId(h.shareId());
        if (s == null) {
            throw new FsException(FsError.STALE, "no share " + h.shareId());
        }
        callPolicy.check(call, s); // export options: client addresses, source port
        // the share's access policy (per-user/group permissions) applies to every procedure
        io.dittofs.core.ShareAccess access = s.access().decide(call.auth());
        AuthContext ctx = s.authorize(call.auth(), access, nonIdempotent(3, call.proc()));
        return new Target(s, ctx, h.inode(), access.canWrite());
    }

    /**
     * The failure reply of every procedure: the status and the failure body RFC 1813 gives
     * each one (post-op attributes of the object or wcc data of the directory, without pre-op
     * attributes since the operation changed nothing).
     */
    private void fail(int proc, Target t, FsException e, XdrEncoder r) {
        FsError err = e.error();
        if (err == FsError.SERVER_FAULT || err == FsError.IO) {
            LOG.warn("{} failed: {}", procName(3, proc), e.getMessage(), e);
        } else {
            LOG.debug("{}: {} {}", procName(3, proc), err, e.getMessage());
        }
        r.writeInt(ErrorMap.nfs3(err));
        Inode attr = t == null ? null : attrsOrNull(t);
        Share share = t == null ? null : t.share();
        switch (proc) {
            case GETATTR -> {
            }
            case SETATTR, WRITE, CREATE, MKDIR, SYMLINK, MKNOD, REMOVE, RMDIR, COMMIT -> wccAfter(r, attr, share);
            case RENAME -> {
                wccAfter(r, attr, share);
                wccAfter(r, null, share);
            }
            case LINK -> {
                postOpAttr(r, attr, share);
                wccAfter(r, null, share);
            }
            default -> postOpAttr(r, attr, share); // LOOKUP, ACCESS, READLINK, READ, READDIR(PLUS), FS*
        }
    }

    private static Inode attrsOrNull(Target t) {
        try {
            return t.fs().getattr(t.id());
        } catch (FsException e) {
            return null;
        }
    }

    private void getattr(Target t, XdrEncoder r) {
        Inode n = t.fs().getattr(t.id());
        r.writeInt(NFS3_OK);
        Nfs3Xdr.fattr3(r, n, t.share());
    }

    private void setattr(Target t, XdrDecoder a, XdrEncoder r) {
        SetAttr sa = Nfs3Xdr.sattr3(a);
        long guard = a.readBool() ? Nfs3Xdr.readTime(a) : -1;
        beforeChange(t, t.id());
        Results.Wcc w = t.fs().setattr(t.ctx(), t.id(), sa, guard);
        r.writeInt(NFS3_OK);
        wcc(r, w, t.share());
    }

    private void lookup(Target t, XdrDecoder a, XdrEncoder r) {
        String name = Nfs3Xdr.name(a);
        Inode child = t.fs().lookup(t.ctx(), t.id(), name);
        r.writeInt(NFS3_OK);
        r.writeOpaque(t.handle(child.id()));
        postOpAttr(r, child, t.share());
        postOpAttr(r, attrsOrNull(t), t.share());
    }

    static final int ACCESS3_READ = 0x01;
    static final int ACCESS3_LOOKUP = 0x02;
    static final int ACCESS3_MODIFY = 0x04;
    static final int ACCESS3_EXTEND = 0x08;
    static final int ACCESS3_DELETE = 0x10;
    static final int ACCESS3_EXECUTE = 0x20;

    private void access(Target t, XdrDecoder a, XdrEncoder r) {
        int want = a.readInt();
        Inode n = t.fs().getattr(t.id());
        int g = t.fs().access(t.ctx(), n);
        if (!t.canWrite()) {
            g &= ~Permissions.WRITE; // read-only share access: the client must not offer writes
        }
        int ok = 0;
        if ((g & Permissions.READ) != 0) {
            ok |= ACCESS3_READ;
        }
        if ((g & Permissions.WRITE) != 0) {
            ok |= ACCESS3_MODIFY | ACCESS3_EXTEND | (n.isDirectory() ? ACCESS3_DELETE : 0);
        }
        if ((g & Permissions.EXECUTE) != 0) {
            ok |= n.isDirectory() ? ACCESS3_LOOKUP : ACCESS3_EXECUTE;
        }
        r.writeInt(NFS3_OK);
        postOpAttr(r, n, t.share());
        r.writeInt(want & ok);
    }

    private void readlink(Target t, XdrEncoder r) {
        String target = t.fs().readlink(t.ctx(), t.id());
        r.writeInt(NFS3_OK);
        postOpAttr(r, attrsOrNull(t), t.share());
        r.writeString(target);
    }

    private void read(Target t, XdrDecoder a, XdrEncoder r) {
        // offset3 is unsigned: one of 2^63 or more lies past every file's end (0 bytes, eof), like
        // Linux knfsd, which clamps it to its largest offset
        long offset = a.readLong();
        if (offset < 0) {
            offset = Long.MAX_VALUE;
        }
        int count = (int) Math.min(a.readUnsignedInt(), MAX_IO);
        if (count >= REGION_MIN && r.tailAllowed() && readRegion(t, offset, count, r)) {
            return;
        }
        long p0 = r.position();
        int header = 4 + Nfs3Xdr.POST_OP_ATTR_SIZE + 12;
        r.reserve(header + count); // capacity for the whole reply, so the data slice below stays put
        long dataPos = p0 + header;
        r.position(dataPos);
        MemorySegment dst = r.reserve(count);
        Results.Read res = t.fs().read(t.ctx(), t.id(), offset, dst);
        r.commitReserved(dataPos, res.count());
        long end = r.position();
        r.position(p0);
        r.writeInt(NFS3_OK);
        postOpAttr(r, res.attr(), t.share());
        r.writeInt(res.count());
        r.writeBool(res.eof());
        r.writeInt(res.count());
        r.position(end);
    }

    /**
     * Smallest READ count whose data is sent from the file ({@code sendfile} after the header);
     * below it the data is read into the reply and goes out in the same write as the header
     * (one copy of a few KiB costs less than the extra syscalls and TCP segment).
     */
    static final int REGION_MIN = 16 * 1024;

    /**
     * READ with the data as a region of the block store, sent by the transport from the file to
     * the socket after this header ({@code sendfile}): false, with nothing written, when the store
     * offers no region (memory content, dirty cache data, nothing to read).
     */
    private boolean readRegion(Target t, long offset, int count, XdrEncoder r) {
        Results.RegionRead res = t.fs().readRegion(t.ctx(), t.id(), offset, count);
        if (res == null) {
            return false;
        }
        try {
            r.writeInt(NFS3_OK);
            postOpAttr(r, res.attr(), t.share());
            r.writeInt(res.count());
            r.writeBool(res.eof());
            r.writeInt(res.count()); // opaque data<>: its length; the bytes and padding are the tail
        } catch (RuntimeException | Error e) {
            res.region().close();
            throw e;
        }
        r.tail(res.region());
        return true;
    }

    private void write(Target t, XdrDecoder a, XdrEncoder r) {
        long offset = a.readLong();
        long count = a.readUnsignedInt();
        int how = a.readInt();
        if (how < 0 || how > 2) {
            throw new BadXdrException("stable_how " + how);
        }
        MemorySegment data = a.readOpaque(MAX_IO);
        if (count > data.byteSize()) {
            throw new BadXdrException("count " + count + " larger than data " + data.byteSize());
        }
        Stability st = Stability.values()[how];
        beforeChange(t, t.id());
        Results.Written w = t.fs().write(t.ctx(), t.id(), offset, data.asSlice(0, count), st);
        r.writeInt(NFS3_OK);
        wcc(r, w.file(), t.share());
        r.writeInt(w.count());
        r.writeInt(w.committed().ordinal());
        r.writeLong(writeVerifier);
    }

    private void created(Target t, Results.Created c, XdrEncoder r) {
        r.writeInt(NFS3_OK);
        Nfs3Xdr.postOpFh(r, t.handle(c.child().id()));
        postOpAttr(r, c.child(), t.share());
        wcc(r, c.dir(), t.share());
    }

    private void create(Target t, XdrDecoder a, XdrEncoder r) {
        String name = Nfs3Xdr.name(a);
        int mode = a.readInt();
        if (mode == 0) {
            beforeChange(t, name); // UNCHECKED of an existing file may truncate it
        }
        Results.Created c = switch (mode) {
            case 0, 1 -> t.fs().create(t.ctx(), t.id(), name, Nfs3Xdr.sattr3(a),
                    mode == 0 ? CreateMode.UNCHECKED : CreateMode.GUARDED, 0);
            case 2 -> t.fs().create(t.ctx(), t.id(), name, SetAttr.NONE, CreateMode.EXCLUSIVE, a.readLong());
            default -> throw new BadXdrException("createmode3 " + mode);
        };
        created(t, c, r);
    }

    private void mkdir(Target t, XdrDecoder a, XdrEncoder r) {
        String name = Nfs3Xdr.name(a);
        created(t, t.fs().mkdir(t.ctx(), t.id(), name, Nfs3Xdr.sattr3(a)), r);
    }

    private void symlink(Target t, XdrDecoder a, XdrEncoder r) {
        String name = Nfs3Xdr.name(a);
        SetAttr sa = Nfs3Xdr.sattr3(a);
        String path = Nfs3Xdr.path(a);
        created(t, t.fs().symlink(t.ctx(), t.id(), name, path, sa), r);
    }

    private void mknod(Target t, XdrDecoder a, XdrEncoder r) {
        String name = Nfs3Xdr.name(a);
        int type = a.readInt();
        Results.Created c = switch (type) {
            case 3, 4 -> {
                SetAttr sa = Nfs3Xdr.sattr3(a);
                long rdev = (a.readUnsignedInt() << 32) | a.readUnsignedInt();
                yield t.fs().mknod(t.ctx(), t.id(), name, type == 3 ? FileType.BLOCK_DEVICE : FileType.CHAR_DEVICE, rdev, sa);
            }
            case 6, 7 -> t.fs().mknod(t.ctx(), t.id(), name, type == 6 ? FileType.SOCKET : FileType.FIFO, 0,
                    Nfs3Xdr.sattr3(a));
            case 1, 2, 5 -> throw new FsException(FsError.BAD_TYPE, "mknod of ftype " + type);
            default -> throw new BadXdrException("ftype3 " + type);
        };
        created(t, c, r);
    }

    private void remove(Target t, XdrDecoder a, XdrEncoder r, boolean dir) {
        String name = Nfs3Xdr.name(a);
        beforeChange(t, name);
        Results.Wcc w = dir ? t.fs().rmdir(t.ctx(), t.id(), name) : t.fs().remove(t.ctx(), t.id(), name);
        r.writeInt(NFS3_OK);
        wcc(r, w, t.share());
    }

    private void rename(RpcCall call, Target from, XdrDecoder a, XdrEncoder r) {
        String fromName = Nfs3Xdr.name(a);
        Target to = target(call, a);
        String toName = Nfs3Xdr.name(a);
        if (to.share().id() != from.share().id()) {
            throw new FsException(FsError.CROSS_DEVICE, "rename across shares");
        }
        beforeChange(from, fromName);
        beforeChange(to, toName);
        Results.Renamed rn = from.fs().rename(from.ctx(), from.id(), fromName, to.id(), toName);
        r.writeInt(NFS3_OK);
        wcc(r, rn.from(), from.share());
        wcc(r, rn.to(), from.share());
    }

    private void link(RpcCall call, Target file, XdrDecoder a, XdrEncoder r) {
        Target dir = target(call, a);
        String name = Nfs3Xdr.name(a);
        if (dir.share().id() != file.share().id()) {
            throw new FsException(FsError.CROSS_DEVICE, "link across shares");
        }
        Results.Linked l = file.fs().link(file.ctx(), file.id(), dir.id(), name);
        r.writeInt(NFS3_OK);
        postOpAttr(r, l.file(), file.share());
        wcc(r, l.dir(), file.share());
    }

    private void fsstat(Target t, XdrEncoder r) {
        Inode n = t.fs().getattr(t.id());
        Results.FsStat s = t.fs().fsstat();
        r.writeInt(NFS3_OK);
        postOpAttr(r, n, t.share());
        r.writeLong(s.totalBytes());
        r.writeLong(s.freeBytes());
        r.writeLong(s.freeBytes());
        r.writeLong(s.totalFiles());
        r.writeLong(s.freeFiles());
        r.writeLong(s.freeFiles());
        r.writeInt(0); // invarsec
    }

    private void fsinfo(Target t, XdrEncoder r) {
        Inode n = t.fs().getattr(t.id());
        r.writeInt(NFS3_OK);
        postOpAttr(r, n, t.share());
        r.writeInt(MAX_IO); // rtmax
        r.writeInt(MAX_IO); // rtpref
        r.writeInt(4096); // rtmult
        r.writeInt(MAX_IO); // wtmax
        r.writeInt(MAX_IO); // wtpref
        r.writeInt(4096); // wtmult
        r.writeInt(64 * 1024); // dtpref
        r.writeLong(t.fs().maxFileSize()); // what the share's block store can hold (WRITE/SETATTR past it: FBIG)
        r.writeInt(0); // time_delta: 1 ns
        r.writeInt(1);
        r.writeInt(0x0001 | 0x0002 | 0x0008 | 0x0010); // LINK | SYMLINK | HOMOGENEOUS | CANSETTIME
    }

    private void pathconf(Target t, XdrEncoder r) {
        Inode n = t.fs().getattr(t.id());
        r.writeInt(NFS3_OK);
        postOpAttr(r, n, t.share());
        r.writeInt(FileSystem.LINK_MAX);
        r.writeInt(io.dittofs.core.Names.NAME_MAX);
        r.writeBool(true); // no_trunc
        r.writeBool(true); // chown_restricted
        r.writeBool(false); // case_insensitive
        r.writeBool(true); // case_preserving
    }

    private void commit(Target t, XdrDecoder a, XdrEncoder r) {
        a.readLong(); // offset
        a.readInt(); // count: the whole file is committed
        Inode before = t.fs().getattr(t.id());
        Inode after = t.fs().commit(t.ctx(), t.id());
        r.writeInt(NFS3_OK);
        wcc(r, new Results.Wcc(before, after), t.share());
        r.writeLong(writeVerifier);
    }
}
