package io.dittofs.bench.load;

/** An NFSv4 operation answered with a status other than NFS4_OK (RFC 8881 section 15.1). Immutable. */
final class Nfs41Exception extends RuntimeException {
    static final int NOENT = 2;
    static final int EXIST = 17;

    final int op;
    final int status;

    Nfs41Exception(int op, int status, String detail) {
        super("op " + op + ": NFS4 status " + status + (detail == null ? "" : " (" + detail + ")"), null, false, false);
        this.op = op;
        this.status = status;
    }
}
