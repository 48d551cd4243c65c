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
     *
     * <p>Overlapping WRITEs that run at the same time are not atomic against each other: the
     * {@link io.dittofs.core.spi.BlockStore} contract only promises that concurrent writes to
     * disjoint ranges both land, the memory store copies them in parallel under a shared lock
     * ("one of them per byte"), and neither NFS nor SMB promises more (RFC 1813 and RFC 8881 define
     * no atomicity between WRITEs; clients split large writes anyway). So where two writes to one
     * file overlap in bytes and in time, and no truncate of that file lies between them in the
     * order, each such byte may hold either write's data. A truncate takes the file's exclusive
     * lock, so no copy straddles it: it ends every such choice. Sizes, names and all other bytes
     * must match exactly.
     */
    static List<Done> linearize(State start, List<Done> ops, State observed, Set<Long> known) {
        if (ops.size() > Byte.SIZE - 1) {
            throw new IllegalArgumentException("at most 7 operations per round");
        }
        List<Done> order = new ArrayList<>();
        return search(start, new HashMap<>(), ops, new boolean[ops.size()], order, observed, known) ? order : null;
    }

    private static boolean search(State s, Map<Long, byte[]> torn, List<Done> ops, boolean[] used, List<Done> order,
                                  State observed, Set<Long> known) {
        if (order.size() == ops.size()) {
            return matches(s, torn, ops, observed);
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
            if (search(next, tear(torn, next, ops, j), ops, used, order, observed, k)) {
                return true;
            }
            order.remove(order.size() - 1);
            used[j] = false;
        }
        return false;
    }

    /**
     * The writers each byte may come from after operation {@code j} was applied (giving {@code next}):
     * per file, a mask per byte with bit {@code i} set when write {@code ops[i]} may have left that
     * byte. A write sets its own bit and keeps only the bits of writes overlapping it in time; a
     * successful truncate clears the file's masks (no copy runs across it).
     */
    private static Map<Long, byte[]> tear(Map<Long, byte[]> torn, State next, List<Done> ops, int j) {
        Done d = ops.get(j);
        if (d.error() != null) {
            return torn;
        }
        switch (d.op()) {
            case Write w -> {
                byte[] now = next.content().get(w.id());
                if (now == null) {
                    return torn;
                }
                byte[] old = torn.get(w.id());
                byte[] mask = old == null ? new byte[now.length] : Arrays.copyOf(old, now.length);
                int keep = concurrentWrites(ops, j, w.id());
                for (int i = (int) w.offset(); i < w.offset() + w.data().length; i++) {
                    mask[i] = (byte) ((1 << j) | (mask[i] & keep));
                }
                Map<Long, byte[]> out = new HashMap<>(torn);
                out.put(w.id(), mask);
                return out;
            }
            case Truncate t -> {
                if (!torn.containsKey(t.id())) {
                    return torn;
                }
                Map<Long, byte[]> out = new HashMap<>(torn);
                out.remove(t.id());
                return out;
            }
            default -> {
                return torn;
            }
        }
    }

    /** The bits of the writes to {@code id} other than {@code ops[j]} whose run overlapped its run. */
    private static int concurrentWrites(List<Done> ops, int j, long id) {
        Done d = ops.get(j);
        int bits = 0;
        for (int i = 0; i < ops.size(); i++) {
            Done o = ops.get(i);
            if (i != j && o.op() instanceof Write w && w.id() == id
                    && o.invoked() <= d.returned() && d.invoked() <= o.returned()) {
                bits |= 1 << i;
            }
        }
        return bits;
    }

    /** {@code s} equals {@code observed}, but for bytes that may hold another concurrent writer's data. */
    private static boolean matches(State s, Map<Long, byte[]> torn, List<Done> ops, State observed) {
        if (!s.names().equals(observed.names()) || !s.content().keySet().equals(observed.content().keySet())) {
            return false;
        }
        for (Map.Entry<Long, byte[]> e : s.content().entrySet()) {
            byte[] want = e.getValue();
            byte[] got = observed.content().get(e.getKey());
            if (want.length != got.length) {
                return false;
            }
            byte[] mask = torn.get(e.getKey());
            for (int i = 0; i < want.length; i++) {
                if (want[i] != got[i] && (mask == null || i >= mask.length || !fromWriter(ops, mask[i], i, got[i]))) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Whether a write whose bit is in {@code mask} had {@code b} at file offset {@code i}. */
    private static boolean fromWriter(List<Done> ops, byte mask, int i, byte b) {
        for (int j = 0; j < ops.size(); j++) {
            if ((mask & (1 << j)) != 0 && ops.get(j).op() instanceof Write w
                    && w.data()[(int) (i - w.offset())] == b) {
                return true;
            }
        }
        return false;
    }

    /**
     * A description of a round for a failure message: each operation with its outcome and times
     * (relative to the earliest invocation), and for every file a write or truncate touched, its
     * size before and after and the observed content as runs of bytes, each named by its source
     * (zeros, the content before the round, or a write of the round).
     */
    static String describe(State start, List<Done> ops, State observed) {
        StringBuilder sb = new StringBuilder();
        long t0 = Long.MAX_VALUE;
        for (Done d : ops) {
            t0 = Math.min(t0, d.invoked());
        }
        Set<Long> files = new java.util.TreeSet<>();
        for (int i = 0; i < ops.size(); i++) {
            Done d = ops.get(i);
            sb.append(String.format("%n  #%d %s err=%s created=%d t=[%d..%d]us", i, name(d.op()), d.error(),
                    d.createdId(), (d.invoked() - t0) / 1000, (d.returned() - t0) / 1000));
            if (d.op() instanceof Write w) {
                files.add(w.id());
            } else if (d.op() instanceof Truncate t) {
                files.add(t.id());
            }
        }
        sb.append(String.format("%n  names before %s after %s", start.names(), observed.names()));
        for (long id : files) {
            byte[] before = start.content().get(id);
            byte[] after = observed.content().get(id);
            sb.append(String.format("%n  inode %d: size before %s, observed %s", id,
                    before == null ? "-" : before.length, after == null ? "-" : after.length));
            if (after != null) {
                sb.append(runs(id, before, after, ops));
            }
        }
        return sb.toString();
    }

    static String name(Op op) {
        return switch (op) {
            case Write w -> "Write(" + w.id() + " @" + w.offset() + "+" + w.data().length + ")";
            case Truncate t -> "Truncate(" + t.id() + ", " + t.size() + ")";
            case Remove r -> "Remove " + r.name();
            case Rename r -> "Rename " + r.from() + " -> " + r.to();
            case Create c -> "Create " + c.name();
        };
    }

    /** The observed content of {@code id} as runs of bytes by source. */
    private static String runs(long id, byte[] before, byte[] after, List<Done> ops) {
        StringBuilder sb = new StringBuilder();
        String cur = null;
        int from = 0;
        for (int i = 0; i <= after.length; i++) {
            String src = i == after.length ? null : source(id, before, after, ops, i);
            if (i == after.length || !src.equals(cur)) {
                if (cur != null) {
                    sb.append(String.format("%n    [%d, %d) %s", from, i, cur));
                }
                cur = src;
                from = i;
            }
        }
        return sb.toString();
    }

    /** Every source byte {@code i} of {@code after} could come from. */
    private static String source(long id, byte[] before, byte[] after, List<Done> ops, int i) {
        StringBuilder s = new StringBuilder();
        if (after[i] == 0) {
            s.append("zero ");
        }
        if (before != null && i < before.length && before[i] == after[i] && after[i] != 0) {
            s.append("old ");
        }
        for (int j = 0; j < ops.size(); j++) {
            if (ops.get(j).op() instanceof Write w && w.id() == id && i >= w.offset()
                    && i < w.offset() + w.data().length && w.data()[(int) (i - w.offset())] == after[i]) {
                s.append('#').append(j).append(' ');
            }
        }
        return s.isEmpty() ? "UNKNOWN" : s.toString().trim();
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
