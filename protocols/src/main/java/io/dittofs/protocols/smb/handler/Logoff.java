package io.dittofs.protocols.smb.handler;

import io.dittofs.protocols.smb.NtStatus;
import io.dittofs.protocols.smb.Session;
import io.dittofs.protocols.smb.SmbCommand;
import io.dittofs.protocols.smb.SmbRequest;
import io.dittofs.protocols.smb.codec.SmbEncoder;

/** LOGOFF (MS-SMB2 2.2.7, 3.3.5.6): closes the session's opens and ends it. Stateless; thread-safe. */
public final class Logoff implements SmbCommand {
    @Override
    public int execute(SmbRequest r, SmbEncoder out) {
        r.structureSize(4);
        Session s = r.session();
        r.conn().async().cancelSession(s);
        Close.closeSession(r.conn(), s);
        // the session stays known (expired) until the connection ends, so later requests on it get
        // USER_SESSION_DELETED signed with its key, which a signing client checks (smbtorture smb2.connect)
        s.expire();
        out.u16(4).u16(0);
        return NtStatus.SUCCESS;
    }
}
