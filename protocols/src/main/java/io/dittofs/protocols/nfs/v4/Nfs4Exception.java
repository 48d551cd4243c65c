package io.dittofs.protocols.nfs.v4;

/**
 * Fails one COMPOUND operation with an {@code nfsstat4} ({@link Nfs4Status}). The processor
 * rewinds the op's result and writes the status alone. Carries no stack trace: it is control
 * flow for expected protocol errors, not a fault.
 */
public final class Nfs4Exception extends RuntimeException {
    private final int status;

    public Nfs4Exception(int status) {
        this(status, Nfs4Status.name(status));
    }

    public Nfs4Exception(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
