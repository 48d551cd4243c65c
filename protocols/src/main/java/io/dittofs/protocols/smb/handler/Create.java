package io.dittofs.protocols.smb.handler;

import io.dittofs.core.AuthContext;
import io.dittofs.core.FileSystem;
import io.dittofs.core.Inode;
import io.dittofs.core.SetAttr;
import io.dittofs.core.lock.FileKey;
import io.dittofs.protocols.smb.ConnState;
import io.dittofs.protocols.smb.NtStatus;
import io.dittofs.protocols.smb.Open;
import io.dittofs.protocols.smb.SmbCommand;
import io.dittofs.protocols.smb.SmbRequest;
import io.dittofs.protocols.smb.SmbStatusException;
import io.dittofs.protocols.smb.TreeConnect;
import io.dittofs.protocols.smb.codec.SmbDecoder;
import io.dittofs.protocols.smb.codec.SmbEncoder;
import io.dittofs.protocols.smb.dcerpc.SrvsvcPipe;

import java.util.Locale;

/**
 * CREATE (MS-SMB2 2.2.13, 2.2.14, 3.3.5.9): opens or creates a file or directory by its
 * share-relative path with the six create dispositions, the DIRECTORY_FILE / NON_DIRECTORY_FILE /
 * DELETE_ON_CLOSE options, the share's access level and the POSIX permissions of the caller, share
 * modes ({@link ShareModes}: STATUS_SHARING_VIOLATION, also against NFSv4 opens), delete pending
 * (STATUS_DELETE_PENDING) and case-insensitive names ({@link Paths}); on IPC$ opens the
 * {@code srvsvc} named pipe. The {@code ExtA} create context gives a created or overwritten file
 * its EAs ({@link ExtendedAttributes}), {@code SecD} its security descriptor; other create contexts
 * are accepted and not answered. An open for writing first waits for NFSv4 delegations of the file
 * to be returned.
 * Stateless; thread-safe.
 */
public final class Create implements SmbCommand {
    static final int SUPERSEDE = 0;
    static final int OPEN = 1;
    static final int CREATE = 2;
    static final int OPEN_IF = 3;
    static final int OVERWRITE = 4;
    static final int OVERWRITE_IF = 5;
    static final int OPT_DIRECTORY = 0x1;
    static final int OPT_NON_DIRECTORY = 0x40;
    static final int OPT_DELETE_ON_CLOSE = 0x1000;
    static final int ACTION_SUPERSEDED = 0;
    static final int ACTION_OPENED = 1;
    static final int ACTION_CREATED = 2;
    static final int ACTION_OVERWRITTEN = 3;
    /** ImpersonationLevel runs from Anonymous (0) to Delegate (3), MS-SMB2 2.2.13. */
    static final long MAX_IMPERSONATION = 3;
    /** How long a create for writing waits for NFSv4 delegations of the file to be returned. */
    static final java.time.Duration DELEGATION_BREAK_WAIT = java.time.Duration.ofSeconds(5);

    /** The decoded CREATE request fields this handler acts on. */
    private record Req(int desired, int attributes, int shareAccess, int disposition, int options, String name) {
        boolean has(int option) {
            return (options & option) != 0;
        }
    }

    @Override
    public int execute(SmbRequest r, SmbEncoder out) {
        r.structureSize(57);
        SmbDecoder in = r.in();
        String name = in.u16(110) == 0 ? "" : in.utf16(in.u16(108), in.u16(110), Paths.MAX_PATH_CHARS);
        Req q = new Req(in.i32(88), in.i32(92), in.i32(96), in.i32(100), in.i32(104), name);
        if (q.disposition() < SUPERSEDE || q.disposition() > OVERWRITE_IF
                || q.has(OPT_DIRECTORY) && q.has(OPT_NON_DIRECTORY)
                || q.has(OPT_DIRECTORY) && q.disposition() != OPEN && q.disposition() != CREATE
                        && q.disposition() != OPEN_IF
                || (q.shareAccess() & ~ShareModes.SHARE_ALL) != 0
                || name.startsWith("\\")) {
            return NtStatus.INVALID_PARAMETER; // MS-SMB2 3.3.5.9, MS-FSA 2.1.5.1; a name is relative to the share
        }
        if (in.u32(68) > MAX_IMPERSONATION) {
            return NtStatus.BAD_IMPERSONATION_LEVEL;
        }
        if (r.tree().isIpc()) {
            return openPipe(r, out, name, q.desired());
        }
        return openFile(r, out, q);
    }

