package io.dittofs.protocols.smb.handler;

import io.dittofs.core.AuthContext;
import io.dittofs.core.FileSystem;
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
 * CLOSE (MS-SMB2 2.2.15, 2.2.16, 3.3.5.10): ends an open, deleting the file or directory when
 * delete-on-close was set (by CREATE or FileDispositionInformation), and returns its attributes
 * when asked (POSTQUERY_ATTRIB). Also closes everything a tree, session or connection leaves
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
        int status = finish(o);
        Inode n = null;
        if ((flags & POSTQUERY_ATTRIB) != 0 && !o.tree().isIpc() && !o.deleteOnClose()) {
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
            Attrs.networkOpen(out, n);
        }
        return status;
    }

    /** Applies delete-on-close; the status of the removal (the handle is closed either way). */
    static int finish(Open o) {
        if (!o.deleteOnClose() || o.tree().isIpc()) {
            return NtStatus.SUCCESS;
        }
        TreeConnect t = o.tree();
        FileSystem fs = t.share().fs();
        try {
            AuthContext ctx = t.authorize(true);
            if (o.directory()) {
                fs.rmdir(ctx, o.parent(), o.name());
            } else {
                fs.remove(ctx, o.parent(), o.name());
            }
            return NtStatus.SUCCESS;
        } catch (FsException e) {
            LOG.debug("delete-on-close of {} failed: {}", o.path(), e.getMessage());
            return NtStatus.SUCCESS; // the handle is gone; the client learns nothing more useful
        }
    }

    private static void closeIf(ConnState conn, java.util.function.Predicate<Open> which) {
        for (Open o : conn.opens()) {
            if (which.test(o) && conn.removeOpen(o.fileId()) != null) {
                o.markClosed();
                conn.async().cancelOpen(o);
                Lock.releaseAll(conn.services().locks(), o);
                finish(o);
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
