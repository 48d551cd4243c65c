package io.dittofs.protocols.nfs.v4.ops;

import io.dittofs.core.FsError;
import io.dittofs.core.FsException;
import io.dittofs.core.lock.FileKey;
import io.dittofs.protocols.nfs.v4.CompoundContext;
import io.dittofs.protocols.nfs.v4.FileTarget;
import io.dittofs.protocols.nfs.v4.state.ClientRecord;
import io.dittofs.protocols.nfs.v4.state.StateManager;
import io.dittofs.protocols.nfs.v4.state.StateTable;

/**
 * The delegation check of ops that change a file (REMOVE, RENAME, SETATTR): before the change, other
 * clients' delegations of the file are recalled, and the op fails with NFS4ERR_DELAY (FsError.JUKEBOX)
 * while any is still held (RFC 8881 section 10.4.1). The caller's own delegations stay. Stateless.
 */
final class Recalls {
    private Recalls() {
    }

    /** Recalls other clients' delegations of the inode; throws JUKEBOX (NFS4ERR_DELAY) while any is held. */
    static void beforeChange(CompoundContext ctx, int shareId, long inode) {
        if (ctx.services().state() instanceof StateManager m) {
            ClientRecord c = StateOp.sessionClient(ctx);
            m.locks().delegations().breakFor(new FileKey(shareId, inode), StateTable.PROTOCOL,
                    c == null ? null : StateTable.lockClientId(c));
        }
    }

    /** As {@link #beforeChange} for the entry {@code name} of a directory, if it exists. */
    static void beforeChange(CompoundContext ctx, FileTarget dir, int shareId, String name) {
        long inode;
        try {
            inode = dir.fs().lookup(dir.ctx(), dir.inode(), name).id();
        } catch (FsException e) {
            if (e.error() == FsError.NOT_FOUND) {
                return;
            }
            throw e;
        }
        beforeChange(ctx, shareId, inode);
    }
}
