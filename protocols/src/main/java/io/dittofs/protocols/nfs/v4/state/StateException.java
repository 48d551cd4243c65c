package io.dittofs.protocols.nfs.v4.state;

/**
 * A state operation failed with an nfsstat4 ({@link StateError}). Cheap: no stack trace, since
 * these are ordinary protocol answers (OLD_STATEID, SEQ_MISORDERED, GRACE...).
 */
public final class StateException extends RuntimeException {
    private final StateError error;

    public StateException(StateError error) {
        super(error.name(), null, false, false);
        this.error = error;
    }

    public StateError error() {
        return error;
    }
}
