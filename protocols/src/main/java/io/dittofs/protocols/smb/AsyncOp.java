package io.dittofs.protocols.smb;

import io.dittofs.protocols.smb.codec.SmbEncoder;
import io.dittofs.protocols.smb.header.Smb2Header;

/**
 * One request that waits (MS-SMB2 3.3.4.2): it was answered with an interim STATUS_PENDING response
 * carrying {@link #asyncId()} and is finished later by {@link #complete}, which sends the final
 * response with the same MessageId and AsyncId (credits were granted on the interim response, so
 * the final one grants none).
 *
 * <p>Life: created by {@link SmbRequest#goAsync}; <em>armed</em> once the interim response has been
 * sent (a completion that comes earlier is kept and sent right after it, so the client never sees
 * the final response first); done exactly once, by the handler's completion or by a cancel
 * ({@link #cancel}: CANCEL, CLOSE of its handle, TREE_DISCONNECT, LOGOFF, connection loss), whose
 * {@link Canceller} withdraws what the handler waits for and completes the op with the status the
 * reason calls for. Thread-safe: state changes under this object's monitor; sending and the
 * canceller run outside it.
 */
public final class AsyncOp {
    /** Why an op is cancelled; each handler maps it to its final status. */
    public enum Reason { CANCEL, CLOSE, TREE_DISCONNECT, LOGOFF, DISCONNECT }

    /** Writes a final response body (after the header) at the encoder's position. */
    @FunctionalInterface
    public interface Body {
        void write(SmbEncoder out);
    }

    /** Withdraws the wait of a handler and completes the op (or leaves it to a completion under way). */
    @FunctionalInterface
    public interface Canceller {
        void cancel(AsyncOp op, Reason why);
    }

    private final AsyncOps table;
    private final long asyncId;
    private final Smb2Header request;
    private final Session session;
    private final TreeConnect tree;
    private final Open open;
    private final boolean signed;
    private final boolean encrypted;
    private final int bodyCapacity;
    private Canceller canceller;
    private boolean armed;
    private boolean done;
    private boolean sent;
    private int status;
    private Body body;

    AsyncOp(AsyncOps table, long asyncId, Smb2Header request, Session session, TreeConnect tree, Open open,
            boolean signed, boolean encrypted, int bodyCapacity) {
        this.table = table;
        this.asyncId = asyncId;
        this.request = request;
        this.session = session;
        this.tree = tree;
        this.open = open;
        this.signed = signed;
        this.encrypted = encrypted;
        this.bodyCapacity = bodyCapacity;
    }

    public long asyncId() {
        return asyncId;
    }

    /** The header of the request this op answers (MessageId, command, CreditCharge, SessionId). */
    public Smb2Header request() {
        return request;
    }

    public Session session() {
        return session;
    }

    public TreeConnect tree() {
        return tree;
    }

    /** The handle the op waits on, or null. */
    public Open open() {
        return open;
    }

    /** Whether the final response is signed (the session signs, and it must or the request was signed). */
    public boolean signed() {
        return signed;
    }

    /** Whether the final response is encrypted with the session's cipher (the request came encrypted). */
    public boolean encrypted() {
        return encrypted;
    }

    /** The most body bytes the final response may carry. */
    public int bodyCapacity() {
        return bodyCapacity;
    }

    synchronized void canceller(Canceller c) {
        canceller = c;
    }

    public synchronized boolean isDone() {
        return done;
    }

    /**
     * Finishes the op with {@code status} and, for a success or warning, {@code body} (null: the
     * ERROR body). Only the first completion counts.
     *
     * @return false when the op was already done
     */
    public boolean complete(int status, Body body) {
        synchronized (this) {
            if (done) {
                return false;
            }
            done = true;
            this.status = status;
            this.body = body;
            if (!armed) {
                table.remove(this);
                return true; // sent by arm(), after the interim response
            }
            sent = true;
        }
        table.remove(this);
        table.send(this, status, body);
        return true;
    }

    /** Cancels the op for {@code why}: its canceller withdraws the wait and completes it. */
    public void cancel(Reason why) {
        Canceller c;
        synchronized (this) {
            if (done) {
                return;
            }
            c = canceller;
        }
        if (c != null) {
            c.cancel(this, why);
        }
        if (why == Reason.DISCONNECT) {
            complete(NtStatus.CANCELLED, null); // nobody to answer; make sure it leaves the table
        }
    }

    /** Called once the interim response is on the wire; sends a completion that came earlier. */
    public void arm() {
        int s;
        Body b;
        synchronized (this) {
            if (armed) {
                return;
            }
            armed = true;
            if (!done || sent) {
                return;
            }
            sent = true;
            s = status;
            b = body;
        }
        table.send(this, s, b);
    }
}
