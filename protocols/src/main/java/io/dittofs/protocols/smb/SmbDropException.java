package io.dittofs.protocols.smb;

/**
 * The request breaks the protocol so badly that the connection must end (MS-SMB2 3.3.5.2
 * "disconnect the connection"): a second NEGOTIATE, a request before NEGOTIATE, a credit-window
 * violation, an unusable compound chain. No stack trace.
 */
public final class SmbDropException extends RuntimeException {
    public SmbDropException(String message) {
        super(message, null, false, false);
    }
}
