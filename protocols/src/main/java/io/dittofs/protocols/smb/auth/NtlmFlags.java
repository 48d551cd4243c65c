package io.dittofs.protocols.smb.auth;

/** NEGOTIATE flags of MS-NLMP 2.2.2.5 used here. Constants only. */
final class NtlmFlags {
    static final int UNICODE = 0x00000001;
    static final int OEM = 0x00000002;
    static final int REQUEST_TARGET = 0x00000004;
    static final int SIGN = 0x00000010;
    static final int SEAL = 0x00000020;
    static final int LM_KEY = 0x00000080;
    static final int NTLM = 0x00000200;
    static final int ANONYMOUS = 0x00000800;
    static final int ALWAYS_SIGN = 0x00008000;
    static final int TARGET_TYPE_SERVER = 0x00020000;
    static final int EXTENDED_SESSIONSECURITY = 0x00080000;
    static final int TARGET_INFO = 0x00800000;
    static final int VERSION = 0x02000000;
    static final int NEGOTIATE_128 = 0x20000000;
    static final int KEY_EXCH = 0x40000000;
    static final int NEGOTIATE_56 = 0x80000000;

    /** Flags the server grants when the client asks for them. */
    static final int ECHOED = SIGN | SEAL | ALWAYS_SIGN | NEGOTIATE_128 | KEY_EXCH | NEGOTIATE_56;

    private NtlmFlags() {
    }

    /** The CHALLENGE flags for a client's NEGOTIATE flags (MS-NLMP 3.2.5.1.1). */
    static int challengeFlags(int client) {
        return (client & ECHOED) | UNICODE | REQUEST_TARGET | NTLM | TARGET_TYPE_SERVER
                | EXTENDED_SESSIONSECURITY | TARGET_INFO | VERSION;
    }
}
