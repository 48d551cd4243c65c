package io.dittofs.protocols.nfs.v4.state;

import java.util.Objects;

/**
 * One client as the server knows it (RFC 7530 section 9.1.1, RFC 8881 section 2.4): its owner
 * string, boot verifier, the principal that created it and the clientid it was given, its lease and
 * what it may still reclaim. Created by {@link ClientTable}.
 *
 * <p>Thread-safety: identity fields are final; the lease time stamp is volatile (renewed without a
 * lock on every SEQUENCE/RENEW); the rest is guarded by the owning {@link ClientTable}'s monitor,
 * except the CREATE_SESSION replay fields, guarded by this record's monitor.
 */
public final class ClientRecord {
    /** Callback parameters of SETCLIENTID (4.0); kept for reporting, no callbacks are made. */
    public record Callback(int program, String netid, String addr, int ident) {
    }

    private final long clientId;
    private final OwnerKey owner;
    private final long verifier;
    private final String principal;
    private final int minorVersion;
    private volatile long lastRenewNanos;
    private volatile boolean confirmed;
    private volatile boolean gone;
    long confirmVerifier;
    Callback callback;
    boolean mayReclaim;
    boolean reclaimComplete;
    int sessions;
    /** Next CREATE_SESSION sequence expected (eir_sequenceid), guarded by this. */
    private int createSessionSeq = 1;
    private byte[] createSessionReply;

    ClientRecord(long clientId, OwnerKey owner, long verifier, String principal, int minorVersion, long now) {
        this.clientId = clientId;
        this.owner = owner;
        this.verifier = verifier;
        this.principal = Objects.requireNonNull(principal);
        this.minorVersion = minorVersion;
        this.lastRenewNanos = now;
    }

    public long clientId() {
        return clientId;
    }

    public OwnerKey owner() {
        return owner;
    }

    public long verifier() {
        return verifier;
    }

    public String principal() {
        return principal;
    }

    public int minorVersion() {
        return minorVersion;
    }

    public boolean confirmed() {
        return confirmed;
    }

    void confirm() {
        confirmed = true;
    }

    /** True once the record was destroyed or purged; its stateids and sessions are gone with it. */
    public boolean gone() {
        return gone;
    }

    void markGone() {
        gone = true;
    }

    /** The SETCLIENTID_CONFIRM verifier handed out with this record (4.0). */
    public long confirmVerifier() {
        return confirmVerifier;
    }

    public long lastRenewNanos() {
        return lastRenewNanos;
    }

    /** Renews the lease at {@code now} (a volatile write). */
    public void renew(long now) {
        lastRenewNanos = now;
    }

    /** Serialises the CREATE_SESSIONs of this client (taken before the client table's monitor, never after). */
    public Object createSessionLock() {
        return createSessionLock;
    }

    private final Object createSessionLock = new Object();

    /** True when the lease ran out at {@code now}; the client is then a courtesy client until purged. */
    public boolean expired(long now, long leaseNanos) {
        return now - lastRenewNanos > leaseNanos;
    }

    /** The sequence id the next CREATE_SESSION must carry. */
    public synchronized int createSessionSeq() {
        return createSessionSeq;
    }

    /**
     * Classifies a CREATE_SESSION sequence id (RFC 8881 section 18.36.4): {@code true} for a new request,
     * {@code false} for a replay of the last one (then {@link #createSessionReply()} holds its answer).
     *
     * @throws StateException SEQ_MISORDERED otherwise
     */
    public synchronized boolean checkCreateSessionSeq(int seq) {
        if (seq == createSessionSeq) {
            return true;
        }
        if (seq == createSessionSeq - 1 && createSessionReply != null) {
            return false;
        }
        throw new StateException(StateError.SEQ_MISORDERED);
    }

    /** Records the answer of the CREATE_SESSION that carried the expected sequence id. */
    public synchronized void createSessionDone(byte[] reply) {
        createSessionReply = reply.clone();
        createSessionSeq++;
    }

    public synchronized byte[] createSessionReply() {
        return createSessionReply == null ? null : createSessionReply.clone();
    }

    @Override
    public String toString() {
        return "client " + Long.toHexString(clientId) + " owner " + owner + (confirmed ? "" : " (unconfirmed)");
    }
}
