package io.dittofs.protocols.nfs.v4.state;

import io.dittofs.protocols.rpc.BackChannel;

import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The back channel of one NFSv4.1 session (RFC 8881 section 2.10.3.1): the client connection(s) bound
 * for callbacks (CREATE_SESSION with CREATE_SESSION4_FLAG_CONN_BACK_CHAN, BIND_CONN_TO_SESSION for the
 * back or both directions), the callback program (csa_cb_program, BACKCHANNEL_CTL) and a back-channel
 * slot table of one slot with its sequence id (section 2.10.6). Every newly bound connection is probed
 * with CB_NULL (on a short-lived virtual thread) before delegations are granted over it; recalls are
 * CB_COMPOUND { CB_SEQUENCE, CB_RECALL } (section 20.2, 20.9), one at a time per session, each waiting
 * a bounded time for its reply.
 *
 * <p>The path is <em>down</em> (SEQ4_STATUS_CB_PATH_DOWN) when the client asked for a back channel and
 * it is unusable: its connection closed, or a callback over it failed. Binding a connection again
 * brings it back.
 *
 * <p>Thread-safe: the channel and flags are volatile; the slot's sequence id is guarded by the slot
 * semaphore.
 */
public final class CallbackPath {
    /** The callback program's version (RFC 8881 section 20: NFS4_CALLBACK version 1). */
    static final int CB_VERSION = 1;
    static final int CB_NULL = 0;
    static final int CB_COMPOUND = 1;
    static final int OP_CB_RECALL = 4;
    static final int OP_CB_SEQUENCE = 11;
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(10);

    private final SessionId session;
    private final Semaphore slot = new Semaphore(1);
    private volatile BackChannel channel;
    private volatile int program;
    private volatile boolean requested;
    private volatile boolean failed;
    /** The bound connection answered CB_NULL: callbacks reach the client. */
    private volatile boolean probed;
    /** The back-channel slot's last sequence id, guarded by {@link #slot}. */
    private int sequence;

    CallbackPath(SessionId session, int program) {
        this.session = session;
        this.program = program;
    }

    /** The connection of the running call, when its transport can carry callbacks; else null. */
    public static BackChannel current() {
        return BackChannel.CURRENT.isBound() ? BackChannel.CURRENT.get() : null;
    }

    /** A connection for callbacks (null: the transport cannot call back, nothing changes). */
    public void bind(BackChannel ch) {
        requested = true;
        if (ch == null) {
            return;
        }
        boolean fresh = ch != channel || failed;
        channel = ch;
        failed = false;
        if (fresh || !probed) {
            probed = false;
            Thread.ofVirtual().name("nfs4-cb-probe").start(() -> probeQuietly(ch));
        }
    }

    /** CB_NULL on a newly bound connection (the client answers it once it has read our reply). */
    private void probeQuietly(BackChannel ch) {
        try {
            ch.call(program, CB_VERSION, CB_NULL, new byte[0], PROBE_TIMEOUT);
            if (channel == ch) {
                probed = true;
            }
        } catch (IOException e) {
            if (channel == ch) {
                failed = true;
            }
        }
    }

    /** BACKCHANNEL_CTL: the program callbacks go to from now on. */
    public void program(int p) {
        program = p;
    }

    public int program() {
        return program;
    }

    /** Whether callbacks can be sent now: a connection is bound, open, answered CB_NULL, and nothing failed since. */
    public boolean usable() {
        BackChannel ch = channel;
        return ch != null && ch.isOpen() && !failed && probed;
    }

    /**
     * SEQ4_STATUS_CB_PATH_DOWN: the client asked for a back channel and has none (its connection
     * closed, or a callback failed or went unanswered). A probe still in flight does not count.
     */
    public boolean down() {
        BackChannel ch = channel;
        return requested && (ch == null || !ch.isOpen() || failed);
    }

    /**
     * CB_COMPOUND { CB_SEQUENCE, CB_RECALL(stateid, truncate false, fh) }.
     *
     * @param minor the client's minor version (the Linux client matches it to find the session)
     * @return the CB_COMPOUND's status (NFS4_OK: the client will DELEGRETURN)
     * @throws IOException when it could not be sent or no reply came in time (the path is then down)
     */
    public int recall(int minor, int seqid, byte[] other, byte[] fh, Duration timeout) throws IOException {
        BackChannel ch = usableChannel();
        try {
            if (!slot.tryAcquire(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                throw new IOException("back-channel slot busy");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        try {
            int seq = sequence + 1;
            byte[] res;
            try {
                res = ch.call(program, CB_VERSION, CB_COMPOUND, recallArgs(minor, seq, seqid, other, fh), timeout);
            } catch (IOException e) {
                failed = true; // the slot's state is unknown now: the client must bind a connection again
                throw e;
            }
            sequence = seq;
            return status(res);
        } finally {
            slot.release();
        }
    }

    private BackChannel usableChannel() throws IOException {
        BackChannel ch = channel;
        if (ch == null || !ch.isOpen() || failed) {
            throw new IOException("no usable back channel");
        }
        return ch;
    }

    /** CB_COMPOUND4args: tag "", minorversion, callback_ident 0, {CB_SEQUENCE4args, CB_RECALL4args}. */
    byte[] recallArgs(int minor, int seq, int seqid, byte[] other, byte[] fh) {
        int fhPad = -fh.length & 3;
        ByteBuffer b = ByteBuffer.allocate(16 + 4 + 16 + 4 * 5 + 4 + 4 + 12 + 4 + 4 + fh.length + fhPad);
        b.putInt(0).putInt(minor).putInt(0).putInt(2);
        b.putInt(OP_CB_SEQUENCE).put(session.bytes()).putInt(seq).putInt(0).putInt(0).putInt(0).putInt(0);
        b.putInt(OP_CB_RECALL).putInt(seqid).put(other).putInt(0).putInt(fh.length).put(fh).put(new byte[fhPad]);
        return b.array();
    }

    /** The status of a CB_COMPOUND4res. */
    private static int status(byte[] res) throws IOException {
        try {
            return ByteBuffer.wrap(res).getInt();
        } catch (BufferUnderflowException e) {
            throw new IOException("short CB_COMPOUND reply");
        }
    }
}
