package io.dittofs.protocols.smb.crypto;

/** Factory of {@link Signer}s per dialect and negotiated signing algorithm. */
public final class Signers {
    private Signers() {
    }

    public static Signer forDialect(int dialect, int signingAlgorithmId, byte[] signingKey) {
        throw new UnsupportedOperationException("not yet");
    }
}
