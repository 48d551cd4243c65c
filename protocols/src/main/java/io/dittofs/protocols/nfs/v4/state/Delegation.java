package io.dittofs.protocols.nfs.v4.state;

import io.dittofs.core.lock.Delegations;
import io.dittofs.core.lock.FileKey;

import java.nio.ByteBuffer;

/**
 * One NFSv4 read delegation (RFC 8881 section 10.2): its stateid (the server epoch and a key with
 * {@link DelegationTable#KEY_BIT} set, so it never names an open or lock state), the client and the
 * session whose back channel recalls it, the file, and the core {@link Delegations.Grant} that other
 * protocols see.
 *
 * <p>Thread-safety: identity is final; the recall and revocation flags are volatile; revoking it and
 * removing it from the {@link DelegationTable} hold its monitor.
 */
public final class Delegation {
    private final long key;
    private final int epoch;
    private final ClientRecord client;
    private final Session session;
    private final FileKey file;
    private final byte[] fh;
    private final Delegations.Grant grant;
    /** A recall reached the client (it answered the CB_RECALL). */
    volatile boolean recallSent;
    private volatile boolean revoked;

    Delegation(long key, int epoch, ClientRecord client, Session session, FileKey file, byte[] fh,
               Delegations.Grant grant) {
        this.key = key;
        this.epoch = epoch;
        this.client = client;
        this.session = session;
        this.file = file;
        this.fh = fh.clone();
        this.grant = grant;
    }

    long key() {
        return key;
    }

    /** The stateid's "other" field. */
    public byte[] other() {
        return ByteBuffer.allocate(12).putInt(epoch).putLong(key).array();
    }

    /** Delegation stateids keep seqid 1: they never change (RFC 8881 section 8.2.2). */
    public int seqid() {
        return 1;
    }

    public ClientRecord client() {
        return client;
    }

    public Session session() {
        return session;
    }

    public FileKey file() {
        return file;
    }

    byte[] fh() {
        return fh;
    }

    Delegations.Grant grant() {
        return grant;
    }

    /** Whether a recall was started (by anybody's conflicting change). */
    public boolean recalled() {
        return grant.recalled();
    }

    /** Taken away: not returned in time after a recall. */
    public boolean revoked() {
        return revoked;
    }

    void revoke() {
        revoked = true;
    }
}
