package io.dittofs.protocols.smb.auth;

/** A security token (SPNEGO DER or NTLMSSP) that does not parse; carries no secret. */
final class BadTokenException extends Exception {
    BadTokenException(String message) {
        super(message, null, false, false);
    }
}
