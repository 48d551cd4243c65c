package io.dittofs.protocols.nfs.v4;

import io.dittofs.protocols.nfs.v4.ops.StateOps;
import io.dittofs.protocols.nfs.v4.ops.StatelessOps;

/**
 * The operation table: operation numbers (RFC 7530 section 16, RFC 8881 section 16.2, RFC 7862
 * section 15, RFC 8276 section 8.4) and an array of {@link Nfs4Op} indexed by opnum. Built once
 * at start by {@link #standard()} and read-only afterwards; thread-safe after construction.
 */
public final class Nfs4Ops {
    public static final int OP_ACCESS = 3;
    public static final int OP_CLOSE = 4;
    public static final int OP_COMMIT = 5;
    public static final int OP_CREATE = 6;
    public static final int OP_DELEGPURGE = 7;
    public static final int OP_DELEGRETURN = 8;
    public static final int OP_GETATTR = 9;
    public static final int OP_GETFH = 10;
    public static final int OP_LINK = 11;
    public static final int OP_LOCK = 12;
    public static final int OP_LOCKT = 13;
    public static final int OP_LOCKU = 14;
    public static final int OP_LOOKUP = 15;
    public static final int OP_LOOKUPP = 16;
    public static final int OP_NVERIFY = 17;
    public static final int OP_OPEN = 18;
    public static final int OP_OPENATTR = 19;
    public static final int OP_OPEN_CONFIRM = 20;
    public static final int OP_OPEN_DOWNGRADE = 21;
    public static final int OP_PUTFH = 22;
    public static final int OP_PUTPUBFH = 23;
    public static final int OP_PUTROOTFH = 24;
    public static final int OP_READ = 25;
    public static final int OP_READDIR = 26;
    public static final int OP_READLINK = 27;
    public static final int OP_REMOVE = 28;
    public static final int OP_RENAME = 29;
    public static final int OP_RENEW = 30;
    public static final int OP_RESTOREFH = 31;
    public static final int OP_SAVEFH = 32;
    public static final int OP_SECINFO = 33;
    public static final int OP_SETATTR = 34;
    public static final int OP_SETCLIENTID = 35;
    public static final int OP_SETCLIENTID_CONFIRM = 36;
    public static final int OP_VERIFY = 37;
    public static final int OP_WRITE = 38;
    public static final int OP_RELEASE_LOCKOWNER = 39;
    public static final int OP_BACKCHANNEL_CTL = 40;
    public static final int OP_BIND_CONN_TO_SESSION = 41;
    public static final int OP_EXCHANGE_ID = 42;
    public static final int OP_CREATE_SESSION = 43;
    public static final int OP_DESTROY_SESSION = 44;
    public static final int OP_FREE_STATEID = 45;
    public static final int OP_GET_DIR_DELEGATION = 46;
    public static final int OP_GETDEVICEINFO = 47;
    public static final int OP_GETDEVICELIST = 48;
    public static final int OP_LAYOUTCOMMIT = 49;
    public static final int OP_LAYOUTGET = 50;
    public static final int OP_LAYOUTRETURN = 51;
    public static final int OP_SECINFO_NO_NAME = 52;
    public static final int OP_SEQUENCE = 53;
    public static final int OP_SET_SSV = 54;
    public static final int OP_TEST_STATEID = 55;
    public static final int OP_WANT_DELEGATION = 56;
    public static final int OP_DESTROY_CLIENTID = 57;
    public static final int OP_RECLAIM_COMPLETE = 58;
    public static final int OP_ALLOCATE = 59;
    public static final int OP_COPY = 60;
    public static final int OP_COPY_NOTIFY = 61;
    public static final int OP_DEALLOCATE = 62;
    public static final int OP_IO_ADVISE = 63;
    public static final int OP_LAYOUTERROR = 64;
    public static final int OP_LAYOUTSTATS = 65;
    public static final int OP_OFFLOAD_CANCEL = 66;
    public static final int OP_OFFLOAD_STATUS = 67;
    public static final int OP_READ_PLUS = 68;
    public static final int OP_SEEK = 69;
    public static final int OP_WRITE_SAME = 70;
    public static final int OP_CLONE = 71;
    public static final int OP_GETXATTR = 72;
    public static final int OP_SETXATTR = 73;
    public static final int OP_LISTXATTRS = 74;
    public static final int OP_REMOVEXATTR = 75;
    public static final int OP_ILLEGAL = 10044;

    /** The highest opnum each minor version defines (4.0: RELEASE_LOCKOWNER, 4.1: RECLAIM_COMPLETE, 4.2: REMOVEXATTR). */
    private static final int[] MAX_OPNUM = {OP_RELEASE_LOCKOWNER, OP_RECLAIM_COMPLETE, OP_REMOVEXATTR};
    private static final String[] NAMES = new String[OP_REMOVEXATTR + 1];

