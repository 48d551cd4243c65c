package io.dittofs.protocols.rpc;

/** ONC RPC v2 constants (RFC 5531 sections 8 and 9). */
public final class Rpc {
    public static final int VERSION = 2;
    public static final int CALL = 0;
    public static final int REPLY = 1;

    public static final int MSG_ACCEPTED = 0;
    public static final int MSG_DENIED = 1;

    public static final int SUCCESS = 0;
    public static final int PROG_UNAVAIL = 1;
    public static final int PROG_MISMATCH = 2;
    public static final int PROC_UNAVAIL = 3;
    public static final int GARBAGE_ARGS = 4;
    public static final int SYSTEM_ERR = 5;

    public static final int RPC_MISMATCH = 0;
    public static final int AUTH_ERROR = 1;

    public static final int AUTH_OK = 0;
    public static final int AUTH_BADCRED = 1;
    public static final int AUTH_REJECTEDCRED = 2;
    public static final int AUTH_BADVERF = 3;
    public static final int AUTH_REJECTEDVERF = 4;
    public static final int AUTH_TOOWEAK = 5;

    public static final int AUTH_NONE = 0;
    public static final int AUTH_SYS = 1;

    /** RFC 5531: opaque_auth bodies are at most 400 bytes. */
    public static final int MAX_AUTH_BYTES = 400;
    /** RFC 5531 section 14: AUTH_SYS carries at most 16 supplementary groups. */
    public static final int MAX_AUTH_SYS_GIDS = 16;
    public static final int MAX_MACHINE_NAME = 255;

    private Rpc() {
    }
}
