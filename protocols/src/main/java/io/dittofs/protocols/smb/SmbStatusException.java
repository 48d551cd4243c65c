package io.dittofs.protocols.smb;

/**
 * Ends a command with an NTSTATUS that does not come from the file system (bad handle, wrong
 * info class...). Mapped to the response in one place, the dispatcher. No stack trace.
 */
public final class SmbStatusException extends RuntimeException {
    private final int status;

    public SmbStatusException(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
