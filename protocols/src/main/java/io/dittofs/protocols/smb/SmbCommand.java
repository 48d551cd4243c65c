package io.dittofs.protocols.smb;

import io.dittofs.protocols.smb.codec.SmbEncoder;

/**
 * One SMB2 command (one class per command, MS-SMB2 section 3.3.5). The dispatcher has checked
 * the header, credits, session, tree and signature before calling it. Implementations are
 * stateless and thread-safe.
 */
@FunctionalInterface
public interface SmbCommand {
    /**
     * Executes {@code r}, writing the response body (after the header) at {@code out}'s position,
     * never past its limit, and returns the status. For an error status the handler writes
     * nothing: the dispatcher writes the ERROR response body (MS-SMB2 2.2.2). Failures may also be
     * thrown: {@link io.dittofs.core.FsException}, {@link SmbStatusException},
     * {@link io.dittofs.protocols.smb.codec.SmbFormatException}.
     */
    int execute(SmbRequest r, SmbEncoder out);
}
