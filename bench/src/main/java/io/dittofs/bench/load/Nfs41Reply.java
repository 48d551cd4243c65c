package io.dittofs.bench.load;

import io.dittofs.protocols.xdr.BadXdrException;
import io.dittofs.protocols.xdr.XdrDecoder;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Reads one RPC reply (RFC 5531 {@code rpc_msg} with {@code accepted_reply}) carrying a COMPOUND4res
 * (RFC 8881 section 16.2: {@code nfsstat4 status; utf8str_cs tag; nfs_resop4 resarray<>}), one result
 * at a time through {@link #expect}. Every length is capped before use ({@link XdrDecoder} throws
 * {@link BadXdrException} on truncated or oversized input). READ data is a slice of the reply buffer.
 * Not thread-safe; one per reply.
 */
final class Nfs41Reply {
    static final int MAX_FH = 128;
    static final int MAX_NAME = 1024;
    static final int MAX_TAG = 1024;
    static final int MAX_OPS = 64;
    static final int MAX_ATTRS = 64 * 1024;
    static final int MAX_BITMAP = 8;
    static final int MAX_OWNER = 1024;

    /** stateid4: {@code uint32_t seqid; opaque other[12]}. */
    record Stateid(int seqid, byte[] other) {
    }

    final XdrDecoder d;
    private final int results;
    private int read;
    /** The COMPOUND's overall status. */
    final int status;

    private Nfs41Reply(XdrDecoder d, int status, int results) {
        this.d = d;
        this.status = status;
        this.results = results;
    }

    /** Checks the RPC header (xid, MSG_ACCEPTED, SUCCESS) and returns a decoder positioned at the results. */
    static XdrDecoder rpc(MemorySegment reply, int xid) {
        XdrDecoder d = new XdrDecoder(reply);
        int got = d.readInt();
        if (got != xid) {
            throw new BadXdrException("reply xid " + got + " for call " + xid);
        }
        if (d.readInt() != 1) {
            throw new BadXdrException("not a reply");
        }
        int replyStat = d.readInt();
        if (replyStat != 0) {
            throw new IllegalStateException("RPC call denied (reply_stat " + replyStat + ", reason " + d.readInt() + ")");
        }
        d.readInt(); // verifier flavor
        d.readOpaque(400);
        int accept = d.readInt();
        if (accept != 0) {
            throw new IllegalStateException("RPC call not accepted (accept_stat " + accept + ")");
        }
        return d;
    }

    /** A COMPOUND reply after {@link #rpc}. */
    static Nfs41Reply compound(XdrDecoder d) {
        int status = d.readInt();
        d.readOpaque(MAX_TAG);
        int n = d.readLength(MAX_OPS);
        return new Nfs41Reply(d, status, n);
    }

    /**
     * The next result, which must be {@code opnum}; throws {@link Nfs41Exception} when its status is
     * not NFS4_OK (or when the server stopped before it: then with the COMPOUND's status).
     */
    Nfs41Reply expect(int opnum) {
        if (read >= results) {
            throw new Nfs41Exception(opnum, status == 0 ? 10_006 : status, "no result (compound status " + status + ")");
        }
        read++;
        int op = d.readInt();
        if (op != opnum) {
            throw new BadXdrException("result of op " + op + " where " + opnum + " was sent");
        }
        int s = d.readInt();
        if (s != 0) {
            throw new Nfs41Exception(opnum, s, null);
        }
        return this;
    }

    Stateid stateid() {
        int seq = d.readInt();
        return new Stateid(seq, d.readOpaqueFixed(12).toArray(ValueLayout.JAVA_BYTE));
    }

    byte[] fh() {
        return d.readOpaqueBytes(MAX_FH);
    }

    /** change_info4: {@code bool atomic; changeid4 before, after}. */
    void skipChangeInfo() {
        d.readBool();
        d.readLong();
        d.readLong();
    }

    /** A bitmap4, as words. */
    int[] bitmap() {
        int n = d.readLength(MAX_BITMAP);
        int[] w = new int[n];
        for (int i = 0; i < n; i++) {
            w[i] = d.readInt();
        }
        return w;
    }

    /** fattr4: the bitmap and the attribute values as a slice. */
    MemorySegment fattr(int[][] mask) {
        mask[0] = bitmap();
        return d.readOpaque(MAX_ATTRS);
    }

