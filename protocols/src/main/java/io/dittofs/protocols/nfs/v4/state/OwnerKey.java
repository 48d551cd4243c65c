package io.dittofs.protocols.nfs.v4.state;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * An opaque owner (client owner co_ownerid, open_owner4 or lock_owner4 owner) compared by value.
 * Immutable (the bytes are copied in); thread-safe.
 */
public final class OwnerKey {
    /** RFC 7530/8881: NFS4_OPAQUE_LIMIT. */
    public static final int MAX_LEN = 1024;
    private final byte[] bytes;
    private final int hash;

    public OwnerKey(byte[] bytes) {
        if (bytes.length > MAX_LEN) {
            throw new IllegalArgumentException("owner longer than " + MAX_LEN);
        }
        this.bytes = bytes.clone();
        this.hash = Arrays.hashCode(this.bytes);
    }

    /** A copy of the owner bytes. */
    public byte[] bytes() {
        return bytes.clone();
    }

    int length() {
        return bytes.length;
    }

    /** The owner bytes themselves, not to be modified (encoders in this package). */
    byte[] bytesUnsafe() {
        return bytes;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof OwnerKey k && k.hash == hash && Arrays.equals(k.bytes, bytes);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        return HexFormat.of().formatHex(bytes, 0, Math.min(bytes.length, 32));
    }
}