    private static int openFile(SmbRequest r, SmbEncoder out, Req q) {
        TreeConnect tree = r.tree();
        java.util.List<ExtendedAttributes.Ea> eas = ExtendedAttributes.fromCreate(r.in());
        int granted = Access.map(q.desired());
        boolean maxAllowed = (q.desired() & Access.MAXIMUM_ALLOWED) != 0;
        boolean deleteOnClose = q.has(OPT_DELETE_ON_CLOSE);
        if (deleteOnClose && (granted & Access.DELETE) == 0 && !maxAllowed) {
            return NtStatus.ACCESS_DENIED;
        }
        boolean canWrite = tree.access().canWrite() && !tree.share().fs().readOnly();
        if (((granted & Access.WRITE_BITS) != 0 || deleteOnClose) && !canWrite) {
            return NtStatus.ACCESS_DENIED;
        }
        AuthContext ctx = tree.authorize(false);
        FileSystem fs = tree.share().fs();
        Paths.Resolved p = Paths.resolve(fs, ctx, q.name());
        Inode n;
        if (p.isRoot()) {
            n = fs.getattr(fs.rootId());
        } else {
            Paths.Found f = Paths.find(fs, ctx, p.parent(), p.name());
            n = f == null ? null : f.inode();
            p = f == null ? p : p.withName(f.name());
        }
        if (deleteOnClose && p.isRoot()) {
            return NtStatus.ACCESS_DENIED;
        }
        int action = ACTION_OPENED;
        if (n != null) {
            int status = checkExisting(r.conn(), tree, q, n, granted, maxAllowed, ctx);
            if (status != NtStatus.SUCCESS) {
                return status;
            }
            if (!n.isDirectory() && (overwrites(q.disposition()) || (granted & (Access.WRITE_DATA_BITS | Access.DELETE)) != 0)) {
                // NFSv4 delegations of the file are recalled first; the create waits for that, as for a lease break
                r.conn().services().locks().delegations().breakAndWait(new FileKey(tree.share().id(), n.id()), "smb",
                        null, DELEGATION_BREAK_WAIT);
            }
            if (maxAllowed) {
                granted |= Access.maximal(canWrite, n.isDirectory() ? 7 : fs.access(ctx, n));
            }
        } else {
            n = createNew(r, tree, q, p, canWrite);
            ExtendedAttributes.applyOnCreate(fs, tree.authorize(true), n.id(), eas);
            action = ACTION_CREATED;
            if (maxAllowed) {
                granted |= Access.maximal(true, 7);
            }
        }
        ConnState conn = r.conn();
        Open o = new Open(conn.nextFileId(), tree, n.id(), p.parent(), p.name(), p.path(), n.isDirectory(),
                granted, null);
        int status = ShareModes.admit(conn.services(), o, q.shareAccess());
        if (status != NtStatus.SUCCESS) {
            return status;
        }
        if (action == ACTION_OPENED && overwrites(q.disposition())) {
            try {
                n = truncate(tree, n, canWrite);
                ExtendedAttributes.applyOnCreate(fs, tree.authorize(true), n.id(), eas);
            } catch (RuntimeException e) {
                ShareModes.release(conn.services(), o);
                throw e;
            }
            action = q.disposition() == SUPERSEDE ? ACTION_SUPERSEDED : ACTION_OVERWRITTEN;
        }
        o.deleteOnClose(deleteOnClose);
        conn.addOpen(o);
        r.compound().fileId(o.fileId());
        writeResponse(out, action, fs, n, o.fileId());
        return NtStatus.SUCCESS;
    }

    private static final int SECD = 0x53656344; // "SecD" (MS-SMB2 2.2.13.2)
    private static final int MAX_CONTEXTS = 64;

    /**
     * The data of the create context named {@code tag} (a 4-character name, MS-SMB2 2.2.13.2), or
     * null; every offset and length is bounds-checked against the request.
     */
    static SmbDecoder context(SmbDecoder in, int tag) {
        long off = in.u32(112);
        long len = in.u32(116);
        if (off == 0 || len == 0) {
            return null;
        }
        SmbDecoder c = new SmbDecoder(in.slice(off, len));
        long at = 0;
        for (int i = 0; i < MAX_CONTEXTS; i++) {
            long next = c.u32(at);
            int nameOff = c.u16(at + 4);
            int nameLen = c.u16(at + 6);
            int dataOff = c.u16(at + 10);
            long dataLen = c.u32(at + 12);
            if (nameLen == 4 && Integer.reverseBytes(c.i32(at + nameOff)) == tag) {
                return new SmbDecoder(c.slice(at + dataOff, dataLen));
            }
            if (next == 0) {
                return null;
            }
            at += next;
        }
        return null;
    }

    private static void removeNew(FileSystem fs, AuthContext ctx, Paths.Resolved p, Inode n) {
        if (n.isDirectory()) {
            fs.rmdir(ctx, p.parent(), p.name());
        } else {
            fs.remove(ctx, p.parent(), p.name());
        }
    }

