package io.dittofs.protocols.nlm;

import io.dittofs.core.FsError;

/**
 * {@code enum nlm4_stats} (XNFS NLM v4) and the one table that maps lock-manager and file-system
 * outcomes to it for NLM. As Linux knfsd does ({@code fs/nfsd/lockd.c nlm_fopen}), a stale or
 * foreign handle is NLM4_STALE_FH, a read-only share NLM4_ROFS, a refused permission NLM4_FAILED;
 * a client over its lock cap gets NLM4_DENIED_NOLOCKS. Stateless and thread-safe.
 */
final class NlmStatus {
    static final int GRANTED = 0;
    static final int DENIED = 1;
    static final int DENIED_NOLOCKS = 2;
    static final int BLOCKED = 3;
    static final int DENIED_GRACE_PERIOD = 4;
    static final int DEADLCK = 5;
    static final int ROFS = 6;
    static final int STALE_FH = 7;
    static final int FBIG = 8;
    static final int FAILED = 9;

    private static final String[] NAMES = {"NLM4_GRANTED", "NLM4_DENIED", "NLM4_DENIED_NOLOCKS", "NLM4_BLOCKED",
        "NLM4_DENIED_GRACE_PERIOD", "NLM4_DEADLCK", "NLM4_ROFS", "NLM4_STALE_FH", "NLM4_FBIG", "NLM4_FAILED"};

    private static final int[] BY_ERROR = new int[FsError.values().length];

    static {
        java.util.Arrays.fill(BY_ERROR, -1);
        set(FAILED, FsError.NOT_OWNER, FsError.NOT_FOUND, FsError.IO, FsError.NO_DEVICE, FsError.ACCESS_DENIED,
            FsError.EXISTS, FsError.CROSS_DEVICE, FsError.NOT_DIRECTORY, FsError.IS_DIRECTORY, FsError.INVALID,
            FsError.NO_SPACE, FsError.TOO_MANY_LINKS, FsError.NAME_TOO_LONG, FsError.NOT_EMPTY, FsError.QUOTA,
            FsError.NOT_SYNC, FsError.BAD_COOKIE, FsError.NOT_SUPPORTED, FsError.BAD_TYPE, FsError.SERVER_FAULT,
            FsError.NO_XATTR, FsError.XATTR_TOO_BIG);
        set(STALE_FH, FsError.STALE, FsError.BAD_HANDLE);
        set(ROFS, FsError.READ_ONLY);
        set(FBIG, FsError.FILE_TOO_LARGE);
        set(DENIED, FsError.JUKEBOX);
        for (FsError e : FsError.values()) {
            if (BY_ERROR[e.ordinal()] < 0) {
                throw new ExceptionInInitializerError("no nlm4_stats for " + e);
            }
        }
    }

    private static void set(int stat, FsError... errors) {
        for (FsError e : errors) {
            BY_ERROR[e.ordinal()] = stat;
        }
    }

    private NlmStatus() {
    }

    /** The nlm4_stats for a file-system error met while resolving or checking the file. */
    static int of(FsError e) {
        return BY_ERROR[e.ordinal()];
    }

    /** The nlm4_stats when a client is over its lock-manager cap. */
    static int overLimit() {
        return DENIED_NOLOCKS;
    }

    static String name(int stat) {
        return stat >= 0 && stat < NAMES.length ? NAMES[stat] : Integer.toString(stat);
    }
}
