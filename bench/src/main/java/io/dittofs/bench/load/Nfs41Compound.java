package io.dittofs.bench.load;

import java.nio.charset.StandardCharsets;

/**
 * Builds one ONC RPC call record (RFC 5531, record marking of section 11) carrying an NFSv4.1
 * COMPOUND (RFC 8881 section 16.2: {@code utf8str_cs tag; uint32_t minorversion; nfs_argop4 argarray<>})
 * or NULL, with AUTH_SYS credentials of uid 0 (RFC 5531 appendix A). Operation arguments follow the
 * XDR of RFC 8881 section 18. WRITE's data is not copied in: {@link #write} writes the opaque's length
 * and the caller sends the bytes after {@link #finish}. Not thread-safe; one per session slot, reused.
 */
final class Nfs41Compound {
    static final int PROGRAM = 100003;
    static final int VERSION = 4;
    static final int MINOR = 1;
    static final int OP_CLOSE = 4;
    static final int OP_COMMIT = 5;
    static final int OP_CREATE = 6;
    static final int OP_GETATTR = 9;
    static final int OP_GETFH = 10;
    static final int OP_LOOKUP = 15;
    static final int OP_OPEN = 18;
    static final int OP_PUTFH = 22;
    static final int OP_PUTROOTFH = 24;
    static final int OP_READ = 25;
    static final int OP_READDIR = 26;
    static final int OP_REMOVE = 28;
    static final int OP_WRITE = 38;
    static final int OP_EXCHANGE_ID = 42;
    static final int OP_CREATE_SESSION = 43;
    static final int OP_DESTROY_SESSION = 44;
    static final int OP_SEQUENCE = 53;
    static final int OP_DESTROY_CLIENTID = 57;
    static final int OP_RECLAIM_COMPLETE = 58;
    /** stable_how4. */
    static final int UNSTABLE = 0;
    static final int FILE_SYNC = 2;
    /** OPEN4_SHARE_ACCESS_BOTH with OPEN4_SHARE_ACCESS_WANT_NO_DELEG: no delegation (there is no back channel). */
    static final int ACCESS_BOTH_NO_DELEG = 3 | 0x0400;
    /** fattr4 bits (RFC 8881 section 5.8): type, size, fileid, maxread, maxwrite, mode, numlinks, owner, group, mtime. */
    static final int FATTR4_TYPE = 1;
    static final int FATTR4_SIZE = 4;
    static final int FATTR4_FILEID = 20;
    static final int FATTR4_MAXREAD = 30;
    static final int FATTR4_MAXWRITE = 31;
    static final int FATTR4_MODE = 33;
    static final int FATTR4_NUMLINKS = 35;
    static final int FATTR4_OWNER = 36;
    static final int FATTR4_OWNER_GROUP = 37;
    static final int FATTR4_TIME_MODIFY = 53;

    private final Nfs41CallBuffer x;
    private int opCountAt = -1;
    private int ops;
    private int xid;

    Nfs41Compound(Nfs41CallBuffer x) {
        this.x = x;
    }

    /** Starts a call: record mark (patched by {@link #finish}), RPC call header of {@code proc}. */
    private Nfs41Compound call(int xid, int proc) {
        this.xid = xid;
        x.position(0);
        x.writeInt(0); // record mark
        x.writeInt(xid).writeInt(0).writeInt(2).writeInt(PROGRAM).writeInt(VERSION).writeInt(proc);
        x.writeInt(1); // AUTH_SYS
        long lenAt = x.position();
        x.writeInt(0);
        x.writeInt(0).writeString("nfsload").writeInt(0).writeInt(0).writeInt(0); // stamp, machine, uid, gid, gids<>
        x.writeIntAt(lenAt, (int) (x.position() - lenAt - 4));
        x.writeInt(0).writeInt(0); // verifier AUTH_NONE
        opCountAt = -1;
        ops = 0;
        return this;
    }

    int xid() {
        return xid;
    }

    /** The NULL procedure. */
    Nfs41Compound nullCall(int xid) {
        return call(xid, 0);
    }

    /** A COMPOUND of minor version 1 with an empty tag; operations follow. */
    Nfs41Compound compound(int xid) {
        call(xid, 1);
        x.writeInt(0).writeInt(MINOR);
        opCountAt = (int) x.position();
        x.writeInt(0);
        return this;
    }

    private Nfs41CallBuffer op(int opnum) {
        ops++;
        return x.writeInt(opnum);
    }

    /**
     * Patches the operation count and the record mark; {@code trailing} bytes (WRITE data and its
     * padding) are sent after this buffer as part of the same record. Returns the bytes to send.
     */
    java.lang.foreign.MemorySegment finish(int trailing) {
        if (opCountAt >= 0) {
            x.writeIntAt(opCountAt, ops);
        }
        x.writeIntAt(0, 0x8000_0000 | (int) (x.position() - 4 + trailing));
        return x.written();
    }

    Nfs41Compound sequence(byte[] sessionId, int seq, int slot, int highestSlot) {
        op(OP_SEQUENCE).writeOpaqueFixed(sessionId).writeInt(seq).writeInt(slot).writeInt(highestSlot).writeBool(false);
        return this;
    }

    Nfs41Compound putrootfh() {
        op(OP_PUTROOTFH);
        return this;
    }

    Nfs41Compound putfh(byte[] fh) {
        op(OP_PUTFH).writeOpaque(fh);
        return this;
    }

    Nfs41Compound lookup(String name) {
        op(OP_LOOKUP).writeString(name);
        return this;
    }

    /** PUTROOTFH and one LOOKUP per component of {@code path} ("/a/b"). */
    Nfs41Compound walk(String path) {
        putrootfh();
        for (String c : path.split("/")) {
            if (!c.isEmpty()) {
                lookup(c);
            }
        }
        return this;
    }

