package io.dittofs.core;

/**
 * A share: a name clients mount (for NFS the export path, e.g. {@code /export}) bound to one
 * {@link FileSystem}. Immutable; thread-safe.
 *
 * @param id         a small number unique among the server's shares, stable across restarts
 *                   (it is part of every file handle)
 * @param name       the export path
 * @param fs         the file system it serves
 * @param rootSquash map uid 0 to {@code anonUid}/{@code anonGid}
 * @param anonUid    the uid anonymous and squashed callers get
 * @param anonGid    the gid anonymous and squashed callers get
 * @param access     decides per call what the caller may do here (consulted on every call, so
 *                   a policy backed by mutable state changes access at once)
 */
public record Share(int id, String name, FileSystem fs, boolean rootSquash, int anonUid, int anonGid,
                    AccessPolicy access) {
    /** Decides what a caller (as sent by the client, before root squash) may do on a share. Thread-safe. */
    @FunctionalInterface
    public interface AccessPolicy {
        ShareAccess decide(AuthContext caller);

        AccessPolicy READ_WRITE = c -> ShareAccess.READ_WRITE;
    }

    public Share {
        if (id < 0 || id > 0xFFFF) {
            throw new IllegalArgumentException("share id must fit in 16 bits: " + id);
        }
        if (access == null) {
            access = AccessPolicy.READ_WRITE;
        }
    }

    /** A share everyone may read and write (subject to POSIX permissions). */
    public Share(int id, String name, FileSystem fs, boolean rootSquash, int anonUid, int anonGid) {
        this(id, name, fs, rootSquash, anonUid, anonGid, AccessPolicy.READ_WRITE);
    }

    /** The identity the file system sees for this caller on this share. */
    public AuthContext effective(AuthContext caller) {
        return rootSquash ? caller.squashRoot(anonUid, anonGid) : caller;
    }

    /**
     * The identity the file system sees for this caller, after checking the share's access policy.
     *
     * @param write true when the operation changes anything
     * @throws FsException {@link FsError#ACCESS_DENIED} if the caller has no access,
     *                     {@link FsError#READ_ONLY} if it may only read and {@code write} is true
     */
    public AuthContext authorize(AuthContext caller, boolean write) {
        return authorize(caller, access.decide(caller), write);
    }

    /** {@link #authorize(AuthContext, boolean)} with the policy's decision already taken. */
    public AuthContext authorize(AuthContext caller, ShareAccess a, boolean write) {
        if (!a.canRead()) {
            throw new FsException(FsError.ACCESS_DENIED, "no access to share " + name);
        }
        if (write && !a.canWrite()) {
            throw new FsException(FsError.READ_ONLY, "read-only access to share " + name);
        }
        return effective(caller);
    }
}
