package io.dittofs.protocols.smb.auth;

import java.util.Optional;

/**
 * Looks up the account an NTLM AUTHENTICATE message names. Implementations must be thread-safe:
 * many SESSION_SETUP exchanges call it concurrently.
 */
@FunctionalInterface
public interface NtAccounts {
    /**
     * @param user user name as sent by the client (case as sent; implementations match case-insensitively)
     * @param domain domain as sent by the client, possibly empty
     */
    Optional<NtAccount> find(String user, String domain);
}
