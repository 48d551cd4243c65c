package io.dittofs.core.lock;

/** A byte-range lock's mode: shared ({@link #READ}) or exclusive ({@link #WRITE}). Immutable. */
public enum LockType {
    /** Shared: compatible with other READ locks. */
    READ,
    /** Exclusive: conflicts with every lock of another owner. */
    WRITE;

    /** Whether a lock of this type and one of {@code other}, held by different owners, conflict. */
    public boolean conflictsWith(LockType other) {
        return this == WRITE || other == WRITE;
    }
}
