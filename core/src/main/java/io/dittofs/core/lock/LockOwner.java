package io.dittofs.core.lock;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * Who holds a lock: a protocol ({@code "nlm"}, {@code "nfs4"}, {@code "smb"}), the client inside
 * that protocol (NLM caller name, NFSv4 client id, SMB session) and an opaque owner chosen by
 * the client (NLM {@code oh} + svid, NFSv4 lock-owner, SMB open). Two owners are equal when all
 * three are equal by value; owners of different protocols never compare equal, so a v3 lock and a
 * v4 lock on the same range conflict.
 *
 * <p>Immutable and thread-safe: the owner bytes are copied in and never handed out.
 *
 * @param protocol the protocol family, compared by value
 * @param clientId the client within that protocol; {@link LockManager#releaseClient} drops all of it
 * @param owner    opaque owner bytes (copied)
 */
public record LockOwner(String protocol, String clientId, byte[] owner) {
    public LockOwner {
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(clientId, "clientId");
        owner = owner.clone();
    }

    /** A copy of the owner bytes. */
    @Override
    public byte[] owner() {
        return owner.clone();
    }

    /** Length of the owner bytes, without copying them. */
    public int ownerLength() {
        return owner.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LockOwner other && protocol.equals(other.protocol)
            && clientId.equals(other.clientId) && Arrays.equals(owner, other.owner);
    }

    @Override
    public int hashCode() {
        return (protocol.hashCode() * 31 + clientId.hashCode()) * 31 + Arrays.hashCode(owner);
    }

    @Override
    public String toString() {
        return protocol + ":" + clientId + ":" + HexFormat.of().formatHex(owner);
    }
}
