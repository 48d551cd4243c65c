package io.dittofs.protocols.smb.auth;

/** The outcome of one SESSION_SETUP round of {@link NtlmServer#accept(byte[])}. Immutable records. */
public sealed interface AuthStep permits AuthStep.Continue, AuthStep.Done, AuthStep.Failed {

    /** STATUS_MORE_PROCESSING_REQUIRED (0xC0000016) with {@code token} as the security buffer. */
    record Continue(byte[] token) implements AuthStep {}

    /**
     * STATUS_SUCCESS. {@code sessionKey} is the 16-byte exported session key (after key exchange),
     * the input of the SMB key derivation; all zero-length for anonymous logons.
     */
    record Done(byte[] token, String user, String domain, byte[] sessionKey, boolean guest, boolean anonymous)
            implements AuthStep {}

    /**
     * The logon failed with {@code ntStatus}; {@code reason} is for logs and never holds secrets;
     * {@code user} is the account name the client gave (null when none was decoded); {@code kind}
     * names the failure from a fixed set ({@code bad_password}, {@code unknown_user},
     * {@code disabled}, {@code refused}, {@code malformed}) for metrics.
     */
    record Failed(int ntStatus, String reason, String user, String kind) implements AuthStep {
        public Failed(int ntStatus, String reason) {
            this(ntStatus, reason, null, "malformed");
        }
    }
}
