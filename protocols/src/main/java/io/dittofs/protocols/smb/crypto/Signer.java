package io.dittofs.protocols.smb.crypto;

import java.nio.ByteBuffer;

/**
 * Signs and verifies one SMB2 message: a 64-byte header at {@code off} followed by the body,
 * {@code len} bytes in all; the signature is the 16 bytes at header offset 48 (MS-SMB2 3.1.4.1).
 * Implementations are thread-safe (requests of one session are signed concurrently) and read the
 * buffer with absolute indexes, leaving its position and limit untouched.
 */
public interface Signer {
    /** Offset of the signature field in the SMB2 header. */
    int SIGNATURE_OFFSET = 48;
    /** Size of an SMB2 header. */
    int HEADER_SIZE = 64;

    /** Computes the signature over the message with a zeroed signature field and writes it there. */
    void sign(ByteBuffer msg, int off, int len);

    /** True if the signature field holds the message's signature; never modifies the message. */
    boolean verify(ByteBuffer msg, int off, int len);
}
