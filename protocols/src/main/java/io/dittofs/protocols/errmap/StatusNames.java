package io.dittofs.protocols.errmap;

/**
 * Names of the protocol status codes, for metrics labels and trace attributes: RFC 1813
 * section 2.6 {@code nfsstat3} and appendix I {@code mountstat3}. A code outside the table gets
 * one fixed name, so the set of names stays bounded. Stateless.
 */
public final class StatusNames {
    private static final String[] LOW = new String[72];
    private static final String[] HIGH = new String[9]; // 10000..10008

    static {
        LOW[0] = "OK";
        LOW[1] = "PERM";
        LOW[2] = "NOENT";
        LOW[5] = "IO";
        LOW[6] = "NXIO";
        LOW[13] = "ACCES";
        LOW[17] = "EXIST";
        LOW[18] = "XDEV";
        LOW[19] = "NODEV";
        LOW[20] = "NOTDIR";
        LOW[21] = "ISDIR";
        LOW[22] = "INVAL";
        LOW[27] = "FBIG";
        LOW[28] = "NOSPC";
        LOW[30] = "ROFS";
        LOW[31] = "MLINK";
        LOW[63] = "NAMETOOLONG";
        LOW[66] = "NOTEMPTY";
        LOW[69] = "DQUOT";
        LOW[70] = "STALE";
        LOW[71] = "REMOTE";
        HIGH[1] = "BADHANDLE";
        HIGH[2] = "NOT_SYNC";
        HIGH[3] = "BAD_COOKIE";
        HIGH[4] = "NOTSUPP";
        HIGH[5] = "TOOSMALL";
        HIGH[6] = "SERVERFAULT";
        HIGH[7] = "BADTYPE";
        HIGH[8] = "JUKEBOX";
    }

    private static final String[] NFS3_LOW = prefixed("NFS3ERR_", LOW);
    private static final String[] NFS3_HIGH = prefixed("NFS3ERR_", HIGH);
    private static final String[] MOUNT3_LOW = prefixed("MNT3ERR_", LOW);
    private static final String[] MOUNT3_HIGH = prefixed("MNT3ERR_", HIGH);

    private StatusNames() {
    }

    private static String[] prefixed(String prefix, String[] names) {
        String[] out = new String[names.length];
        for (int i = 0; i < names.length; i++) {
            if (names[i] != null) {
                out[i] = names[i].equals("OK") ? prefix.substring(0, prefix.indexOf("ERR_")) + "_OK" : prefix + names[i];
            }
        }
        return out;
    }

    private static String lookup(int code, String[] low, String[] high, String other) {
        String n = null;
        if (code >= 0 && code < low.length) {
            n = low[code];
        } else if (code >= 10000 && code - 10000 < high.length) {
            n = high[code - 10000];
        }
        return n != null ? n : other;
    }

    /** {@code NFS3_OK}, {@code NFS3ERR_NOENT}, ...; {@code NFS3ERR_OTHER} for codes not in RFC 1813. */
    public static String nfs3(int code) {
        return lookup(code, NFS3_LOW, NFS3_HIGH, "NFS3ERR_OTHER");
    }

    /** {@code MNT3_OK}, {@code MNT3ERR_ACCES}, ...; {@code MNT3ERR_OTHER} for codes not in RFC 1813. */
    public static String mount3(int code) {
        return lookup(code, MOUNT3_LOW, MOUNT3_HIGH, "MNT3ERR_OTHER");
    }
}
