package io.dittofs.protocols.smb;

import io.dittofs.core.ShareRegistry;
import io.dittofs.core.lock.LockManager;

import java.security.SecureRandom;

/**
 * What every connection of one SMB adapter shares: settings, shares, users, the logon limiter,
 * a random source, the server's one byte-range and share-reservation {@link LockManager} (shared with
 * NFS locking and NFSv4 OPEN) and the table of files SMB has open ({@link OpenFiles}: delete pending).
 * Thread-safe (each part is).
 */
public record SmbServices(SmbConfig config, ShareRegistry shares, SmbUsers users, LogonLimiter logons,
                          SecureRandom random, LockManager locks, OpenFiles openFiles) {
    public SmbServices(SmbConfig config, ShareRegistry shares, SmbUsers users, LockManager locks) {
        this(config, shares, users, new LogonLimiter(10, 60_000), new SecureRandom(), locks, new OpenFiles());
    }

    /** With a table of open files of its own. */
    public SmbServices(SmbConfig config, ShareRegistry shares, SmbUsers users, LogonLimiter logons,
                       SecureRandom random, LockManager locks) {
        this(config, shares, users, logons, random, locks, new OpenFiles());
    }

    /** With a lock manager of its own (tests and a server without NFS). */
    public SmbServices(SmbConfig config, ShareRegistry shares, SmbUsers users) {
        this(config, shares, users, new LockManager());
    }
}