    /**
     * The values of 64-bit attributes (size, maxread, maxwrite), in attribute number order, from
     * fattr4 values asking only for such attributes; -1 for one the server did not return.
     */
    static long[] attrs64(int[] mask, MemorySegment vals, int... ascending) {
        XdrDecoder v = new XdrDecoder(vals);
        long[] out = new long[ascending.length];
        for (int i = 0; i < ascending.length; i++) {
            out[i] = has(mask, ascending[i]) ? v.readLong() : -1;
        }
        return out;
    }

    static boolean has(int[] mask, int attr) {
        int w = attr / 32;
        return w < mask.length && (mask[w] & (1 << (attr % 32))) != 0;
    }

    /** OPEN4resok after its status: stateid, change_info, rflags, attrset, delegation (expected none). */
    Stateid openResult() {
        Stateid s = stateid();
        skipChangeInfo();
        d.readInt(); // rflags
        bitmap();
        int deleg = d.readInt();
        switch (deleg) {
            case 0 -> { }
            case 3 -> { // OPEN_DELEGATE_NONE_EXT: why, and a bool for contention/resource
                int why = d.readInt();
                if (why == 1 || why == 2) {
                    d.readBool();
                }
            }
            default -> throw new IllegalStateException("server granted a delegation (type " + deleg
                    + ") although none was wanted");
        }
        return s;
    }

    /** WRITE4resok: count (checked to be at most {@code sent}), committed, verifier. */
    int writeResult(int sent) {
        int count = d.readInt();
        if (count < 0 || count > sent) {
            throw new BadXdrException("WRITE count " + count + " of " + sent);
        }
        d.readInt();
        d.readLong();
        return count;
    }

    /** READ4resok: eof and the data (a slice, at most {@code asked} bytes). */
    MemorySegment readResult(int asked) {
        d.readBool();
        return d.readOpaque(asked);
    }

    /**
     * READDIR4resok: cookie verifier (into {@code verifier}), then the entries; returns the number of
     * entries, the last cookie in {@code cookie[0]} and whether the listing ended in {@code eof[0]}.
     */
    int readdirResult(byte[] verifier, long[] cookie, boolean[] eof) {
        MemorySegment.copy(d.readOpaqueFixed(8), ValueLayout.JAVA_BYTE, 0, verifier, 0, 8);
        int n = 0;
        while (d.readBool()) {
            cookie[0] = d.readLong();
            d.readOpaque(MAX_NAME);
            bitmap();
            d.readOpaque(MAX_ATTRS);
            n++;
        }
        eof[0] = d.readBool();
        return n;
    }

    /** EXCHANGE_ID4resok: returns {clientid, sequenceid}; the rest is read and bounded. */
    long[] exchangeIdResult() {
        long clientId = d.readLong();
        int seq = d.readInt();
        d.readInt(); // flags
        int how = d.readInt();
        if (how != 0) {
            throw new IllegalStateException("server chose state protection " + how);
        }
        d.readLong(); // so_minor_id
        d.readOpaque(MAX_OWNER);
        d.readOpaque(MAX_OWNER);
        int impls = d.readLength(1);
        for (int i = 0; i < impls; i++) {
            d.readOpaque(MAX_OWNER);
            d.readOpaque(MAX_OWNER);
            d.readLong();
            d.readInt();
        }
        return new long[] {clientId, seq & 0xFFFF_FFFFL};
    }

    /** CREATE_SESSION4resok: session id; {@code fore[0..1]} get ca_maxrequestsize / ca_maxresponsesize, fore[2] ca_maxrequests. */
    byte[] createSessionResult(int[] fore) {
        byte[] sid = d.readOpaqueFixed(16).toArray(ValueLayout.JAVA_BYTE);
        d.readInt(); // sequence
        d.readInt(); // flags
        for (int ch = 0; ch < 2; ch++) {
            d.readInt();
            int maxReq = d.readInt();
            int maxResp = d.readInt();
            d.readInt();
            d.readInt();
            int maxReqs = d.readInt();
            int ird = d.readLength(1);
            for (int i = 0; i < ird; i++) {
                d.readInt();
            }
            if (ch == 0) {
                fore[0] = maxReq;
                fore[1] = maxResp;
                fore[2] = maxReqs;
            }
        }
        return sid;
    }

    /** SEQUENCE4resok after its status. */
    void sequenceResult() {
        d.readOpaqueFixed(16);
        d.readInt();
        d.readInt();
        d.readInt();
        d.readInt();
        d.readInt();
    }
}
