package io.dittofs.protocols.smb;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * The requests of one connection that wait for an asynchronous final response (MS-SMB2 3.3.1.7
 * Connection.AsyncCommandList), found by AsyncId or MessageId for CANCEL (3.3.5.16) and by handle,
 * tree or session when those go away. Bounded: at most {@link #max()} ops wait at once; one more
 * is refused with STATUS_INSUFFICIENT_RESOURCES, so a client cannot pile up waiters (the role
 * of Windows' limit on asynchronous credits, MS-SMB2 3.3.4.2 and its product notes). The connection sets the {@link Sink}
 * that sends final responses. Thread-safe.
 */
public final class AsyncOps {
    /** Default cap of waiting ops per connection. */
    public static final int DEFAULT_MAX = 256;

    /** Sends the final response of a completed op (the connection's writer). */
    @FunctionalInterface
    public interface Sink {
        void send(AsyncOp op, int status, AsyncOp.Body body);
    }

    private static final AtomicLong NEXT_ID = new AtomicLong(System.nanoTime() & 0xFFFF_FFFFL | 1);
    private final Map<Long, AsyncOp> ops = new ConcurrentHashMap<>();
    private final AtomicInteger count = new AtomicInteger();
    private final int max;
    private volatile Sink sink;

    public AsyncOps(int max) {
        this.max = max;
    }

    public int max() {
        return max;
    }

    /** How many ops wait now. */
    public int size() {
        return ops.size();
    }

    public void sink(Sink s) {
        sink = s;
    }

    /**
     * Registers a waiting op for {@code r}.
     *
     * @throws SmbStatusException INSUFFICIENT_RESOURCES when {@link #max()} ops already wait
     */
    AsyncOp start(SmbRequest r, Open open, boolean signed, int bodyCapacity, AsyncOp.Canceller c) {
        if (count.incrementAndGet() > max) {
            count.decrementAndGet();
            throw new SmbStatusException(NtStatus.INSUFFICIENT_RESOURCES, "more than " + max + " waiting requests");
        }
        AsyncOp op = new AsyncOp(this, NEXT_ID.getAndIncrement(), r.header(), r.session(), r.tree(), open, signed,
                r.compound().encrypted(), bodyCapacity);
        op.canceller(c);
        ops.put(op.asyncId(), op);
        return op;
    }

    void remove(AsyncOp op) {
        if (ops.remove(op.asyncId(), op)) {
            count.decrementAndGet();
        }
    }

    void send(AsyncOp op, int status, AsyncOp.Body body) {
        Sink s = sink;
        if (s != null) {
            s.send(op, status, body);
        }
    }

    /** The op a CANCEL names: by AsyncId when the CANCEL is async, else by the MessageId of the request. */
    public AsyncOp find(boolean async, long id) {
        if (async) {
            return ops.get(id);
        }
        for (AsyncOp op : ops.values()) {
            if (op.request().messageId() == id) {
                return op;
            }
        }
        return null;
    }

    private void cancelIf(Predicate<AsyncOp> which, AsyncOp.Reason why) {
        for (AsyncOp op : ops.values()) {
            if (which.test(op)) {
                op.cancel(why);
            }
        }
    }

    /** Cancels what waits on a handle being closed. */
    public void cancelOpen(Open o) {
        cancelIf(op -> op.open() == o, AsyncOp.Reason.CLOSE);
    }

    /** Cancels what waits on a tree being disconnected (before its handles close). */
    public void cancelTree(TreeConnect t) {
        cancelIf(op -> op.tree() == t, AsyncOp.Reason.TREE_DISCONNECT);
    }

    /** Cancels what waits on a session logging off (before its handles close). */
    public void cancelSession(Session s) {
        cancelIf(op -> op.session() == s, AsyncOp.Reason.LOGOFF);
    }

    /** Cancels everything (the connection went away): no final response is sent. */
    public void cancelAll() {
        sink = null;
        cancelIf(op -> true, AsyncOp.Reason.DISCONNECT);
    }
}
