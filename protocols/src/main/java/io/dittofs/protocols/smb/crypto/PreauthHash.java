package io.dittofs.protocols.smb.crypto;

import java.nio.ByteBuffer;

/** SMB 3.1.1 pre-authentication integrity hash (SHA-512 chain). Not thread-safe. */
public final class PreauthHash {
    public PreauthHash() {
    }

    public void update(ByteBuffer msg, int off, int len) {
        throw new UnsupportedOperationException("not yet");
    }

    public byte[] value() {
        throw new UnsupportedOperationException("not yet");
    }

    public PreauthHash copy() {
        throw new UnsupportedOperationException("not yet");
    }
}
