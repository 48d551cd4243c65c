package io.dittofs.protocols.nfs.v4.state;

/**
 * The nfsstat4 values the state layer can fail with (RFC 7530 section 13, RFC 8881 section 15).
 * The ops turn a {@link StateException} into their status with {@link #code()}.
 *
 * <p>Immutable; thread-safe.
 */
public enum StateError {
    PERM(1), NOENT(2), INVAL(22), DELAY(10008), DENIED(10010), EXPIRED(10011), GRACE(10013),
    SHARE_DENIED(10015), CLID_INUSE(10017), RESOURCE(10018), STALE_CLIENTID(10022), STALE_STATEID(10023),
    OLD_STATEID(10024), BAD_STATEID(10025), BAD_SEQID(10026), NOT_SAME(10027), NO_GRACE(10033),
    RECLAIM_BAD(10034), RECLAIM_CONFLICT(10035), LOCKS_HELD(10037), OPENMODE(10038), ADMIN_REVOKED(10047), BADSESSION(10052),
    BADSLOT(10053), COMPLETE_ALREADY(10054), SEQ_MISORDERED(10063), REP_TOO_BIG_TO_CACHE(10067),
    RETRY_UNCACHED_REP(10068), CLIENTID_BUSY(10074), BAD_HIGH_SLOT(10077);

    private final int code;

    StateError(int code) {
        this.code = code;
    }

    /** The nfsstat4 value. */
    public int code() {
        return code;
    }

    /** The "too many of something" answer: NFS4ERR_RESOURCE in 4.0, NFS4ERR_DELAY in 4.1+ (8881 removed RESOURCE). */
    public static StateError resource(int minorVersion) {
        return minorVersion == 0 ? RESOURCE : DELAY;
    }
}
