package io.dittofs.core.lock;

/**
 * A client has reached its cap of lock owners or of ranges (locks, reservations and pending
 * waiters) in the {@link LockManager}. Protocols map it to NFS4ERR_RESOURCE, NLM4_DENIED_NOLOCKS
 * or STATUS_INSUFFICIENT_RESOURCES. Nothing was changed when it is thrown. Immutable.
 */
public final class LockLimitException extends RuntimeException {
    public LockLimitException(String message) {
        super(message, null, false, false);
    }
}