    static {
        NAMES[3] = "ACCESS";
        NAMES[4] = "CLOSE";
        NAMES[5] = "COMMIT";
        NAMES[6] = "CREATE";
        NAMES[7] = "DELEGPURGE";
        NAMES[8] = "DELEGRETURN";
        NAMES[9] = "GETATTR";
        NAMES[10] = "GETFH";
        NAMES[11] = "LINK";
        NAMES[12] = "LOCK";
        NAMES[13] = "LOCKT";
        NAMES[14] = "LOCKU";
        NAMES[15] = "LOOKUP";
        NAMES[16] = "LOOKUPP";
        NAMES[17] = "NVERIFY";
        NAMES[18] = "OPEN";
        NAMES[19] = "OPENATTR";
        NAMES[20] = "OPEN_CONFIRM";
        NAMES[21] = "OPEN_DOWNGRADE";
        NAMES[22] = "PUTFH";
        NAMES[23] = "PUTPUBFH";
        NAMES[24] = "PUTROOTFH";
        NAMES[25] = "READ";
        NAMES[26] = "READDIR";
        NAMES[27] = "READLINK";
        NAMES[28] = "REMOVE";
        NAMES[29] = "RENAME";
        NAMES[30] = "RENEW";
        NAMES[31] = "RESTOREFH";
        NAMES[32] = "SAVEFH";
        NAMES[33] = "SECINFO";
        NAMES[34] = "SETATTR";
        NAMES[35] = "SETCLIENTID";
        NAMES[36] = "SETCLIENTID_CONFIRM";
        NAMES[37] = "VERIFY";
        NAMES[38] = "WRITE";
        NAMES[39] = "RELEASE_LOCKOWNER";
        NAMES[40] = "BACKCHANNEL_CTL";
        NAMES[41] = "BIND_CONN_TO_SESSION";
        NAMES[42] = "EXCHANGE_ID";
        NAMES[43] = "CREATE_SESSION";
        NAMES[44] = "DESTROY_SESSION";
        NAMES[45] = "FREE_STATEID";
        NAMES[46] = "GET_DIR_DELEGATION";
        NAMES[47] = "GETDEVICEINFO";
        NAMES[48] = "GETDEVICELIST";
        NAMES[49] = "LAYOUTCOMMIT";
        NAMES[50] = "LAYOUTGET";
        NAMES[51] = "LAYOUTRETURN";
        NAMES[52] = "SECINFO_NO_NAME";
        NAMES[53] = "SEQUENCE";
        NAMES[54] = "SET_SSV";
        NAMES[55] = "TEST_STATEID";
        NAMES[56] = "WANT_DELEGATION";
        NAMES[57] = "DESTROY_CLIENTID";
        NAMES[58] = "RECLAIM_COMPLETE";
        NAMES[59] = "ALLOCATE";
        NAMES[60] = "COPY";
        NAMES[61] = "COPY_NOTIFY";
        NAMES[62] = "DEALLOCATE";
        NAMES[63] = "IO_ADVISE";
        NAMES[64] = "LAYOUTERROR";
        NAMES[65] = "LAYOUTSTATS";
        NAMES[66] = "OFFLOAD_CANCEL";
        NAMES[67] = "OFFLOAD_STATUS";
        NAMES[68] = "READ_PLUS";
        NAMES[69] = "SEEK";
        NAMES[70] = "WRITE_SAME";
        NAMES[71] = "CLONE";
        NAMES[72] = "GETXATTR";
        NAMES[73] = "SETXATTR";
        NAMES[74] = "LISTXATTRS";
        NAMES[75] = "REMOVEXATTR";
    }

    private final Nfs4Op[] table = new Nfs4Op[OP_REMOVEXATTR + 1];

    /** An empty table (tests register what they need). */
    public Nfs4Ops() {
    }

    /** Every operation this server implements. */
    public static Nfs4Ops standard() {
        Nfs4Ops table = new Nfs4Ops();
        StatelessOps.registerAll(table);
        // state ops: v4b
        StateOps.registerAll(table);
        return table;
    }

    /** Adds an op; each opnum once. */
    public Nfs4Ops register(Nfs4Op op) {
        int n = op.opnum();
        if (n < OP_ACCESS || n > OP_REMOVEXATTR) {
            throw new IllegalArgumentException("opnum " + n);
        }
        if (table[n] != null) {
            throw new IllegalArgumentException("opnum " + n + " registered twice");
        }
        table[n] = op;
        return this;
    }

    /** The op registered for {@code opnum}, or null. */
    public Nfs4Op get(int opnum) {
        return opnum >= 0 && opnum < table.length ? table[opnum] : null;
    }

    /** Whether {@code opnum} is defined in this minor version (else it is OP_ILLEGAL there). */
    public static boolean defined(int minor, int opnum) {
        return opnum >= OP_ACCESS && opnum <= MAX_OPNUM[minor];
    }

    /** The RFC name of an op, for logs (a bounded set). */
    public static String name(int opnum) {
        return opnum >= 0 && opnum < NAMES.length && NAMES[opnum] != null ? NAMES[opnum] : "ILLEGAL";
    }
}
