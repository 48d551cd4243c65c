package io.dittofs.protocols.nfs.v3;

import io.dittofs.core.FsError;
import io.dittofs.core.FsException;
import io.dittofs.core.Results;
import io.dittofs.protocols.xdr.XdrDecoder;
import io.dittofs.protocols.xdr.XdrEncoder;

import java.nio.charset.StandardCharsets;

import static io.dittofs.protocols.nfs.v3.Nfs3Program.NFS3_OK;

/**
 * READDIR and READDIRPLUS (RFC 1813 sections 3.3.16 and 3.3.17). Cookies come from the
 * file system and stay valid while the directory changes, so the cookie verifier is constant
 * per directory; a client that presents another non-zero verifier gets BAD_COOKIE.
 * The reply is filled up to the client's byte budget. Thread-safe.
 */
final class Nfs3DirOps {
    /** status + post_op_attr + cookieverf + "no more entries" + eof. */
    private static final int RESOK_OVERHEAD = 4 + Nfs3Xdr.POST_OP_ATTR_SIZE + 8 + 4 + 4;
    /** value_follows + fileid + name length + cookie. */
    private static final int ENTRY_FIXED = 4 + 8 + 4 + 8;
    /** post_op_attr + post_op_fh3 with a 16-byte handle. */
    private static final int PLUS_EXTRA = Nfs3Xdr.POST_OP_ATTR_SIZE + 4 + 4 + 16;
    /** NFS3ERR_TOOSMALL: the budget cannot hold a single entry. */
    private static final int NFS3ERR_TOOSMALL = 10005;
    private static final int MAX_REPLY = 1024 * 1024;

    private final Nfs3Program program;

    Nfs3DirOps(Nfs3Program program) {
        this.program = program;
    }

    void readdir(Nfs3Program.Target t, XdrDecoder a, XdrEncoder r, boolean plus) {
        long cookie = a.readLong();
        long verifier = a.readLong();
        long dircount = a.readUnsignedInt();
        long maxcount = plus ? a.readUnsignedInt() : dircount;
        long budget = Math.min(maxcount, MAX_REPLY);
        long nameBudget = plus ? Math.min(dircount, MAX_REPLY) : budget;
        long expected = verifierFor(t.id());
        if (cookie != 0 && verifier != 0 && verifier != expected) {
            throw new FsException(FsError.BAD_COOKIE, "cookie verifier mismatch");
        }
        int perEntry = ENTRY_FIXED + 12 + (plus ? PLUS_EXTRA : 0);
        int want = (int) Math.max(1, Math.min(4096, (budget - RESOK_OVERHEAD) / perEntry + 1));
        Results.DirPage page = t.fs().readdir(t.ctx(), t.id(), cookie, want, plus);
        long start = r.position();
        r.writeInt(NFS3_OK);
        Nfs3Xdr.postOpAttr(r, page.dir(), t.share());
        r.writeLong(expected);
        long used = RESOK_OVERHEAD;
        long namesUsed = 0;
        int written = 0;
        for (Results.Entry e : page.entries()) {
            int nameLen = e.name().getBytes(StandardCharsets.UTF_8).length;
            int padded = (nameLen + 3) & ~3;
            long size = ENTRY_FIXED + padded + (plus ? PLUS_EXTRA : 0);
            long nameSize = 8 + 4 + padded + 8;
            if (used + size > budget || plus && namesUsed + nameSize > nameBudget) {
                break;
            }
            r.writeBool(true);
            r.writeLong(e.id());
            r.writeString(e.name());
            r.writeLong(e.cookie());
            if (plus) {
                Nfs3Xdr.postOpAttr(r, e.attr(), t.share());
                if (e.attr() != null) {
                    Nfs3Xdr.postOpFh(r, t.handle(e.id()));
                } else {
                    r.writeBool(false);
                }
            }
            used += size;
            namesUsed += nameSize;
            written++;
        }
        if (written == 0 && !page.entries().isEmpty()) {
            r.position(start);
            r.writeInt(NFS3ERR_TOOSMALL);
            Nfs3Xdr.postOpAttr(r, page.dir(), t.share());
            return;
        }
        r.writeBool(false);
        r.writeBool(page.eof() && written == page.entries().size());
    }

    /** Constant per directory: cookies never go bad, so the verifier needs no change. */
    static long verifierFor(long dirId) {
        return 0x4469_7474_0000_0000L ^ dirId;
    }
}
