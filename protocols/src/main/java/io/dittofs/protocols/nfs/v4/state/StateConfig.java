package io.dittofs.protocols.nfs.v4.state;

import java.time.Duration;

/**
 * Limits and timers of the NFSv4 state: lease time (RFC 7530 section 9.5, 90 s by default,
 * {@code adapters.nfs.lease_time}), grace period after a restart (one lease), how long an expired
 * client keeps its state as a courtesy while nobody conflicts with it, and the hard bounds that keep
 * every table finite.
 *
 * @param leaseTime            lease a client must renew within
 * @param graceTime            grace period after a restart in which known clients reclaim
 * @param courtesyTime         how long an expired client keeps its state when nobody conflicts
 * @param maxClients           client records (confirmed and unconfirmed)
 * @param maxSessionsPerClient sessions per client (4.1)
 * @param maxSlots             fore-channel slots per session (ca_maxrequests is capped to this)
 * @param maxCachedReply       bytes of one cached reply (ca_maxresponsesize_cached)
 * @param maxOpensPerClient    open stateids of one client
 * @param maxLocksPerClient    lock stateids of one client
 * @param maxOwnersPerClient   open- and lock-owners of one client
 */
public record StateConfig(Duration leaseTime, Duration graceTime, Duration courtesyTime, int maxClients,
        int maxSessionsPerClient, int maxSlots, int maxCachedReply, int maxOpensPerClient, int maxLocksPerClient,
        int maxOwnersPerClient) {

    /** The default lease, also the default grace period. */
    public static final Duration DEFAULT_LEASE = Duration.ofSeconds(90);

    public StateConfig {
        if (leaseTime.toSeconds() < 1 || leaseTime.toSeconds() > 3600) {
            throw new IllegalArgumentException("lease time must be 1 s to 1 h: " + leaseTime);
        }
        if (maxClients < 1 || maxSessionsPerClient < 1 || maxSlots < 1 || maxOpensPerClient < 1
                || maxLocksPerClient < 1 || maxOwnersPerClient < 1 || maxCachedReply < 512) {
            throw new IllegalArgumentException("state bounds must be positive");
        }
    }

    /** Defaults with the given lease (grace = lease, courtesy = 24 h as Linux nfsd). */
    public static StateConfig withLease(Duration lease) {
        return new StateConfig(lease, lease, Duration.ofHours(24), 4096, 16, 64, 8192, 16_384, 16_384, 16_384);
    }

    /** The defaults: 90 s lease. */
    public static StateConfig defaults() {
        return withLease(DEFAULT_LEASE);
    }
}
