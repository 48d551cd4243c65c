package io.dittofs.protocols.smb.handler;

import io.dittofs.protocols.smb.NtStatus;
import io.dittofs.protocols.smb.SmbCommand;
import io.dittofs.protocols.smb.SmbRequest;
import io.dittofs.protocols.smb.codec.SmbEncoder;

/** ECHO (MS-SMB2 2.2.28, 3.3.5.17). Stateless; thread-safe. */
public final class Echo implements SmbCommand {
    @Override
    public int execute(SmbRequest r, SmbEncoder out) {
        r.structureSize(4);
        out.u16(4).u16(0);
        return NtStatus.SUCCESS;
    }
}
