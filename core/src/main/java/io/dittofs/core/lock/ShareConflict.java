package io.dittofs.core.lock;

/**
 * A share reservation of another opener that refuses a new one (NFSv4 OPEN share_deny,
 * NFS4ERR_SHARE_DENIED; SMB STATUS_SHARING_VIOLATION; NLM4 SHARE denied). Immutable.
 *
 * @param owner  the opener holding the reservation
 * @param access its access bits ({@link LockManager#ACCESS_READ}, {@link LockManager#ACCESS_WRITE})
 * @param deny   its deny bits (same encoding)
 */
public record ShareConflict(LockOwner owner, int access, int deny) {
}