    /** Creates the file or directory CREATE names (it does not exist); the new inode. */
    private static Inode createNew(SmbRequest r, TreeConnect tree, Req q, Paths.Resolved p, boolean canWrite) {
        if (q.disposition() == OPEN || q.disposition() == OVERWRITE) {
            throw new SmbStatusException(NtStatus.OBJECT_NAME_NOT_FOUND, "no such file");
        }
        if (!canWrite) {
            throw denied("create on a read-only share");
        }
        if (q.has(OPT_DELETE_ON_CLOSE) && (q.attributes() & Attrs.READONLY) != 0) {
            throw new SmbStatusException(NtStatus.CANNOT_DELETE, "delete-on-close of a read-only file");
        }
        FileSystem fs = tree.share().fs();
        AuthContext wctx = tree.authorize(true);
        Inode n = q.has(OPT_DIRECTORY) ? fs.mkdir(wctx, p.parent(), p.name(), SetAttr.mode(0755)).child()
                : fs.create(wctx, p.parent(), p.name(), SetAttr.mode(0644), FileSystem.CreateMode.GUARDED, 0).child();
        SmbDecoder sd = context(r.in(), SECD);
        if (sd != null) {
            int status = Security.apply(wctx, fs, n.id(), sd, Security.DACL);
            if (status != NtStatus.SUCCESS) {
                removeNew(fs, wctx, p, n);
                throw new SmbStatusException(status, "bad SecD create context");
            }
            n = fs.getattr(n.id());
        }
        return n;
    }

    private static boolean overwrites(int disposition) {
        return disposition == SUPERSEDE || disposition == OVERWRITE || disposition == OVERWRITE_IF;
    }

    /** The checks on an existing file before it is opened (MS-FSA 2.1.5.1.2.1); SUCCESS when it may be. */
    private static int checkExisting(ConnState conn, TreeConnect tree, Req q, Inode n, int granted,
                                     boolean maxAllowed, AuthContext ctx) {
        FileSystem fs = tree.share().fs();
        if (conn.services().openFiles().deletePending(new FileKey(tree.share().id(), n.id()))) {
            return NtStatus.DELETE_PENDING;
        }
        if (q.disposition() == CREATE) {
            return NtStatus.OBJECT_NAME_COLLISION;
        }
        if (q.has(OPT_DIRECTORY) && !n.isDirectory()) {
            return NtStatus.NOT_A_DIRECTORY;
        }
        if (q.has(OPT_NON_DIRECTORY) && n.isDirectory()) {
            return NtStatus.FILE_IS_A_DIRECTORY;
        }
        if (n.isDirectory() && overwrites(q.disposition())) {
            return NtStatus.INVALID_PARAMETER;
        }
        if (q.has(OPT_DELETE_ON_CLOSE)) {
            if ((Attrs.attributes(n) & Attrs.READONLY) != 0) {
                return NtStatus.CANNOT_DELETE; // a read-only file cannot be deleted (MS-FSA 2.1.5.1.2.1)
            }
            if (n.isDirectory() && !emptyDirectory(fs, ctx, n.id())) {
                return NtStatus.DIRECTORY_NOT_EMPTY;
            }
        }
        if (!n.isDirectory() && !maxAllowed) {
            int bits = fs.access(ctx, n);
            if ((granted & Access.READ_DATA_BITS) != 0 && (bits & 4) == 0
                    || (granted & Access.WRITE_DATA_BITS) != 0 && (bits & 2) == 0) {
                return NtStatus.ACCESS_DENIED;
            }
        }
        return NtStatus.SUCCESS;
    }

    private static Inode truncate(TreeConnect tree, Inode n, boolean canWrite) {
        if (!canWrite) {
            throw denied("overwrite on a read-only share");
        }
        return tree.share().fs().setattr(tree.authorize(true), n.id(), new SetAttr(-1, -1, -1, 0,
                SetAttr.TimeSet.DONT_CHANGE, SetAttr.TimeSet.DONT_CHANGE), -1).after();
    }

    /** Whether a directory has no entries but "." and "..". */
    static boolean emptyDirectory(FileSystem fs, AuthContext ctx, long dir) {
        for (var e : fs.readdir(ctx, dir, 0, 3, false).entries()) {
            if (!e.name().equals(".") && !e.name().equals("..")) {
                return false;
            }
        }
        return true;
    }

    private static void writeResponse(SmbEncoder out, int action, FileSystem fs, Inode n, long fileId) {
        out.u16(89).u8(0).u8(0).u32(action);
        Attrs.times(out, n);
        out.u64(Attrs.allocation(fs, n)).u64(Attrs.endOfFile(n)).u32(Attrs.attributes(n)).u32(0)
                .u64(fileId).u64(fileId).u32(0).u32(0);
    }

    private static int openPipe(SmbRequest r, SmbEncoder out, String name, int desired) {
        String pipe = Paths.normalize(name).toLowerCase(Locale.ROOT);
        if (!pipe.equals("srvsvc")) {
            return NtStatus.OBJECT_NAME_NOT_FOUND;
        }
        ConnState conn = r.conn();
        SrvsvcPipe srvsvc = new SrvsvcPipe(() -> SmbShares.list(conn.shares()));
        Open o = new Open(conn.nextFileId(), r.tree(), 0, 0, pipe, pipe, false, Access.map(desired), srvsvc);
        conn.addOpen(o);
        r.compound().fileId(o.fileId());
        out.u16(89).u8(0).u8(0).u32(ACTION_OPENED).zeros(32).u64(4096).u64(0).u32(Attrs.NORMAL).u32(0)
                .u64(o.fileId()).u64(o.fileId()).u32(0).u32(0);
        return NtStatus.SUCCESS;
    }

    static SmbStatusException denied(String why) {
        return new SmbStatusException(NtStatus.ACCESS_DENIED, why);
    }
}
