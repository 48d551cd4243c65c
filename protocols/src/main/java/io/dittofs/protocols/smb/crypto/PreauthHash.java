package io.dittofs.protocols.smb.crypto;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * SMB 3.1.1 pre-authentication integrity hash (MS-SMB2 3.3.5.4, 3.3.5.5): starts as 64 zero bytes;
 * each NEGOTIATE / SESSION_SETUP message updates it to {@code SHA-512(value || message)}.
 * Not thread-safe: one per connection (and a {@link #copy()} per session being set up).
 */
public final class PreauthHash {
    private byte[] value;

    public PreauthHash() {
        this(new byte[64]);
    }

    private PreauthHash(byte[] value) {
        this.value = value;
    }

    /** Chains the {@code len} bytes of {@code msg} at {@code off} (a whole SMB2 message). */
    public void update(ByteBuffer msg, int off, int len) {
        if (off < 0 || len < 0 || off > msg.capacity() - len) {
            throw new IllegalArgumentException("range outside the buffer: off=" + off + " len=" + len);
        }
        MessageDigest sha = sha512();
        sha.update(value);
        sha.update(msg.duplicate().limit(off + len).position(off));
        value = sha.digest();
    }

    /** The current 64-byte hash value (a copy). */
    public byte[] value() {
        return value.clone();
    }

    /** An independent hash with the same value. */
    public PreauthHash copy() {
        return new PreauthHash(value.clone());
    }

    private static MessageDigest sha512() {
        try {
            return MessageDigest.getInstance("SHA-512");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-512 unavailable", e);
        }
    }
}
