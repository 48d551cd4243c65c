package io.dittofs.core;

/** How durable a write must be before it is acknowledged (RFC 1813 section 3.3.7 {@code stable_how}). */
public enum Stability {
    /** May be lost on a crash until a later COMMIT. */
    UNSTABLE,
    /** Data (and the metadata needed to read it back) is on stable storage. */
    DATA_SYNC,
    /** Data and all metadata are on stable storage. */
    FILE_SYNC
}
