package io.dittofs.protocols.smb.handler;

import io.dittofs.core.lock.LockManager;
import io.dittofs.core.lock.LockType;
import io.dittofs.core.lock.Waiter;
import io.dittofs.protocols.smb.AsyncOp;
import io.dittofs.protocols.smb.ByteLock;
import io.dittofs.protocols.smb.NtStatus;
import io.dittofs.protocols.smb.Open;
import io.dittofs.protocols.smb.SmbRequest;

/**
 * A blocking SMB2 LOCK (MS-SMB2 3.3.5.14: no SMB2_LOCKFLAG_FAIL_IMMEDIATELY): tried at once; when
 * another owner holds the range, queued in the core {@link LockManager}'s FIFO waiters and answered
 * asynchronously (interim STATUS_PENDING, then the final response when the manager grants it).
 * When granted the lock joins the open's list ({@link Open#locks()}) and the manager's ranges are
 * made to match it; a grant that comes after the open closed or the op ended is undone the same way.
 *
 * <p>One instance per waiting request; thread-safe (its fields change under its monitor, the open's
 * list under the open's monitor).
 */
final class BlockingLock {
    private final LockManager m;
    private final Open o;
    private final ByteLock el;
    private AsyncOp op;
    private Waiter waiter;
    private AsyncOp.Reason cancelledEarly;

    private BlockingLock(LockManager m, Open o, ByteLock el) {
        this.m = m;
        this.o = o;
        this.el = el;
    }

    /** Locks {@code el} on {@code o} now, or makes the request wait and returns PENDING. */
    static int lock(SmbRequest r, LockManager m, Open o, ByteLock el) {
        BlockingLock b = new BlockingLock(m, o, el);
        synchronized (o) {
            int t = Lock.take(r, m, o, el);
            if (t == Lock.TAKEN) {
                return NtStatus.SUCCESS;
            }
            if (t == Lock.LOCAL_CONFLICT) {
                return NtStatus.LOCK_NOT_GRANTED;
            }
        }
        AsyncOp op = r.goAsync(o, 8, b::cancel);
        synchronized (b) {
            b.op = op;
        }
        Waiter w = m.lockWhenFree(Lock.key(o), Lock.owner(o), el.exclusive() ? LockType.WRITE : LockType.READ,
                el.start(), el.end() - el.start(), b::granted);
        AsyncOp.Reason early;
        synchronized (b) {
            b.waiter = w;
            early = b.cancelledEarly;
        }
        if (early != null) {
            b.cancel(op, early);
        }
        return NtStatus.PENDING;
    }

    /** The manager granted the range to the open's owner: keep it if the request still wants it. */
    private void granted() {
        AsyncOp a;
        synchronized (this) {
            a = op;
        }
        boolean kept = false;
        synchronized (o) {
            if (!o.closed() && !a.isDone()) {
                o.locks().add(el);
                kept = Lock.sync(m, o, el.start(), el.end()).isEmpty();
                if (!kept) {
                    o.locks().remove(o.locks().size() - 1);
                }
            }
            Lock.sync(m, o, el.start(), el.end()); // the manager's ranges match the list again
        }
        if (kept) {
            a.complete(NtStatus.SUCCESS, Lock::body);
        } else {
            a.complete(o.closed() ? NtStatus.RANGE_NOT_LOCKED : NtStatus.LOCK_NOT_GRANTED, null);
        }
    }

    private void cancel(AsyncOp a, AsyncOp.Reason why) {
        Waiter w;
        synchronized (this) {
            w = waiter;
            if (w == null) {
                cancelledEarly = why; // lock() cancels once the waiter exists
                return;
            }
        }
        if (!w.cancel()) {
            return; // granted meanwhile: granted() answers
        }
        switch (why) {
            case CANCEL, DISCONNECT -> a.complete(NtStatus.CANCELLED, null);
            case CLOSE -> a.complete(NtStatus.RANGE_NOT_LOCKED, null);
            case TREE_DISCONNECT, LOGOFF -> a.complete(NtStatus.SUCCESS, Lock::body); // what Windows and Samba answer
        }
    }
}
