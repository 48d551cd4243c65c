package io.dittofs.protocols.smb;

import java.util.UUID;

/**
 * Protocol settings of the SMB adapter. Immutable.
 *
 * @param minDialect      lowest dialect offered (wire value: 0x0202, 0x0210, 0x0300, 0x0302, 0x0311)
 * @param maxDialect      highest dialect offered
 * @param signingRequired sessions must sign (NEGOTIATE SecurityMode SIGNING_REQUIRED); when false
 *                        a session is signed only if the client requires it
 * @param serverName      NetBIOS-style name given in NTLM challenges
 * @param domainName      NTLM domain
 * @param serverGuid      the server's GUID (stable per server run)
 * @param maxIoSize       MaxReadSize / MaxWriteSize / MaxTransactSize advertised for dialects 2.1 and
 *                        up (64 KiB to 8 MiB, default 8 MiB; bounded by the buffer pool's largest
 *                        buffer); 2.0.2, which has no multi-credit requests, gets at most 64 KiB
 * @param allowGuest      guest logons (off by default)
 * @param allowAnonymous  anonymous (null session) logons (off by default; needed by nothing here)
 * @param encryption      SMB 3.x encryption: {@link #ENCRYPTION_OFF} (never offered),
 *                        {@link #ENCRYPTION_ENABLED} (offered; a client that asks for it gets it, the
 *                        default) or {@link #ENCRYPTION_REQUIRED} (every session encrypts; clients
 *                        that cannot, below 3.0 or guests, are refused with ACCESS_DENIED)
 */
public record SmbConfig(int minDialect, int maxDialect, boolean signingRequired, String serverName,
                        String domainName, UUID serverGuid, int maxIoSize, boolean allowGuest,
                        boolean allowAnonymous, int encryption) {
    public static final int ENCRYPTION_OFF = 0;
    public static final int ENCRYPTION_ENABLED = 1;
    public static final int ENCRYPTION_REQUIRED = 2;
    public static final int SMB_202 = 0x0202;
    public static final int SMB_210 = 0x0210;
    public static final int SMB_300 = 0x0300;
    public static final int SMB_302 = 0x0302;
    public static final int SMB_311 = 0x0311;
    public static final int SMB_2FF = 0x02FF;
    static final int[] DIALECTS = {SMB_202, SMB_210, SMB_300, SMB_302, SMB_311};

    public SmbConfig {
        if (!isDialect(minDialect) || !isDialect(maxDialect) || minDialect > maxDialect) {
            throw new IllegalArgumentException("dialect range " + Integer.toHexString(minDialect) + ".."
                    + Integer.toHexString(maxDialect));
        }
        if (maxIoSize < CREDIT_BYTES || maxIoSize > MAX_IO) {
            throw new IllegalArgumentException("max I/O size " + maxIoSize);
        }
        if (encryption < ENCRYPTION_OFF || encryption > ENCRYPTION_REQUIRED) {
            throw new IllegalArgumentException("encryption mode " + encryption);
        }
    }

    public SmbConfig(int minDialect, int maxDialect, boolean signingRequired, String serverName, String domainName,
                     UUID serverGuid, int maxIoSize, boolean allowGuest, boolean allowAnonymous) {
        this(minDialect, maxDialect, signingRequired, serverName, domainName, serverGuid, maxIoSize, allowGuest,
                allowAnonymous, ENCRYPTION_ENABLED);
    }

    public static SmbConfig defaults() {
        return new SmbConfig(SMB_202, SMB_311, true, "DITTOFS", "WORKGROUP", UUID.randomUUID(), MAX_IO,
                false, false);
    }

    /** The largest READ/WRITE/transact size (MS-SMB2 3.3.5.4: 8 MiB, 128 credits of 64 KiB). */
    public static final int MAX_IO = 8 * 1024 * 1024;
    /** What one credit pays for (MS-SMB2 3.1.5.2). */
    public static final int CREDIT_BYTES = 64 * 1024;

    /** MaxReadSize/MaxWriteSize/MaxTransactSize for a dialect: 64 KiB for 2.0.2 (no multi-credit), else {@link #maxIoSize}. */
    public int maxIo(int dialect) {
        return dialect == SMB_202 ? Math.min(CREDIT_BYTES, maxIoSize) : maxIoSize;
    }

    public SmbConfig withMaxIoSize(int size) {
        return new SmbConfig(minDialect, maxDialect, signingRequired, serverName, domainName, serverGuid, size,
                allowGuest, allowAnonymous, encryption);
    }

    public SmbConfig withDialects(int min, int max) {
        return new SmbConfig(min, max, signingRequired, serverName, domainName, serverGuid, maxIoSize, allowGuest,
                allowAnonymous, encryption);
    }

    public SmbConfig withSigningRequired(boolean required) {
        return new SmbConfig(minDialect, maxDialect, required, serverName, domainName, serverGuid, maxIoSize,
                allowGuest, allowAnonymous, encryption);
    }

    public SmbConfig withEncryption(int mode) {
        return new SmbConfig(minDialect, maxDialect, signingRequired, serverName, domainName, serverGuid, maxIoSize,
                allowGuest, allowAnonymous, mode);
    }

    private static final String[] ENCRYPTION_NAMES = {"off", "enabled", "required"};

    /** Parses an encryption mode by its name: "off", "enabled" or "required". */
    public static int parseEncryption(String s) {
        for (int mode = 0; mode < ENCRYPTION_NAMES.length; mode++) {
            if (ENCRYPTION_NAMES[mode].equals(s)) {
                return mode;
            }
        }
        throw new IllegalArgumentException("smb encryption must be 'enabled', 'required' or 'off', not '" + s + "'");
    }

    /** The name of this config's encryption mode, as {@link #parseEncryption} reads it. */
    public String encryptionName() {
        return ENCRYPTION_NAMES[encryption];
    }

    public static boolean isDialect(int d) {
        for (int x : DIALECTS) {
            if (x == d) {
                return true;
            }
        }
        return false;
    }

    /** Parses "2.0.2", "2.1", "3.0", "3.0.2", "3.1.1" (also "SMB2_02", "SMB3_11" style). */
    public static int parseDialect(String s) {
        String t = s.trim().toUpperCase(java.util.Locale.ROOT).replace("SMB", "").replace("_", ".");
        return switch (t) {
            case "2.0.2", "2.02", "2" -> SMB_202;
            case "2.1", "2.10" -> SMB_210;
            case "3.0", "3.00", "3" -> SMB_300;
            case "3.0.2", "3.02" -> SMB_302;
            case "3.1.1", "3.11" -> SMB_311;
            default -> throw new IllegalArgumentException("unknown SMB dialect '" + s
                    + "' (2.0.2, 2.1, 3.0, 3.0.2, 3.1.1)");
        };
    }
}
