package io.dittofs.protocols.xdr;

/**
 * Malformed XDR input: a read past the end, a length over its cap, invalid UTF-8, a bad enum or
 * boolean. The RPC layer answers it with GARBAGE_ARGS (or closes the connection for a bad header).
 */
public final class BadXdrException extends RuntimeException {
    public BadXdrException(String message) {
        super(message, null, false, false);
    }
}
