package io.dittofs.protocols.smb.handler;

import io.dittofs.core.Share;
import io.dittofs.core.ShareAccess;
import io.dittofs.protocols.smb.NtStatus;
import io.dittofs.protocols.smb.Session;
import io.dittofs.protocols.smb.SmbCommand;
import io.dittofs.protocols.smb.SmbRequest;
import io.dittofs.protocols.smb.TreeConnect;
import io.dittofs.protocols.smb.codec.SmbDecoder;
import io.dittofs.protocols.smb.codec.SmbEncoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TREE_CONNECT (MS-SMB2 2.2.9, 2.2.10, 3.3.5.7): {@code \\server\share} to a control-plane share
 * with the session user's permission on it (none: STATUS_ACCESS_DENIED; read: a read-only maximal
 * access), or to {@code IPC$}. Stateless; thread-safe.
 */
public final class TreeConnectCmd implements SmbCommand {
    private static final Logger LOG = LoggerFactory.getLogger(TreeConnectCmd.class);
    static final int SHARE_TYPE_DISK = 0x01;
    static final int SHARE_TYPE_PIPE = 0x02;
    static final int ACCESS_READ = 0x0012_00A9;
    static final int ACCESS_ALL = 0x001F_01FF;

    @Override
    public int execute(SmbRequest r, SmbEncoder out) {
        r.structureSize(9);
        SmbDecoder in = r.in();
        String path = in.utf16(in.u16(68), in.u16(70), 1024);
        int cut = path.lastIndexOf('\\');
        String name = cut >= 0 ? path.substring(cut + 1) : path;
        Session s = r.session();
        if (SmbShares.IPC.equalsIgnoreCase(name)) {
            TreeConnect t = s.addTree(id -> new TreeConnect(id, SmbShares.IPC, null, s));
            bind(r, t);
            out.u16(16).u8(SHARE_TYPE_PIPE).u8(0).u32(0).u32(0).u32(ACCESS_ALL);
            return NtStatus.SUCCESS;
        }
        Share share = SmbShares.find(r.conn().shares(), name);
        if (share == null) {
            return NtStatus.BAD_NETWORK_NAME;
        }
        ShareAccess a = share.access().decide(s.identity());
        if (!a.canRead()) {
            LOG.info("SMB tree connect to {} by {} from {}: no access", name, s.user(), r.conn().peer());
            return NtStatus.ACCESS_DENIED;
        }
        TreeConnect t = s.addTree(id -> new TreeConnect(id, name, share, s));
        bind(r, t);
        boolean rw = a.canWrite() && !share.fs().readOnly();
        out.u16(16).u8(SHARE_TYPE_DISK).u8(0).u32(0).u32(0).u32(rw ? ACCESS_ALL : ACCESS_READ);
        return NtStatus.SUCCESS;
    }

    private static void bind(SmbRequest r, TreeConnect t) {
        r.tree(t);
        r.compound().tree(t.id());
    }
}
