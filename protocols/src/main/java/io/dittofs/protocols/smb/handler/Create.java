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
 * DELETE_ON_CLOSE options, the share's access level and the POSIX permissions of the caller; on
 * IPC$ opens the {@code srvsvc} named pipe. The {@code ExtA} create context gives a created or
 * overwritten file its EAs ({@link ExtendedAttributes}); other create contexts are accepted and not answered.
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

    @Override
    public int execute(SmbRequest r, SmbEncoder out) {
        r.structureSize(57);
        SmbDecoder in = r.in();
        int desired = in.i32(88);
        int disposition = in.i32(100);
        int options = in.i32(104);
        String name = in.u16(110) == 0 ? "" : in.utf16(in.u16(108), in.u16(110), Paths.MAX_PATH_CHARS);
        if (disposition < SUPERSEDE || disposition > OVERWRITE_IF
                || (options & OPT_DIRECTORY) != 0 && (options & OPT_NON_DIRECTORY) != 0
                || name.startsWith("\\")) {
            return NtStatus.INVALID_PARAMETER; // a name is relative to the share (3.3.5.9)
        }
        if (in.u32(68) > MAX_IMPERSONATION) {
            return NtStatus.BAD_IMPERSONATION_LEVEL;
        }
        TreeConnect tree = r.tree();
        if (tree.isIpc()) {
            return openPipe(r, out, name, desired);
        }
        java.util.List<ExtendedAttributes.Ea> eas = ExtendedAttributes.fromCreate(in);
        int granted = Access.map(desired);
        boolean wantsWrite = (granted & Access.WRITE_BITS) != 0;
        boolean maxAllowed = (desired & Access.MAXIMUM_ALLOWED) != 0;
        boolean deleteOnClose = (options & OPT_DELETE_ON_CLOSE) != 0;
        boolean readOnlyAttr = (in.i32(92) & Attrs.READONLY) != 0;
        if (deleteOnClose && (granted & Access.DELETE) == 0 && !maxAllowed) {
            return NtStatus.ACCESS_DENIED;
        }
        boolean canWrite = tree.access().canWrite() && !tree.share().fs().readOnly();
        if ((wantsWrite || deleteOnClose) && !canWrite) {
            return NtStatus.ACCESS_DENIED;
        }
        AuthContext ctx = tree.authorize(false);
        FileSystem fs = tree.share().fs();
        Paths.Resolved p = Paths.resolve(fs, ctx, name);
        Inode n = p.isRoot() ? fs.getattr(fs.rootId()) : Paths.lookupOrNull(fs, ctx, p.parent(), p.name());
        int action;
        boolean dirWanted = (options & OPT_DIRECTORY) != 0;
        if (n != null) {
            if (disposition == CREATE) {
                return NtStatus.OBJECT_NAME_COLLISION;
            }
            if (dirWanted && !n.isDirectory()) {
                return NtStatus.NOT_A_DIRECTORY;
            }
            if ((options & OPT_NON_DIRECTORY) != 0 && n.isDirectory()) {
                return NtStatus.FILE_IS_A_DIRECTORY;
            }
            if (deleteOnClose && (Attrs.attributes(n) & Attrs.READONLY) != 0) {
                return NtStatus.CANNOT_DELETE; // a read-only file cannot be deleted (MS-FSA 2.1.5.1.2.1)
            }
            int bits = fs.access(ctx, n);
            if (!n.isDirectory()) {
                if ((granted & Access.READ_DATA_BITS) != 0 && (bits & 4) == 0 && !maxAllowed
                        || (granted & Access.WRITE_DATA_BITS) != 0 && (bits & 2) == 0 && !maxAllowed) {
                    return NtStatus.ACCESS_DENIED;
                }
            }
            boolean overwrite = disposition == SUPERSEDE || disposition == OVERWRITE || disposition == OVERWRITE_IF;
            if (!n.isDirectory() && (overwrite || (granted & (Access.WRITE_DATA_BITS | Access.DELETE)) != 0)) {
                // NFSv4 delegations of the file are recalled first; the create waits for that, as for a lease break
                r.conn().services().locks().delegations().breakAndWait(new FileKey(tree.share().id(), n.id()), "smb",
                        null, DELEGATION_BREAK_WAIT);
            }
            action = ACTION_OPENED;
            if (disposition == SUPERSEDE || disposition == OVERWRITE || disposition == OVERWRITE_IF) {
                if (n.isDirectory()) {
                    return NtStatus.INVALID_PARAMETER;
                }
                if (!canWrite) {
                    return NtStatus.ACCESS_DENIED;
                }
                n = fs.setattr(tree.authorize(true), n.id(), new SetAttr(-1, -1, -1, 0, SetAttr.TimeSet.DONT_CHANGE,
                        SetAttr.TimeSet.DONT_CHANGE), -1).after();
                ExtendedAttributes.applyOnCreate(fs, tree.authorize(true), n.id(), eas);
                action = disposition == SUPERSEDE ? ACTION_SUPERSEDED : ACTION_OVERWRITTEN;
            }
            if (maxAllowed) {
                granted |= Access.maximal(canWrite, n.isDirectory() ? 7 : bits);
            }
        } else {
            if (disposition == OPEN || disposition == OVERWRITE) {
                return NtStatus.OBJECT_NAME_NOT_FOUND;
            }
            if (!canWrite) {
                return NtStatus.ACCESS_DENIED;
            }
            if (deleteOnClose && readOnlyAttr) {
                return NtStatus.CANNOT_DELETE;
            }
            AuthContext wctx = tree.authorize(true);
            n = dirWanted ? fs.mkdir(wctx, p.parent(), p.name(), SetAttr.mode(0755)).child()
                    : fs.create(wctx, p.parent(), p.name(), SetAttr.mode(0644), FileSystem.CreateMode.GUARDED, 0).child();
            ExtendedAttributes.applyOnCreate(fs, wctx, n.id(), eas);
            action = ACTION_CREATED;
            if (maxAllowed) {
                granted |= Access.maximal(true, 7);
            }
        }
        if (deleteOnClose && p.isRoot()) {
            return NtStatus.ACCESS_DENIED;
        }
        ConnState conn = r.conn();
        Open o = new Open(conn.nextFileId(), tree, n.id(), p.parent(), p.name(), p.path(), n.isDirectory(),
                granted, null);
        o.deleteOnClose(deleteOnClose);
        conn.addOpen(o);
        r.compound().fileId(o.fileId());
        writeResponse(out, action, n, o.fileId());
        return NtStatus.SUCCESS;
    }

    private static void writeResponse(SmbEncoder out, int action, Inode n, long fileId) {
        out.u16(89).u8(0).u8(0).u32(action);
        Attrs.times(out, n);
        out.u64(Attrs.allocation(n)).u64(Attrs.endOfFile(n)).u32(Attrs.attributes(n)).u32(0)
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
