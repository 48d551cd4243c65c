package io.dittofs.protocols.nfs.v4;

import io.dittofs.protocols.xdr.XdrDecoder;
import io.dittofs.protocols.xdr.XdrEncoder;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * {@code stateid4} (RFC 8881 section 3.3.12): {@code struct stateid4 { uint32_t seqid; opaque other[12]; }}.
 * Special stateids (section 8.2.3): anonymous (all zero), READ bypass (all ones), current
 * (seqid 1, other zero; 4.1). Immutable (the array is copied in and out); thread-safe.
 */
public record Stateid4(int seqid, byte[] other) {
    public static final int OTHER_SIZE = 12;
    public static final Stateid4 ANONYMOUS = new Stateid4(0, new byte[OTHER_SIZE]);
    public static final Stateid4 BYPASS = new Stateid4(-1, filled((byte) 0xFF));
    public static final Stateid4 CURRENT = new Stateid4(1, new byte[OTHER_SIZE]);
    /** The invalid special stateid of RFC 8881 section 8.2.3 (seqid NFS4_UINT32_MAX, other zero). */
    public static final Stateid4 INVALID = new Stateid4(-1, new byte[OTHER_SIZE]);

    public Stateid4 {
        if (other.length != OTHER_SIZE) {
            throw new IllegalArgumentException("stateid other must be 12 bytes");
        }
        other = other.clone();
    }

    private static byte[] filled(byte b) {
        byte[] a = new byte[OTHER_SIZE];
        Arrays.fill(a, b);
        return a;
    }

    public static Stateid4 read(XdrDecoder d) {
        int seqid = d.readInt();
        MemorySegment o = d.readOpaqueFixed(OTHER_SIZE);
        return new Stateid4(seqid, o.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
    }

    public void write(XdrEncoder e) {
        e.writeInt(seqid);
        e.writeOpaqueFixed(other);
    }

    @Override
    public byte[] other() {
        return other.clone();
    }

    private boolean otherAll(byte b) {
        for (byte x : other) {
            if (x != b) {
                return false;
            }
        }
        return true;
    }

    public boolean isAnonymous() {
        return seqid == 0 && otherAll((byte) 0);
    }

    public boolean isBypass() {
        return seqid == -1 && otherAll((byte) 0xFF);
    }

    public boolean isCurrent() {
        return seqid == 1 && otherAll((byte) 0);
    }

    /** True when {@code other} matches (the same state, any seqid). */
    public boolean sameOther(Stateid4 s) {
        return Arrays.equals(other, s.other);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Stateid4 s && s.seqid == seqid && Arrays.equals(s.other, other);
    }

    @Override
    public int hashCode() {
        return 31 * seqid + Arrays.hashCode(other);
    }

    @Override
    public String toString() {
        return "stateid(" + Integer.toUnsignedString(seqid) + "," + HexFormat.of().formatHex(other) + ")";
    }
}
