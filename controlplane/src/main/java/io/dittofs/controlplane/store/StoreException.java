package io.dittofs.controlplane.store;

/** A control-plane store failure the API maps to a status: not found, conflict, or a database error. */
public final class StoreException extends RuntimeException {
    /** What went wrong. */
    public enum Kind { NOT_FOUND, CONFLICT, DATABASE }

    private final Kind kind;

    public StoreException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public StoreException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    static StoreException notFound(String what) {
        return new StoreException(Kind.NOT_FOUND, what + " not found");
    }

    static StoreException conflict(String what) {
        return new StoreException(Kind.CONFLICT, what);
    }
}
