package io.dittofs.protocols.smb.handler;

/** Conversions between Unix nanoseconds and Windows FILETIME (100 ns since 1601-01-01). Stateless. */
final class Times {
    /** FILETIME of the Unix epoch. */
    static final long EPOCH_DIFF = 116_444_736_000_000_000L;

    private Times() {
    }

    static long filetime(long unixNanos) {
        return unixNanos / 100 + EPOCH_DIFF;
    }

    static long unixNanos(long filetime) {
        return (filetime - EPOCH_DIFF) * 100;
    }
}
