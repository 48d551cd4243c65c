package io.dittofs.protocols.smb.crypto;

import java.util.Arrays;

/**
 * The keys of one SMB2 session, MS-SMB2 3.3.5.5.3 (server side). Immutable once built; callers
 * must not modify the arrays.
 *
 * @param signingKey key of the session's {@link Signer}
 * @param encryptionKey server → client (3.0/3.0.2 "ServerOut", 3.1.1 "SMBS2CCipherKey"); empty below 3.0
 * @param decryptionKey client → server (3.0/3.0.2 "ServerIn ", 3.1.1 "SMBC2SCipherKey"); empty below 3.0
 * @param applicationKey key handed to applications (e.g. DCE/RPC over SMB)
 */
public record SmbKeys(byte[] signingKey, byte[] encryptionKey, byte[] decryptionKey, byte[] applicationKey) {

    /**
     * Derives the session keys (MS-SMB2 3.1.4.2, 3.3.5.5.3).
     *
     * @param dialect the negotiated dialect as on the wire (0x0202, 0x0210, 0x0300, 0x0302, 0x0311)
     * @param sessionKey the exported session key of the authentication; its first 16 bytes are used
     *     (right-padded with zeros when shorter)
     * @param preauthHash the session's 64-byte pre-authentication hash for 0x0311, else ignored
     */
    public static SmbKeys derive(int dialect, byte[] sessionKey, byte[] preauthHash) {
        return derive(dialect, sessionKey, preauthHash, 0);
    }

    /**
     * The same for a connection that negotiated {@code cipherId} (0: none): with an AES-256 cipher the
     * encryption and decryption keys are 32 bytes, derived with L = 256 from the full session key
     * (MS-SMB2 3.3.5.5.3).
     */
    public static SmbKeys derive(int dialect, byte[] sessionKey, byte[] preauthHash, int cipherId) {
        byte[] key = Arrays.copyOf(sessionKey, 16);
        switch (dialect) {
            case 0x0202, 0x0210 -> {
                return new SmbKeys(key, new byte[0], new byte[0], key.clone());
            }
            case 0x0300, 0x0302 -> {
                return new SmbKeys(
                        Kdf.derive(key, Kdf.z("SMB2AESCMAC"), Kdf.z("SmbSign")),
                        Kdf.derive(key, Kdf.z("SMB2AESCCM"), Kdf.z("ServerOut")),
                        Kdf.derive(key, Kdf.z("SMB2AESCCM"), Kdf.z("ServerIn ")),
                        Kdf.derive(key, Kdf.z("SMB2APP"), Kdf.z("SmbRpc")));
            }
            case 0x0311 -> {
                if (preauthHash == null || preauthHash.length != 64) {
                    throw new IllegalArgumentException("dialect 3.1.1 needs the 64-byte pre-authentication hash");
                }
                boolean aes256 = SmbCipher.keyLength(cipherId) == 32;
                byte[] cipherKey = aes256 ? sessionKey : key;
                int bits = aes256 ? 256 : 128;
                return new SmbKeys(
                        Kdf.derive(key, Kdf.z("SMBSigningKey"), preauthHash),
                        Kdf.derive(cipherKey, Kdf.z("SMBS2CCipherKey"), preauthHash, bits),
                        Kdf.derive(cipherKey, Kdf.z("SMBC2SCipherKey"), preauthHash, bits),
                        Kdf.derive(key, Kdf.z("SMBAppKey"), preauthHash));
            }
            default -> throw new IllegalArgumentException("unknown SMB2 dialect 0x" + Integer.toHexString(dialect));
        }
    }
}
