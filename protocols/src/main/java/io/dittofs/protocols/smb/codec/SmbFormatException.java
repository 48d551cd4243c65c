package io.dittofs.protocols.smb.codec;

/**
 * A request broke the SMB2 wire format (truncated, a length or offset out of bounds, a wrong
 * structure size). The dispatcher answers STATUS_INVALID_PARAMETER, or closes the connection when
 * the framing itself is unusable. Carries no stack trace (it is a normal outcome of bad input).
 */
public final class SmbFormatException extends RuntimeException {
    public SmbFormatException(String message) {
        super(message, null, false, false);
    }
}
