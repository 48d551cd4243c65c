package io.dittofs.protocols.nfs.v4.state;

import io.dittofs.core.lock.FileKey;
import java.nio.ByteBuffer;

/**
 * A stateid the server handed out (RFC 8881 section 8.2): an open, a lock or (never granted here)
 * a delegation. The "other" field is the server instance's epoch and a unique 64-bit number; the
 * seqid goes up with every change of the state.
 *
 * <p>Thread-safety: identity is final; the seqid and revocation flag are volatile; the share bits and
 * lock list of an {@link OpenState} are guarded by its owner's monitor.
 */
public abstract sealed class StateEntry permits OpenState, LockState {
    private final long key;
    private final int epoch;
    private final Owner owner;
    private final FileKey file;
    private volatile int seqid = 1;
    private volatile boolean revoked;

    StateEntry(long key, int epoch, Owner owner, FileKey file) {
        this.key = key;
        this.epoch = epoch;
        this.owner = owner;
        this.file = file;
    }

    long key() {
        return key;
    }

    /** The stateid's 12-byte "other" field. */
    public byte[] other() {
        return ByteBuffer.allocate(12).putInt(epoch).putLong(key).array();
    }

    public int seqid() {
        return seqid;
    }

    /** The state changed: the next stateid handed out carries seqid + 1 (never 0, reserved in 4.1). */
    public int bump() {
        int next = seqid + 1;
        seqid = next == 0 ? 1 : next;
        return seqid;
    }

    public Owner owner() {
        return owner;
    }

    public ClientRecord client() {
        return owner.client();
    }

    public FileKey file() {
        return file;
    }

    public boolean revoked() {
        return revoked;
    }

    void revoke() {
        revoked = true;
    }
}
