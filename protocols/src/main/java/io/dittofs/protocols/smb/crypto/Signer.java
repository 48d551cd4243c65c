package io.dittofs.protocols.smb.crypto;

import java.nio.ByteBuffer;

/** Signs and verifies one SMB2 message (64-byte header at {@code off}, signature at header offset 48). */
public interface Signer {
    void sign(ByteBuffer msg, int off, int len);

    boolean verify(ByteBuffer msg, int off, int len);
}
