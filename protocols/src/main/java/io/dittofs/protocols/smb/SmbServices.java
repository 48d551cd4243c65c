package io.dittofs.protocols.smb;

import io.dittofs.core.ShareRegistry;

import java.security.SecureRandom;

/**
 * What every connection of one SMB adapter shares: settings, shares, users, the logon limiter and
 * a random source. Thread-safe (each part is).
 */
public record SmbServices(SmbConfig config, ShareRegistry shares, SmbUsers users, LogonLimiter logons,
                          SecureRandom random) {
    public SmbServices(SmbConfig config, ShareRegistry shares, SmbUsers users) {
        this(config, shares, users, new LogonLimiter(10, 60_000), new SecureRandom());
    }
}
