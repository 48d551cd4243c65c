package io.dittofs.storage.cache;

import io.dittofs.core.FsError;
import io.dittofs.core.FsException;
import io.dittofs.core.spi.BlockStore;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongPredicate;

/**
 * A fault injector around a real block store: forwards every call to {@code inner} unless a
 * fault is armed for that operation and content, then throws {@code FsException(error)} instead
 * (the call does not reach {@code inner}). A fault lasts until {@link #heal()} or, when armed
 * with a count, for that many failed calls (a store that comes back by itself). Every forwarded
 * or failed call is recorded, with what {@link #probe} says at that moment, so tests can check
 * the order of syncs against other events. Thread-safe.
 */
final class FaultyBlockStore implements BlockStore {
    enum Op { READ, WRITE, TRUNCATE, DELETE, SYNC }

    /** One call: the operation, the content, whether it failed, and the probe's answer then. */
    record Call(Op op, long contentId, boolean failed, String probe) {
    }

    private final BlockStore inner;
    private volatile Set<Op> failing = EnumSet.noneOf(Op.class);
    private volatile LongPredicate which = id -> true;
    private volatile FsError error = FsError.IO;
    /** Failures left before the fault clears itself; negative: until healed. */
    private final AtomicInteger left = new AtomicInteger(-1);
    private final AtomicLong failures = new AtomicLong();
    private final List<Call> calls = new ArrayList<>();
    volatile java.util.function.Supplier<String> probe = () -> "";

    FaultyBlockStore(BlockStore inner) {
        this.inner = inner;
    }

    /** The store underneath, to check what really landed. */
    BlockStore inner() {
        return inner;
    }

    /** Fails {@code ops} on every content with {@code error} until {@link #heal()}. */
    FaultyBlockStore fail(FsError error, Op... ops) {
        return fail(error, -1, id -> true, ops);
    }

    /** Fails {@code ops} on the content ids {@code which} accepts, for {@code times} calls (negative: until healed). */
    FaultyBlockStore fail(FsError error, int times, LongPredicate which, Op... ops) {
        this.error = error;
        this.which = which;
        this.left.set(times);
        this.failing = ops.length == 0 ? EnumSet.noneOf(Op.class) : EnumSet.of(ops[0], ops);
        return this;
    }

    void heal() {
        failing = EnumSet.noneOf(Op.class);
    }

    /** Whether a fault is still armed. */
    boolean isFailing() {
        return !failing.isEmpty();
    }

    long failures() {
        return failures.get();
    }

    List<Call> calls() {
        synchronized (calls) {
            return List.copyOf(calls);
        }
    }

    private void enter(Op op, long id) {
        boolean fail = failing.contains(op) && which.test(id);
        if (fail && left.get() >= 0 && left.getAndDecrement() <= 0) {
            heal();
            fail = false;
        }
        synchronized (calls) {
            calls.add(new Call(op, id, fail, op == Op.SYNC ? probe.get() : ""));
        }
        if (fail) {
            failures.incrementAndGet();
            throw new FsException(error, "injected " + error + " on " + op + " of " + id);
        }
    }

    @Override
    public void read(long contentId, long offset, MemorySegment dst) {
        enter(Op.READ, contentId);
        inner.read(contentId, offset, dst);
    }

    @Override
    public void write(long contentId, long offset, MemorySegment src) {
        enter(Op.WRITE, contentId);
        inner.write(contentId, offset, src);
    }

    @Override
    public void truncate(long contentId, long size) {
        enter(Op.TRUNCATE, contentId);
        inner.truncate(contentId, size);
    }

    @Override
    public void delete(long contentId) {
        enter(Op.DELETE, contentId);
        inner.delete(contentId);
    }

    @Override
    public void sync(long contentId) {
        enter(Op.SYNC, contentId);
        inner.sync(contentId);
    }

    @Override
    public long usedBytes() {
        return inner.usedBytes();
    }

    @Override
    public long capacityBytes() {
        return inner.capacityBytes();
    }

    @Override
    public String kind() {
        return "faulty+" + inner.kind();
    }

    @Override
    public void close() {
        inner.close();
    }
}
