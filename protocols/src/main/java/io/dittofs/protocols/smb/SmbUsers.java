package io.dittofs.protocols.smb;

import io.dittofs.core.AuthContext;
import io.dittofs.protocols.smb.auth.NtAccounts;

/**
 * Where the SMB adapter finds its users (implemented by the control plane): the NT hashes NTLM
 * checks against, and the identity (uid, gid, groups) a logged-on user has on the shares, so the
 * same access rules as NFS apply. Implementations are thread-safe.
 */
public interface SmbUsers {
    NtAccounts accounts();

    /** The identity of a logged-on user; {@link AuthContext#ANONYMOUS} for guests and unknown names. */
    AuthContext identity(String user);
}
