package io.dittofs.protocols.smb.handler;

import io.dittofs.core.AuthContext;
import io.dittofs.core.FileSystem;
import io.dittofs.core.FsError;
import io.dittofs.core.FsException;
import io.dittofs.core.Inode;
import io.dittofs.protocols.smb.ConnState;
import io.dittofs.protocols.smb.NtStatus;
import io.dittofs.protocols.smb.Open;
import io.dittofs.protocols.smb.Session;
import io.dittofs.protocols.smb.SmbCommand;
import io.dittofs.protocols.smb.SmbRequest;
import io.dittofs.protocols.smb.TreeConnect;
import io.dittofs.protocols.smb.codec.SmbEncoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * CLOSE (MS-SMB2 2.2.15, 2.2.16, 3.3.5.10): ends an open and drops its share mode; an open
 * created with delete-on-close marks its file delete-pending, and the last open of a
 * delete-pending file (FileDispositionInformation or delete-on-close) deletes it (MS-FSA 2.1.5.4).
 * Returns the attributes when asked (POSTQUERY_ATTRIB). Also closes everything a tree, session or connection leaves
 * open. Stateless; thread-safe.
 */
public final class Close implements SmbCommand {
    private static final Logger LOG = LoggerFactory.getLogger(Close.class);
    static final int POSTQUERY_ATTRIB = 0x1;

    @Override
    public int execute(SmbRequest r, SmbEncoder out) {
        r.structureSize(24);
        int flags = r.in().u16(66);
        Open o = r.open(72);
        r.conn().removeOpen(o.fileId());
        o.markClosed();
        r.conn().async().cancelOpen(o);
        Lock.releaseAll(r.conn().services().locks(), o);
        boolean deleted = !o.tree().isIpc() && ShareModes.release(r.conn().services(), o);
        int status = deleted ? delete(o) : NtStatus.SUCCESS;
        Inode n = null;
        if ((flags & POSTQUERY_ATTRIB) != 0 && !o.tree().isIpc() && !deleted) {
            try {
                n = o.tree().share().fs().getattr(o.inode());
            } catch (FsException e) {
                n = null;
            }
        }
        out.u16(60).u16(n == null ? 0 : POSTQUERY_ATTRIB).u32(0);
        if (n == null) {
            out.zeros(52);
        } else {
            Attrs.networkOpen(out, o.tree().share().fs(), n);
        }
        return status;
    }

    /**
     * Deletes the file of an open that was the last one of a file whose delete is pending, if its
     * name still names that file (an NFS client may have removed it, or even made a new file of
     * the same name, meanwhile: neither is an error, and the new file stays). The status is
     * DIRECTORY_NOT_EMPTY when a directory got entries since delete was set (it then stays);
     * the handle is closed either way.
     */
    static int delete(Open o) {
        TreeConnect t = o.tree();
        FileSystem fs = t.share().fs();
        try {
            AuthContext ctx = t.authorize(true);
            Inode now = fs.lookup(ctx, o.parent(), o.name());
            if (now.id() != o.inode()) {
                return NtStatus.SUCCESS;
            }
            if (o.directory()) {
                fs.rmdir(ctx, o.parent(), o.name());
            } else {
                fs.remove(ctx, o.parent(), o.name());
            }
            return NtStatus.SUCCESS;
        } catch (FsException e) {
            LOG.debug("delete-on-close of {} failed: {}", o.path(), e.getMessage());
            return e.error() == FsError.NOT_EMPTY ? NtStatus.DIRECTORY_NOT_EMPTY : NtStatus.SUCCESS;
        }
    }

    private static void closeIf(ConnState conn, java.util.function.Predicate<Open> which) {
        for (Open o : conn.opens()) {
            if (which.test(o) && conn.removeOpen(o.fileId()) != null) {
                o.markClosed();
                conn.async().cancelOpen(o);
                Lock.releaseAll(conn.services().locks(), o);
                if (!o.tree().isIpc() && ShareModes.release(conn.services(), o)) {
                    delete(o);
                }
            }
        }
    }

    public static void closeTree(ConnState conn, TreeConnect t) {
        closeIf(conn, o -> o.tree() == t);
    }

    public static void closeSession(ConnState conn, Session s) {
        closeIf(conn, o -> o.tree().session() == s);
    }

    /** Closes every open of a connection that went away. */
    public static void closeAll(ConnState conn) {
        closeIf(conn, o -> true);
    }
}
