package io.dittofs.core;

/**
 * The one exception that crosses layers: stores and {@link FileSystem} throw it, protocols map
 * its {@link FsError} to a status code. Stack traces are not filled for the common, expected
 * errors (NOT_FOUND, EXISTS...) because they are part of normal traffic.
 */
public final class FsException extends RuntimeException {
    private final FsError error;

    public FsException(FsError error) {
        this(error, error.name());
    }

    public FsException(FsError error, String message) {
        super(message, null, false, error == FsError.SERVER_FAULT || error == FsError.IO);
        this.error = error;
    }

    public FsException(FsError error, String message, Throwable cause) {
        super(message, cause, false, true);
        this.error = error;
    }

    public FsError error() {
        return error;
    }
}
