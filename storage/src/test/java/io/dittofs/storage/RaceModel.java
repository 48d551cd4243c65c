package io.dittofs.storage;

import io.dittofs.core.FsError;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The expected state of a few files in one directory (name to inode, inode to content) under
 * WRITE, SETATTR size, REMOVE, RENAME and CREATE, and a linearizability check: given operations
 * that ran concurrently, with their outcomes and invocation/response times, {@link #linearize}
 * finds an order that respects real time (an operation that returned before another started comes
 * first), predicts every outcome, and ends in the observed state. Operations are immutable
 * records; a {@link State} is never modified in place (content arrays are replaced, not changed).
 * Not thread-safe (the test checks between rounds).
 */
final class RaceModel {

    /** One operation as a thread issued it. */
    sealed interface Op permits Write, Truncate, Remove, Rename, Create {
    }

    record Write(long id, long offset, byte[] data) implements Op {
    }

    record Truncate(long id, long size) implements Op {
    }

    record Remove(String name) implements Op {
    }

    record Rename(String from, String to) implements Op {
    }

    record Create(String name) implements Op {
    }

    /** What happened: {@code error} null on success; {@code createdId} for CREATE; nanoTime stamps. */
    record Done(Op op, FsError error, long createdId, long invoked, long returned) {
    }

    /** Names to inode ids and live inodes to content. */
    record State(Map<String, Long> names, Map<Long, byte[]> content) {
        static State empty() {
            return new State(Map.of(), Map.of());
        }

        State copy() {
            return new State(new HashMap<>(names), new HashMap<>(content));
        }

        boolean sameAs(State o) {
            if (!names.equals(o.names) || !content.keySet().equals(o.content.keySet())) {
                return false;
            }
            for (Map.Entry<Long, byte[]> e : content.entrySet()) {
                if (!Arrays.equals(e.getValue(), o.content.get(e.getKey()))) {
                    return false;
                }
            }
            return true;
        }

        long liveBytes() {
            long n = 0;
            for (byte[] b : content.values()) {
                n += b.length;
            }
            return n;
        }
    }

    private RaceModel() {
    }

    /**
     * Applies {@code d.op()} to {@code s} if its recorded outcome is what the model predicts there;
     * null otherwise. {@code known} holds every inode id seen before (a CREATE must hand out a new one).
     */
    static State apply(State s, Done d, Set<Long> known) {
        switch (d.op()) {
            case Write w -> {
                byte[] old = s.content().get(w.id());
                if (old == null) {
                    return d.error() == FsError.STALE ? s : null;
                }
                if (d.error() != null) {
                    return null;
                }
                byte[] now = Arrays.copyOf(old, (int) Math.max(old.length, w.offset() + w.data().length));
                System.arraycopy(w.data(), 0, now, (int) w.offset(), w.data().length);
                State n = s.copy();
                n.content().put(w.id(), now);
                return n;
            }
            case Truncate t -> {
                byte[] old = s.content().get(t.id());
                if (old == null) {
                    return d.error() == FsError.STALE ? s : null;
                }
                if (d.error() != null) {
                    return null;
                }
                State n = s.copy();
                n.content().put(t.id(), Arrays.copyOf(old, (int) t.size()));
                return n;
            }
            case Remove r -> {
                Long id = s.names().get(r.name());
                if (id == null) {
                    return d.error() == FsError.NOT_FOUND ? s : null;
                }
                if (d.error() != null) {
                    return null;
                }
                State n = s.copy();
                n.names().remove(r.name());
                n.content().remove(id);
                return n;
            }
            case Rename r -> {
                Long id = s.names().get(r.from());
                if (id == null) {
                    return d.error() == FsError.NOT_FOUND ? s : null;
                }
                if (d.error() != null) {
                    return null;
                }
                State n = s.copy();
                Long over = n.names().put(r.to(), id);
                n.names().remove(r.from());
                if (over != null) {
                    n.content().remove(over);
                }
                return n;
            }
            case Create c -> {
                if (d.error() != null) {
                    return null;
                }
                Long id = s.names().get(c.name());
                if (id != null) {
                    return id == d.createdId() ? s : null;
                }
                if (known.contains(d.createdId())) {
                    return null;
                }
                State n = s.copy();
                n.names().put(c.name(), d.createdId());
                n.content().put(d.createdId(), new byte[0]);
                return n;
            }
        }
    }

    /**
     * An order of {@code ops}, starting from {@code start}, that respects real time, predicts each
     * recorded outcome and ends in {@code observed}; null if there is none.
     */
    static List<Done> linearize(State start, List<Done> ops, State observed, Set<Long> known) {
        List<Done> order = new ArrayList<>();
        return search(start, ops, new boolean[ops.size()], order, observed, known) ? order : null;
    }

    private static boolean search(State s, List<Done> ops, boolean[] used, List<Done> order, State observed,
                                  Set<Long> known) {
        if (order.size() == ops.size()) {
            return s.sameAs(observed);
        }
        for (int j = 0; j < ops.size(); j++) {
            if (used[j] || !mayGoNext(ops, used, j)) {
                continue;
            }
            Done d = ops.get(j);
            State next = apply(s, d, known);
            if (next == null) {
                continue;
            }
            Set<Long> k = known;
            if (d.op() instanceof Create && next != s) {
                k = new HashSet<>(known);
                k.add(d.createdId());
            }
            used[j] = true;
            order.add(d);
            if (search(next, ops, used, order, observed, k)) {
                return true;
            }
            order.remove(order.size() - 1);
            used[j] = false;
        }
        return false;
    }

    /** No unplaced operation returned before {@code j} was invoked. */
    private static boolean mayGoNext(List<Done> ops, boolean[] used, int j) {
        for (int i = 0; i < ops.size(); i++) {
            if (!used[i] && i != j && ops.get(i).returned() < ops.get(j).invoked()) {
                return false;
            }
        }
        return true;
    }
}
