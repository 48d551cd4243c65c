package io.dittofs.controlplane.api;

/** An API failure with its HTTP status and a message safe to show the client. */
public final class ApiException extends RuntimeException {
    private final int status;

    public ApiException(int status, String message) {
        super(message);
        this.status = status;
    }

    public int status() {
        return status;
    }

    static ApiException badRequest(String m) {
        return new ApiException(400, m);
    }

    static ApiException forbidden(String m) {
        return new ApiException(403, m);
    }

    static ApiException notFound(String m) {
        return new ApiException(404, m);
    }
}
