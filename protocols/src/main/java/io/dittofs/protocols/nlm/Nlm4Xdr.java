package io.dittofs.protocols.nlm;

import io.dittofs.core.lock.Conflict;
import io.dittofs.protocols.xdr.XdrDecoder;
import io.dittofs.protocols.xdr.XdrEncoder;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Codecs of the NLM v4 messages (Open Group XNFS "Protocols for Interworking: XNFS, Version 3W",
 * chapter 14 "Network Lock Manager Protocol, Version 4", {@code nlm4_prot.x}). Every length is
 * capped before anything is read: caller names at {@value #LM_MAXSTRLEN} bytes, cookies and owner
 * handles at {@value #MAXNETOBJ_SZ} ({@code netobj}), file handles at {@value #FH_MAX}
 * ({@code NFS3_FHSIZE}). Stateless and thread-safe; the records are immutable (the byte arrays
 * are small control data copied out of the request, never file data).
 */
final class Nlm4Xdr {
    static final int LM_MAXSTRLEN = 1024;
    static final int MAXNETOBJ_SZ = 1024;
    static final int FH_MAX = 64;

    private Nlm4Xdr() {
    }

    /**
     * {@code struct nlm4_lock { string caller_name<LM_MAXSTRLEN>; netobj fh; netobj oh; int32 svid;
     * uint64 l_offset; uint64 l_len; };}
     */
    record Lock(String callerName, byte[] fh, byte[] oh, int svid, long offset, long length) {
        /** The lock manager's owner bytes: {@code oh} followed by the big-endian svid. */
        byte[] ownerBytes() {
            byte[] b = Arrays.copyOf(oh, oh.length + 4);
            ByteBuffer.wrap(b, oh.length, 4).putInt(svid);
            return b;
        }
    }

    /** {@code struct nlm4_lockargs { netobj cookie; bool block; bool exclusive; nlm4_lock alock; bool reclaim; int32 state; };} */
    record LockArgs(byte[] cookie, boolean block, boolean exclusive, Lock lock, boolean reclaim, int state) {
    }

    /** {@code struct nlm4_cancargs { netobj cookie; bool block; bool exclusive; nlm4_lock alock; };} */
    record CancArgs(byte[] cookie, boolean block, boolean exclusive, Lock lock) {
    }

    /** {@code struct nlm4_testargs { netobj cookie; bool exclusive; nlm4_lock alock; };} */
    record TestArgs(byte[] cookie, boolean exclusive, Lock lock) {
    }

    /** {@code struct nlm4_unlockargs { netobj cookie; nlm4_lock alock; };} */
    record UnlockArgs(byte[] cookie, Lock lock) {
    }

    /**
     * {@code struct nlm4_share { string caller_name<LM_MAXSTRLEN>; netobj fh; netobj oh; fsh4_mode mode;
     * fsh4_access access; };} and {@code struct nlm4_shareargs { netobj cookie; nlm4_share share; bool reclaim; };}
     * Mode (deny) and access use the bits 1 = read, 2 = write.
     */
    record ShareArgs(byte[] cookie, String callerName, byte[] fh, byte[] oh, int mode, int access, boolean reclaim) {
    }

    /** {@code struct nlm4_notify { string name<LM_MAXNAMELEN>; int32 state; };} */
    record Notify(String name, int state) {
    }

    static Lock lock(XdrDecoder d) {
        String caller = d.readString(LM_MAXSTRLEN);
        byte[] fh = d.readOpaqueBytes(FH_MAX);
        byte[] oh = d.readOpaqueBytes(MAXNETOBJ_SZ);
        return new Lock(caller, fh, oh, d.readInt(), d.readLong(), d.readLong());
    }

    static byte[] cookie(XdrDecoder d) {
        return d.readOpaqueBytes(MAXNETOBJ_SZ);
    }

    static LockArgs lockArgs(XdrDecoder d) {
        byte[] cookie = cookie(d);
        boolean block = d.readBool();
        boolean excl = d.readBool();
        Lock l = lock(d);
        return new LockArgs(cookie, block, excl, l, d.readBool(), d.readInt());
    }

    static CancArgs cancArgs(XdrDecoder d) {
        byte[] cookie = cookie(d);
        boolean block = d.readBool();
        boolean excl = d.readBool();
        return new CancArgs(cookie, block, excl, lock(d));
    }

    static TestArgs testArgs(XdrDecoder d) {
        byte[] cookie = cookie(d);
        boolean excl = d.readBool();
        return new TestArgs(cookie, excl, lock(d));
    }

    static UnlockArgs unlockArgs(XdrDecoder d) {
        byte[] cookie = cookie(d);
        return new UnlockArgs(cookie, lock(d));
    }

    static ShareArgs shareArgs(XdrDecoder d) {
        byte[] cookie = cookie(d);
        String caller = d.readString(LM_MAXSTRLEN);
        byte[] fh = d.readOpaqueBytes(FH_MAX);
        byte[] oh = d.readOpaqueBytes(MAXNETOBJ_SZ);
        int mode = d.readInt();
        int access = d.readInt();
        if (mode < 0 || mode > 3 || access < 0 || access > 3) {
            throw new io.dittofs.protocols.xdr.BadXdrException("bad fsh4_mode " + mode + " / fsh4_access " + access);
        }
        return new ShareArgs(cookie, caller, fh, oh, mode, access, d.readBool());
    }

    static Notify notify(XdrDecoder d) {
        return new Notify(d.readString(LM_MAXSTRLEN), d.readInt());
    }

    /** {@code struct nlm4_res { netobj cookie; nlm4_stat stat; };} */
    static void res(XdrEncoder e, byte[] cookie, int stat) {
        e.writeOpaque(cookie).writeInt(stat);
    }

    /** {@code struct nlm4_shareres { netobj cookie; nlm4_stats stat; int32 sequence; };} */
    static void shareRes(XdrEncoder e, byte[] cookie, int stat) {
        e.writeOpaque(cookie).writeInt(stat).writeInt(0);
    }

    /**
     * {@code struct nlm4_testres { netobj cookie; nlm4_testrply stat; };} where the DENIED arm
     * carries {@code struct nlm4_holder { bool exclusive; int32 svid; netobj oh; uint64 l_offset;
     * uint64 l_len; };}. A holder of another protocol has svid 0 and an empty oh; a lock to EOF
     * has l_len 0.
     */
    static void testRes(XdrEncoder e, byte[] cookie, int stat, Conflict holder) {
        e.writeOpaqueFixed(testResBytes(cookie, stat, holder));
    }

    /** {@link #testRes} into a heap array (for TEST_RES callbacks); its length is a multiple of 4. */
    static byte[] testResBytes(byte[] cookie, int stat, Conflict holder) {
        ByteBuffer b = ByteBuffer.allocate(48 + pad(cookie.length) + MAXNETOBJ_SZ);
        putOpaque(b, cookie);
        b.putInt(stat);
        if (stat == NlmStatus.DENIED) {
            byte[] owner = holder.owner().owner();
            boolean nlm = NlmLocking.PROTOCOL.equals(holder.owner().protocol()) && owner.length >= 4
                && owner.length - 4 <= MAXNETOBJ_SZ;
            b.putInt(holder.type() == io.dittofs.core.lock.LockType.WRITE ? 1 : 0);
            b.putInt(nlm ? ByteBuffer.wrap(owner, owner.length - 4, 4).getInt() : 0);
            putOpaque(b, nlm ? Arrays.copyOf(owner, owner.length - 4) : new byte[0]);
            b.putLong(holder.offset()).putLong(holder.toEof() ? 0 : holder.length());
        }
        return Arrays.copyOf(b.array(), b.position());
    }

    /** Encodes {@code nlm4_testargs} (the GRANTED / GRANTED_MSG callback's arguments) into a heap buffer. */
    static byte[] testArgsBytes(byte[] cookie, boolean exclusive, Lock l) {
        ByteBuffer b = ByteBuffer.allocate(64 + pad(cookie.length) + pad(l.callerName().length() * 4)
            + pad(l.fh().length) + pad(l.oh().length));
        putOpaque(b, cookie);
        b.putInt(exclusive ? 1 : 0);
        putOpaque(b, l.callerName().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        putOpaque(b, l.fh());
        putOpaque(b, l.oh());
        b.putInt(l.svid()).putLong(l.offset()).putLong(l.length());
        return Arrays.copyOf(b.array(), b.position());
    }

    static void putOpaque(ByteBuffer b, byte[] v) {
        b.putInt(v.length).put(v);
        for (int i = v.length; i % 4 != 0; i++) {
            b.put((byte) 0);
        }
    }

    static int pad(int n) {
        return (n + 3) & ~3;
    }
}
