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
 */
public record Share(int id, String name, FileSystem fs, boolean rootSquash, int anonUid, int anonGid) {
    public Share {
        if (id < 0 || id > 0xFFFF) {
            throw new IllegalArgumentException("share id must fit in 16 bits: " + id);
        }
    }

    /** The identity the file system sees for this caller on this share. */
    public AuthContext effective(AuthContext caller) {
        return rootSquash ? caller.squashRoot(anonUid, anonGid) : caller;
    }
}
