package io.dittofs.protocols.smb;

import io.dittofs.core.AuthContext;
import io.dittofs.core.Share;
import io.dittofs.core.ShareAccess;

/**
 * A tree connect (MS-SMB2 3.3.1.10): a session's connection to one share or to {@code IPC$}.
 * The share's access decision is taken again on every use (a revoke applies at once).
 * Immutable; thread-safe.
 *
 * @param share null for IPC$
 */
public record TreeConnect(int id, String name, Share share, Session session) {
    public boolean isIpc() {
        return share == null;
    }

    /** What the session's user may do on the share now. */
    public ShareAccess access() {
        return share == null ? ShareAccess.READ : share.access().decide(session.identity());
    }

    /**
     * The identity the file system sees for a call, after the share's access check.
     *
     * @throws io.dittofs.core.FsException ACCESS_DENIED / READ_ONLY as {@link Share#authorize}
     */
    public AuthContext authorize(boolean write) {
        return share.authorize(session.identity(), write);
    }
}