    Nfs41Compound getfh() {
        op(OP_GETFH);
        return this;
    }

    /** GETATTR of the given attribute numbers (bitmap4 of up to two words). */
    Nfs41Compound getattr(int... attrs) {
        op(OP_GETATTR);
        bitmap(attrs);
        return this;
    }

    private void bitmap(int... attrs) {
        int w0 = 0;
        int w1 = 0;
        for (int a : attrs) {
            if (a < 32) {
                w0 |= 1 << a;
            } else {
                w1 |= 1 << (a - 32);
            }
        }
        if (w1 != 0) {
            x.writeInt(2).writeInt(w0).writeInt(w1);
        } else {
            x.writeInt(1).writeInt(w0);
        }
    }

    /** Empty fattr4, or one with mode (bit 33) when {@code mode >= 0}. */
    private void createAttrs(int mode) {
        if (mode < 0) {
            x.writeInt(0).writeInt(0);
        } else {
            x.writeInt(2).writeInt(0).writeInt(1 << (FATTR4_MODE - 32)).writeInt(4).writeInt(mode);
        }
    }

    /**
     * OPEN (RFC 8881 section 18.16) by name in the current directory, CLAIM_NULL, read-write, deny none,
     * no delegation wanted: UNCHECKED4 create with {@code mode} when {@code create}, else open existing.
     */
    Nfs41Compound open(long clientId, byte[] owner, String name, boolean create, int mode) {
        op(OP_OPEN).writeInt(0).writeInt(ACCESS_BOTH_NO_DELEG).writeInt(0);
        x.writeLong(clientId).writeOpaque(owner);
        if (create) {
            x.writeInt(1).writeInt(0); // OPEN4_CREATE, UNCHECKED4
            createAttrs(mode);
        } else {
            x.writeInt(0);
        }
        x.writeInt(0).writeString(name); // CLAIM_NULL
        return this;
    }

    Nfs41Compound close(Nfs41Reply.Stateid s) {
        op(OP_CLOSE).writeInt(0);
        stateid(s);
        return this;
    }

    private void stateid(Nfs41Reply.Stateid s) {
        x.writeInt(s.seqid()).writeOpaqueFixed(s.other());
    }

    /** WRITE's arguments up to the data's length; the {@code len} data bytes and padding follow the record. */
    Nfs41Compound write(Nfs41Reply.Stateid s, long offset, int stable, int len) {
        op(OP_WRITE);
        stateid(s);
        x.writeLong(offset).writeInt(stable).writeInt(len);
        return this;
    }

    Nfs41Compound read(Nfs41Reply.Stateid s, long offset, int count) {
        op(OP_READ);
        stateid(s);
        x.writeLong(offset).writeInt(count);
        return this;
    }

    Nfs41Compound commit(long offset, int count) {
        op(OP_COMMIT).writeLong(offset).writeInt(count);
        return this;
    }

    Nfs41Compound remove(String name) {
        op(OP_REMOVE).writeString(name);
        return this;
    }

    /** CREATE of a directory (NF4DIR) with {@code mode}. */
    Nfs41Compound mkdir(String name, int mode) {
        op(OP_CREATE).writeInt(2).writeString(name);
        createAttrs(mode);
        return this;
    }

    /** READDIR with the attributes a READDIRPLUS listing carries. */
    Nfs41Compound readdir(long cookie, byte[] verifier, int dircount, int maxcount) {
        op(OP_READDIR).writeLong(cookie).writeOpaqueFixed(verifier).writeInt(dircount).writeInt(maxcount);
        bitmap(FATTR4_TYPE, FATTR4_SIZE, FATTR4_FILEID, FATTR4_MODE, FATTR4_NUMLINKS, FATTR4_OWNER,
                FATTR4_OWNER_GROUP, FATTR4_TIME_MODIFY);
        return this;
    }

    /** EXCHANGE_ID: verifier, client owner, no flags, SP4_NONE, no implementation id. */
    Nfs41Compound exchangeId(long verifier, byte[] owner) {
        op(OP_EXCHANGE_ID).writeLong(verifier).writeOpaque(owner).writeInt(0).writeInt(0).writeInt(0);
        return this;
    }

    /**
     * CREATE_SESSION with a fore channel of {@code slots} requests of up to {@code maxRequest} /
     * {@code maxResponse} bytes, flags 0 (no persistence, no back channel), AUTH_SYS callback security.
     */
    Nfs41Compound createSession(long clientId, int seq, int slots, int maxRequest, int maxResponse) {
        op(OP_CREATE_SESSION).writeLong(clientId).writeInt(seq).writeInt(0);
        x.writeInt(0).writeInt(maxRequest).writeInt(maxResponse).writeInt(4096).writeInt(16).writeInt(slots).writeInt(0);
        x.writeInt(0).writeInt(4096).writeInt(4096).writeInt(0).writeInt(2).writeInt(1).writeInt(0);
        x.writeInt(0x40000000); // cb_program (unused: no back channel)
        x.writeInt(1).writeInt(1); // one callback_sec_parms4: AUTH_SYS
        x.writeInt(0).writeString("nfsload").writeInt(0).writeInt(0).writeInt(0);
        return this;
    }

    Nfs41Compound reclaimComplete() {
        op(OP_RECLAIM_COMPLETE).writeBool(false);
        return this;
    }

    Nfs41Compound destroySession(byte[] sessionId) {
        op(OP_DESTROY_SESSION).writeOpaqueFixed(sessionId);
        return this;
    }

    Nfs41Compound destroyClientId(long clientId) {
        op(OP_DESTROY_CLIENTID).writeLong(clientId);
        return this;
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
