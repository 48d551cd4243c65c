package io.dittofs.protocols.smb.auth;

/**
 * An account SMB can authenticate: its name, its NT hash (MD4 of the UTF-16LE password, MS-NLMP
 * 3.3.1 NTOWFv1) and whether it may log on. Immutable.
 *
 * @param name account name as stored (the NTLMv2 computation upper-cases the name the client sent)
 * @param ntHash 16-byte NT hash
 * @param enabled false for a disabled account (its logons fail with STATUS_LOGON_FAILURE)
 */
public record NtAccount(String name, byte[] ntHash, boolean enabled) {
    public NtAccount {
        if (ntHash == null || ntHash.length != 16) {
            throw new IllegalArgumentException("NT hash must be 16 bytes");
        }
        ntHash = ntHash.clone();
    }

    @Override
    public byte[] ntHash() {
        return ntHash.clone();
    }
}
