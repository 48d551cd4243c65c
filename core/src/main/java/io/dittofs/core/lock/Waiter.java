package io.dittofs.core.lock;

/**
 * A blocked lock request queued by {@link LockManager#lockWhenFree}: it is granted, in FIFO order
 * among the waiters of its file, once no lock of another owner (and no earlier conflicting
 * waiter) stands in the way; the manager then records the lock for the owner and runs the
 * {@code granted} callback on a fresh virtual thread.
 *
 * <p>Thread-safe: the state moves from WAITING to GRANTED or CANCELLED exactly once, under the
 * file's stripe lock in the manager, so a cancelled waiter is never granted and a granted one is
 * never cancelled.
 */
public final class Waiter {
    private static final System.Logger LOG = System.getLogger(Waiter.class.getName());
    /** Where a waiter is in its life. */
    public enum State { WAITING, GRANTED, CANCELLED }

    private final LockManager manager;
    private final FileKey file;
    private final LockOwner owner;
    private final LockType type;
    private final LockRange range;
    private final Runnable granted;
    private volatile State state = State.WAITING;
    private volatile boolean grantedOnCall;

    Waiter(LockManager manager, FileKey file, LockOwner owner, LockType type, LockRange range, Runnable granted) {
        this.manager = manager;
        this.file = file;
        this.owner = owner;
        this.type = type;
        this.range = range;
        this.granted = granted;
    }

    /**
     * Withdraws the request (NLM CANCEL, an NFSv4 client giving up, SMB cancel).
     *
     * @return true if it was still waiting and is now cancelled; false if it had already been
     *     granted (the caller then holds the lock and must unlock it if unwanted) or cancelled
     */
    public boolean cancel() {
        return manager.cancel(this);
    }

    public State state() {
        return state;
    }

    public boolean isGranted() {
        return state == State.GRANTED;
    }

    /** True when the lock was free already and was granted inside {@code lockWhenFree} itself. */
    public boolean grantedOnCall() {
        return grantedOnCall;
    }

    public FileKey file() {
        return file;
    }

    public LockOwner owner() {
        return owner;
    }

    public LockType type() {
        return type;
    }

    public LockRange range() {
        return range;
    }

    void markGranted(boolean onCall) {
        grantedOnCall = onCall;
        state = State.GRANTED;
    }

    void markCancelled() {
        state = State.CANCELLED;
    }

    /** Runs the callbacks of granted waiters, each on its own virtual thread (never under a lock). */
    static void runCallbacks(java.util.List<Waiter> granted) {
        for (Waiter w : granted) {
            Thread.ofVirtual().name("lock-granted").start(() -> {
                try {
                    w.granted.run();
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "lock-granted callback failed for " + w.owner, e);
                }
            });
        }
    }
}
