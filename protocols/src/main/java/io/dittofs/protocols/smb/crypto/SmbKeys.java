package io.dittofs.protocols.smb.crypto;

/** Session keys of MS-SMB2 3.3.5.5.3. Immutable. */
public record SmbKeys(byte[] signingKey, byte[] encryptionKey, byte[] decryptionKey, byte[] applicationKey) {
    public static SmbKeys derive(int dialect, byte[] sessionKey, byte[] preauthHash) {
        throw new UnsupportedOperationException("not yet");
    }
}
