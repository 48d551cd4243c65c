package io.dittofs.protocols.smb.auth;

import java.security.SecureRandom;

/**
 * Server side of one SPNEGO/NTLMSSP exchange (MS-SPNG, MS-NLMP). Not thread-safe: one instance per
 * SESSION_SETUP exchange.
 */
public final class NtlmServer {
    public NtlmServer(NtAccounts accounts, SecureRandom random, String serverName, String domainName,
            boolean allowGuest, boolean allowAnonymous) {
    }

    /** SPNEGO NegTokenInit advertising NTLMSSP, for the NEGOTIATE response's security buffer. */
    public static byte[] negotiateToken() {
        throw new UnsupportedOperationException("not yet");
    }

    /** Accepts a SPNEGO NegTokenInit/NegTokenResp or a raw NTLMSSP message. Never throws. */
    public AuthStep accept(byte[] securityBuffer) {
        throw new UnsupportedOperationException("not yet");
    }
}
