package io.dittofs.protocols.nfs.v4;

/**
 * Validates the stateid of an I/O operation (READ, WRITE, SETATTR of size, ALLOCATE, ...) before
 * it touches the file (RFC 8881 section 8.2). Implementations are thread-safe.
 */
public interface StateChecker {
    /**
     * Checks that {@code sid} allows the access to {@code fh}.
     *
     * @param write  true for a change of content or size
     * @param offset first byte touched
     * @param length bytes touched (0 or ~0 = to end of file)
     * @throws Nfs4Exception with NFS4ERR_BAD_STATEID, OLD_STATEID, EXPIRED, OPENMODE, LOCKED, GRACE...
     */
    void checkIo(CompoundContext ctx, Stateid4 sid, Nfs4Handle fh, boolean write, long offset, long length);
}
