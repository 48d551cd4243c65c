package io.dittofs.protocols.nfs.v4.state;

/**
 * An open-owner or lock-owner (open_owner4 / lock_owner4) of one client, with the NFSv4.0 owner
 * sequence id and its one-entry replay cache (RFC 7530 section 9.1.7). In 4.1+ sessions give
 * exactly-once semantics and the owner seqid is ignored.
 *
 * <p>Thread-safety: callers serialise the requests of one owner by holding this object's monitor
 * around check, execute and {@link #done}.
 */
public final class Owner {
    /** What a 4.0 owner seqid means. */
    public enum SeqidCheck { NEW, REPLAY }

    private final ClientRecord client;
    private final OwnerKey owner;
    private final boolean lockOwner;
    private int seqid;
    private boolean seqidKnown;
    private byte[] lastReply;
    /** 4.0: an open-owner is confirmed by its first OPEN_CONFIRM (or a reclaim). */
    boolean confirmed;
    int states;

    Owner(ClientRecord client, OwnerKey owner, boolean lockOwner) {
        this.client = client;
        this.owner = owner;
        this.lockOwner = lockOwner;
    }

    public ClientRecord client() {
        return client;
    }

    public OwnerKey owner() {
        return owner;
    }

    public boolean isLockOwner() {
        return lockOwner;
    }

    public boolean confirmed() {
        return confirmed;
    }

    public void confirm() {
        confirmed = true;
    }

    /**
     * The 4.0 seqid rule: the next seqid is new, the last one is a replay (answer {@link #lastReply()}),
     * anything else is NFS4ERR_BAD_SEQID. The first request of an owner sets its seqid.
     */
    public SeqidCheck check(int requestSeqid) {
        if (!seqidKnown || requestSeqid == seqid + 1) {
            return SeqidCheck.NEW;
        }
        if (requestSeqid == seqid && lastReply != null) {
            return SeqidCheck.REPLAY;
        }
        throw new StateException(StateError.BAD_SEQID);
    }

    /** Whether {@code requestSeqid} is a retransmission of the last request with a kept reply. */
    public boolean wouldReplay(int requestSeqid) {
        return seqidKnown && requestSeqid == seqid && lastReply != null;
    }

    /**
     * A 4.0 request with this seqid was answered (success, or an error that bumps the seqid per
     * RFC 7530 section 9.1.7): remember the seqid and the reply for a retransmission.
     */
    public void done(int requestSeqid, byte[] reply) {
        seqid = requestSeqid;
        seqidKnown = true;
        lastReply = reply;
    }

    /** Forgets the seqid: an unconfirmed open-owner starts over with its next OPEN (RFC 7530 section 16.16.5). */
    public void reset() {
        seqidKnown = false;
        lastReply = null;
    }

    public byte[] lastReply() {
        return lastReply;
    }
}
