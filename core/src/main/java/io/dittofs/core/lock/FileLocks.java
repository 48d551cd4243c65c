package io.dittofs.core.lock;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The locks, share reservations and waiters of one file, with the POSIX range arithmetic
 * (IEEE 1003.1 fcntl: an owner's new lock replaces the overlapped parts of its own locks,
 * same-type neighbours merge, an unlock splits).
 *
 * <p>Not thread-safe: every access happens under the file's stripe lock in {@link LockManager}.
 * An owner's own ranges never overlap each other (invariant kept by {@link #plan}).
 */
final class FileLocks {
    /** One held lock, {@code [start, end)}. */
    record Held(LockOwner owner, LockType type, long start, long end) {
        boolean overlaps(long s, long e) {
            return start < e && s < end;
        }

        Conflict asConflict() {
            LockRange r = LockRange.ofNormalized(start, end);
            return new Conflict(owner, type, r.offset(), r.length());
        }
    }

    /** One share reservation. */
    record Reservation(LockOwner owner, int access, int deny) {
    }

    final List<Held> held = new ArrayList<>();
    final List<Reservation> reservations = new ArrayList<>();
    final List<Waiter> waiters = new ArrayList<>();

    boolean isEmpty() {
        return held.isEmpty() && reservations.isEmpty() && waiters.isEmpty();
    }

    /** The first lock of another owner conflicting with {@code type} on {@code [s, e)}; null if none. */
    Held conflict(LockOwner owner, LockType type, long s, long e) {
        for (Held h : held) {
            if (h.overlaps(s, e) && !h.owner.equals(owner) && type.conflictsWith(h.type)) {
                return h;
            }
        }
        return null;
    }

    /**
     * The owner's locks after taking {@code type} on {@code [s, e)}: overlapped parts of its
     * other-type locks are cut away, same-type locks that overlap or touch merge into one.
     */
    List<Held> plan(LockOwner owner, LockType type, long s, long e) {
        List<Held> out = new ArrayList<>(held.size() + 2);
        long ns = s;
        long ne = e;
        for (Held h : held) {
            if (!h.owner.equals(owner)) {
                out.add(h);
            } else if (h.type == type && h.start <= e && s <= h.end) {
                ns = Math.min(ns, h.start);
                ne = Math.max(ne, h.end);
            } else if (h.overlaps(s, e)) {
                cut(h, s, e, out);
            } else {
                out.add(h);
            }
        }
        out.add(new Held(owner, type, ns, ne));
        return out;
    }

    /** The owner's locks after unlocking {@code [s, e)}. */
    List<Held> planUnlock(LockOwner owner, long s, long e) {
        List<Held> out = new ArrayList<>(held.size() + 1);
        for (Held h : held) {
            if (h.owner.equals(owner) && h.overlaps(s, e)) {
                cut(h, s, e, out);
            } else {
                out.add(h);
            }
        }
        return out;
    }

    private static void cut(Held h, long s, long e, List<Held> out) {
        if (h.start < s) {
            out.add(new Held(h.owner, h.type, h.start, s));
        }
        if (h.end > e) {
            out.add(new Held(h.owner, h.type, e, h.end));
        }
    }

    /** Replaces the lock list; returns the change in its size. */
    int commit(List<Held> planned) {
        int delta = planned.size() - held.size();
        held.clear();
        held.addAll(planned);
        return delta;
    }

    /** Whether the owner still has anything (lock, reservation, waiter) on this file. */
    boolean hasAny(LockOwner owner) {
        return held.stream().anyMatch(h -> h.owner.equals(owner))
            || reservations.stream().anyMatch(r -> r.owner.equals(owner))
            || waiters.stream().anyMatch(w -> w.owner().equals(owner));
    }

    /** Removes every lock and reservation of the owner; returns how many entries went. */
    int removeOwner(LockOwner owner) {
        int before = held.size() + reservations.size();
        held.removeIf(h -> h.owner.equals(owner));
        reservations.removeIf(r -> r.owner.equals(owner));
        return before - held.size() - reservations.size();
    }

    /** Removes and returns the owner's waiters (still in WAITING state; the caller cancels them). */
    List<Waiter> removeWaiters(LockOwner owner) {
        List<Waiter> out = new ArrayList<>();
        for (Iterator<Waiter> it = waiters.iterator(); it.hasNext();) {
            Waiter w = it.next();
            if (w.owner().equals(owner)) {
                it.remove();
                out.add(w);
            }
        }
        return out;
    }

    /**
     * Whether {@code w} is blocked: by a held lock of another owner, or by an earlier waiter of
     * another owner that it conflicts with (FIFO fairness: a reader never overtakes a queued writer).
     */
    boolean blocked(Waiter w, int index) {
        long s = w.range().start();
        long e = w.range().end();
        if (conflict(w.owner(), w.type(), s, e) != null) {
            return true;
        }
        for (int i = 0; i < index; i++) {
            Waiter earlier = waiters.get(i);
            if (!earlier.owner().equals(w.owner()) && w.type().conflictsWith(earlier.type())
                && earlier.range().start() < e && s < earlier.range().end()) {
                return true;
            }
        }
        return false;
    }

    /** The first reservation of another opener refusing {@code access}/{@code deny}; null if none. */
    Reservation shareConflict(LockOwner opener, int access, int deny) {
        for (Reservation r : reservations) {
            if (!r.owner.equals(opener) && ((r.access & deny) != 0 || (access & r.deny) != 0)) {
                return r;
            }
        }
        return null;
    }
}
