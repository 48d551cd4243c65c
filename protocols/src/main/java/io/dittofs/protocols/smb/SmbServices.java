package io.dittofs.protocols.smb;

import io.dittofs.core.ShareRegistry;
import io.dittofs.core.lock.LockManager;

import java.security.SecureRandom;

/**
 * What every connection of one SMB adapter shares: settings, shares, users, the logon limiter,
 * a random source and the server's one byte-range {@link LockManager} (shared with NFS locking).
 * Thread-safe (each part is).
 */
public record SmbServices(SmbConfig config, ShareRegistry shares, SmbUsers users, LogonLimiter logons,
                          SecureRandom random, LockManager locks) {
    public SmbServices(SmbConfig config, ShareRegistry shares, SmbUsers users, LockManager locks) {
        this(config, shares, users, new LogonLimiter(10, 60_000), new SecureRandom(), locks);
    }

    /** With a lock manager of its own (tests and a server without NFS). */
    public SmbServices(SmbConfig config, ShareRegistry shares, SmbUsers users) {
        this(config, shares, users, new LockManager());
    }
}
