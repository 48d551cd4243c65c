package io.dittofs.e2e;

/**
 * A failed libnfs call: the operation, its path, the negative errno libnfs returned and the
 * context's error text ({@code nfs_get_error}).
 */
final class NfsException extends RuntimeException {

    static final int EPERM = 1;
    static final int ENOENT = 2;
    static final int EIO = 5;
    static final int EACCES = 13;
    static final int EEXIST = 17;
    static final int ENOTDIR = 20;
    static final int EISDIR = 21;
    static final int EINVAL = 22;
    static final int ENAMETOOLONG = 36;
    static final int ENOTEMPTY = 39;
    static final int ESTALE = 116;

    private static final long serialVersionUID = 1L;
    private final int errno;

    NfsException(String operation, String path, int result, String message) {
        super(operation + "(" + path + ") failed: errno " + (-result) + " (" + name(-result) + "): " + message);
        this.errno = -result;
    }

    /** The positive errno, e.g. {@link #EACCES}. */
    int errno() {
        return errno;
    }

    static String name(int errno) {
        return switch (errno) {
            case EPERM -> "EPERM";
            case ENOENT -> "ENOENT";
            case EIO -> "EIO";
            case EACCES -> "EACCES";
            case EEXIST -> "EEXIST";
            case ENOTDIR -> "ENOTDIR";
            case EISDIR -> "EISDIR";
            case EINVAL -> "EINVAL";
            case ENAMETOOLONG -> "ENAMETOOLONG";
            case ENOTEMPTY -> "ENOTEMPTY";
            case ESTALE -> "ESTALE";
            case 14 -> "EFAULT (libnfs 4.0.0 reports a failed pread/pwrite so, e.g. after NFS3ERR_STALE)";
            case 110 -> "ETIMEDOUT";
            case 111 -> "ECONNREFUSED";
            default -> "errno " + errno;
        };
    }
}
