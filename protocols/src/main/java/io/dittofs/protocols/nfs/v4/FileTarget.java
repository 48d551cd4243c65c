package io.dittofs.protocols.nfs.v4;

import io.dittofs.core.AuthContext;
import io.dittofs.core.FileSystem;
import io.dittofs.core.Share;

/**
 * A share handle resolved for one operation: the share, the caller as the share sees it (after
 * the access policy and root squash), and the inode. Immutable.
 *
 * @param share    the share
 * @param ctx      the caller's identity on this share
 * @param inode    the object
 * @param canWrite whether the share's policy lets the caller change anything
 */
public record FileTarget(Share share, AuthContext ctx, long inode, boolean canWrite) {
    public FileSystem fs() {
        return share.fs();
    }

    public Nfs4Handle handle() {
        return Nfs4Handle.share(share.id(), inode);
    }

    public Nfs4Handle handle(long other) {
        return Nfs4Handle.share(share.id(), other);
    }

    public boolean isShareRoot() {
        return inode == share.fs().rootId();
    }
}
