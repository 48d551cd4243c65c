package io.dittofs.protocols.nfs.v4.ops;

import io.dittofs.core.Results;
import io.dittofs.core.Stability;
import io.dittofs.protocols.nfs.v4.CompoundContext;
import io.dittofs.protocols.nfs.v4.FileTarget;
import io.dittofs.protocols.nfs.v4.Nfs4Exception;
import io.dittofs.protocols.nfs.v4.Nfs4Handle;
import io.dittofs.protocols.nfs.v4.Nfs4Op;
import io.dittofs.protocols.nfs.v4.Nfs4Ops;
import io.dittofs.protocols.nfs.v4.Nfs4Status;
import io.dittofs.protocols.nfs.v4.Stateid4;
import io.dittofs.protocols.xdr.XdrDecoder;
import io.dittofs.protocols.xdr.XdrEncoder;

import java.lang.foreign.MemorySegment;

/**
 * COPY (RFC 7862 section 15.2, 4.2), intra-server and always synchronous: the saved filehandle is
 * the source, the current one the destination, both in the same share (else NFS4ERR_XDEV).
 * <pre>
 * struct COPY4args { stateid4 ca_src_stateid; stateid4 ca_dst_stateid; offset4 ca_src_offset;
 *                    offset4 ca_dst_offset; length4 ca_count; bool ca_consecutive;
 *                    bool ca_synchronous; netloc4 ca_source_server&lt;&gt;; };
 * struct write_response4 { stateid4 wr_callback_id&lt;1&gt;; length4 wr_count;
 *                          stable_how4 wr_committed; verifier4 wr_writeverf; };
 * struct copy_requirements4 { bool cr_consecutive; bool cr_synchronous; };
 * struct COPY4resok { write_response4 cr_response; copy_requirements4 cr_requirements; };
 * </pre>
 * A {@code ca_count} of 0 copies to the end of the source. The data moves through a scratch
 * area reserved in this reply's own pooled off-heap buffer, {@value #CHUNK} bytes at a time (no
 * heap copy, no extra buffer), and holes of the source stay holes
 * ({@link io.dittofs.core.FileSystem#copy}). The copy is complete and durable before the reply:
 * {@code wr_callback_id} is empty, {@code wr_committed} FILE_SYNC and {@code cr_synchronous} true
 * whatever the client asked (the RFC lets a server copy synchronously when asked for an
 * asynchronous copy). An inter-server copy (a source server given) is NFS4ERR_NOTSUPP.
 * Stateless singleton; thread-safe.
 */
final class CopyOp implements Nfs4Op {
    static final CopyOp INSTANCE = new CopyOp();
    /** Bytes moved per read/write round. */
    static final int CHUNK = 512 * 1024;

    @Override
    public int opnum() {
        return Nfs4Ops.OP_COPY;
    }

    @Override
    public int minMinor() {
        return 2;
    }

    @Override
    public void execute(CompoundContext ctx, XdrDecoder args, XdrEncoder res) {
        Nfs4Handle dstFh = ctx.requireCurrentFh();
        Nfs4Handle srcFh = ctx.savedFh();
        Stateid4 srcSid = Stateid4.read(args);
        Stateid4 dstSid = Stateid4.read(args);
        long srcOffset = args.readLong();
        long dstOffset = args.readLong();
        long count = args.readLong();
        args.readBool(); // ca_consecutive: always the case
        args.readBool(); // ca_synchronous: answered synchronously either way
        int sources = args.readInt();
        if (sources != 0) {
            throw new Nfs4Exception(Nfs4Status.NOTSUPP, "inter-server copy");
        }
        if (srcFh == null) {
            throw new Nfs4Exception(Nfs4Status.NOFILEHANDLE, "no saved filehandle (the source)");
        }
        if (srcFh.isPseudo() || dstFh.isPseudo()) {
            throw new Nfs4Exception(Nfs4Status.ISDIR);
        }
        if (srcFh.shareId() != dstFh.shareId()) {
            throw new Nfs4Exception(Nfs4Status.XDEV, "copy between shares");
        }
        if (srcOffset < 0 || dstOffset < 0 || count < 0) { // unsigned 64-bit values past 2^63 - 1
            throw new Nfs4Exception(Nfs4Status.INVAL, "offset or count past 2^63 - 1");
        }
        FileTarget src = ctx.target(srcFh, false);
        FileTarget dst = ctx.target(dstFh, true);
        ctx.services().stateChecker().checkIo(ctx, ctx.resolveStateid(srcSid), srcFh, false, srcOffset, count);
        ctx.services().stateChecker().checkIo(ctx, ctx.resolveStateid(dstSid), dstFh, true, dstOffset, count);
        if (count == 0) {
            count = Math.max(0, src.fs().getattr(src.inode()).size() - srcOffset);
        }
        MemorySegment scratch = res.reserve(CHUNK); // overwritten by this reply and later ones
        Results.Copied c = dst.fs().copy(dst.ctx(), src.inode(), srcOffset, dst.inode(), dstOffset, count, scratch);
        res.writeInt(Nfs4Status.OK);
        res.writeInt(0); // wr_callback_id: none, the copy is done
        res.writeLong(c.count());
        res.writeInt(Stability.FILE_SYNC.ordinal());
        res.writeLong(ctx.services().writeVerifier());
        res.writeBool(true); // cr_consecutive: copied front to back
        res.writeBool(true); // cr_synchronous
    }
}
