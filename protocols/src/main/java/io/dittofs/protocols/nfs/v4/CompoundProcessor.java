package io.dittofs.protocols.nfs.v4;

import io.dittofs.core.FsError;
import io.dittofs.core.FsException;
import io.dittofs.protocols.rpc.RpcCall;
import io.dittofs.protocols.xdr.BadXdrException;
import io.dittofs.protocols.xdr.XdrDecoder;
import io.dittofs.protocols.xdr.XdrEncoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;

import static io.dittofs.protocols.nfs.v4.Nfs4Ops.*;

/**
 * Runs one COMPOUND (RFC 7530 section 15.2, RFC 8881 section 16.2): decodes {@code COMPOUND4args}
 * op by op (never allocating in proportion to the claimed op count), applies the framework rules
 * and writes {@code COMPOUND4res}. Rules: a tag over {@link #MAX_TAG} bytes or not UTF-8 is
 * NFS4ERR_INVAL; a minor version over 2 is NFS4ERR_MINOR_VERS_MISMATCH with no results; more than
 * {@link #MAX_OPS} ops is NFS4ERR_RESOURCE (4.0) or NFS4ERR_TOO_MANY_OPS (4.1+) with no results;
 * an opnum the minor version does not define is OP_ILLEGAL; an op defined but not implemented, or
 * outside its minor range, is NFS4ERR_NOTSUPP; in 4.1+ the first op must be SEQUENCE unless a
 * session-less op (EXCHANGE_ID, CREATE_SESSION, DESTROY_SESSION, DESTROY_CLIENTID,
 * BIND_CONN_TO_SESSION) stands alone (NFS4ERR_OP_NOT_IN_SESSION; NFS4ERR_NOT_ONLY_OP when it does
 * not stand alone), and SEQUENCE elsewhere is NFS4ERR_SEQUENCE_POS. Garbage in an op's arguments
 * is NFS4ERR_BADXDR for that op; a header that cannot be read is thrown as
 * {@link BadXdrException} (GARBAGE_ARGS). This is the one place that maps op exceptions to
 * {@code nfsstat4}. Thread-safe (stateless; each call has its own {@link CompoundContext}).
 */
public final class CompoundProcessor {
    private static final Logger LOG = LoggerFactory.getLogger(CompoundProcessor.class);
    /** Longest tag accepted (bytes). */
    public static final int MAX_TAG = 1024;
    /** Absolute cap on ops per COMPOUND, for every minor version. */
    public static final int MAX_OPS = 256;
    public static final int MAX_MINOR = 2;
    /** An accepted RPC reply header with an AUTH_NONE verifier: what ca_maxresponsesize counts beside COMPOUND4res. */
    private static final int RPC_REPLY_HEADER = 24;
    private static final ValueLayout.OfInt XDR_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private final Nfs4Ops ops;
    private final Nfs4Services services;

    public CompoundProcessor(Nfs4Ops ops, Nfs4Services services) {
        this.ops = ops;
        this.services = services;
    }

    public Nfs4Services services() {
        return services;
    }

    /** Decodes {@code COMPOUND4args} from {@code a} and writes {@code COMPOUND4res} to {@code r}. */
    public void process(RpcCall call, XdrDecoder a, XdrEncoder r) {
        long start = r.position();
        int tagLen = a.readInt();
        if (tagLen < 0 || tagLen > a.remaining()) {
            throw new BadXdrException("tag length " + Integer.toUnsignedString(tagLen));
        }
        MemorySegment tag = a.readOpaqueFixed(tagLen);
        if (tagLen > MAX_TAG) {
            header(r, Nfs4Status.INVAL, null, 0);
            return;
        }
        int minor = a.readInt();
        if (!utf8(tag)) {
            header(r, Nfs4Status.INVAL, tag, 0);
            return;
        }
        if (minor < 0 || minor > MAX_MINOR) {
            header(r, Nfs4Status.MINOR_VERS_MISMATCH, tag, 0);
            return;
        }
        int count = a.readInt();
        if (count < 0 || count > MAX_OPS) {
            header(r, minor == 0 ? Nfs4Status.RESOURCE : Nfs4Status.TOO_MANY_OPS, tag, 0);
            return;
        }
        long statusAt = r.position();
        r.writeInt(Nfs4Status.OK);
        r.writeInt(tagLen);
        r.writeOpaqueFixed(tag);
        long countAt = r.position();
        r.writeInt(0);
        CompoundContext ctx = new CompoundContext(minor, call, services, count);
        ctx.requestBytes(a.segment().byteSize());
        int status = Nfs4Status.OK;
        int done = 0;
        for (int i = 0; i < count && status == Nfs4Status.OK; i++) {
            ctx.opIndex(i);
            done++;
            long opStart = r.position();
            status = runOne(ctx, a, r, i, count);
            MemorySegment replay = ctx.replayed();
            if (replay != null) {
                r.position(start);
                r.writeOpaqueFixed(replay);
                return;
            }
            status = checkReplySize(ctx.slot(), r, start, opStart, status);
        }
        long end = r.position();
        r.writeIntAt(statusAt, status);
        r.writeIntAt(countAt, done);
        r.position(end);
        SlotRef slot = ctx.slot();
        if (slot != null) {
            slot.cacheReply(r.written().asSlice(start, end - start));
        }
    }

    /**
     * RFC 8881 section 2.10.6.4: once the reply (with the RPC reply header) outgrows the session's
     * ca_maxresponsesize the op that grew it answers NFS4ERR_REP_TOO_BIG instead of its result, or
     * NFS4ERR_REP_TOO_BIG_TO_CACHE when the client asked the slot to cache a reply longer than
     * ca_maxresponsesize_cached. The op has run; only its result is dropped.
     */
    private static int checkReplySize(SlotRef slot, XdrEncoder r, long start, long opStart, int status) {
        if (slot == null) {
            return status;
        }
        long size = r.position() - start + RPC_REPLY_HEADER;
        int tooBig;
        if (size > slot.maxResponseSize()) {
            tooBig = Nfs4Status.REP_TOO_BIG;
        } else if (slot.cacheThis() && size > slot.maxResponseSizeCached()) {
            tooBig = Nfs4Status.REP_TOO_BIG_TO_CACHE;
        } else {
            return status;
        }
        r.position(opStart + 4); // keep the op number, replace the status and result
        r.writeInt(tooBig);
        return tooBig;
    }

    private static boolean utf8(MemorySegment tag) {
        try {
            XdrDecoder.utf8(tag);
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    private static void header(XdrEncoder r, int status, MemorySegment tag, int count) {
        r.writeInt(status);
        if (tag == null) {
            r.writeInt(0);
        } else {
            r.writeInt((int) tag.byteSize());
            r.writeOpaqueFixed(tag);
        }
        r.writeInt(count);
    }

    /** Runs op {@code i}; writes its {@code nfs_resop4}; returns its status. */
    private int runOne(CompoundContext ctx, XdrDecoder a, XdrEncoder r, int i, int count) {
        int opnum;
        try {
            opnum = a.readInt();
        } catch (BadXdrException e) {
            // the ops ended before the count said: no op to answer, so an ILLEGAL result with BADXDR
            r.writeInt(OP_ILLEGAL);
            r.writeInt(Nfs4Status.BADXDR);
            return Nfs4Status.BADXDR;
        }
        int minor = ctx.minorVersion();
        if (!Nfs4Ops.defined(minor, opnum)) {
            r.writeInt(OP_ILLEGAL);
            r.writeInt(Nfs4Status.OP_ILLEGAL);
            return Nfs4Status.OP_ILLEGAL;
        }
        r.writeInt(opnum);
        long statusAt = r.position();
        int ruled = rules(ctx, opnum, i, count);
        if (ruled != Nfs4Status.OK) {
            r.writeInt(ruled);
            return ruled;
        }
        Nfs4Op op = ops.get(opnum);
        if (op == null || minor < op.minMinor() || minor > op.maxMinor()) {
            r.writeInt(Nfs4Status.NOTSUPP);
            return Nfs4Status.NOTSUPP;
        }
        try {
            op.execute(ctx, a, r);
        } catch (Nfs4Exception e) {
            LOG.debug("{} {}: {}", Nfs4Ops.name(opnum), Nfs4Status.name(e.status()), e.getMessage());
            return failed(r, statusAt, e.status());
        } catch (FsException e) {
            if (e.error() == FsError.SERVER_FAULT || e.error() == FsError.IO) {
                LOG.warn("{} failed: {}", Nfs4Ops.name(opnum), e.getMessage(), e);
            } else {
                LOG.debug("{}: {} {}", Nfs4Ops.name(opnum), e.error(), e.getMessage());
            }
            return failed(r, statusAt, Nfs4Errors.status(e.error()));
        } catch (BadXdrException e) {
            LOG.debug("{}: bad XDR: {}", Nfs4Ops.name(opnum), e.getMessage());
            return failed(r, statusAt, Nfs4Status.BADXDR);
        } catch (RuntimeException e) {
            // a bug, not the client's fault: answer SERVERFAULT so the compound still ends normally
            // and a 4.1 slot gets its reply (else the slot would stay busy and answer DELAY for good)
            LOG.warn("{} failed: {}", Nfs4Ops.name(opnum), e.toString(), e);
            return failed(r, statusAt, Nfs4Status.SERVERFAULT);
        }
        if (ctx.replayed() != null) {
            return Nfs4Status.OK; // the caller sends the cached reply instead
        }
        if (r.position() < statusAt + 4) {
            throw new IllegalStateException(Nfs4Ops.name(opnum) + " wrote no status");
        }
        return r.written().get(XDR_INT, statusAt);
    }

    private static int failed(XdrEncoder r, long statusAt, int status) {
        r.position(statusAt);
        r.writeInt(status);
        return status;
    }

    /** The session rules of RFC 8881 section 2.10.6 (4.1+); OK when the op may run here. */
    private static int rules(CompoundContext ctx, int opnum, int i, int count) {
        if (ctx.minorVersion() == 0) {
            return Nfs4Status.OK;
        }
        if (opnum == OP_SEQUENCE) {
            return i == 0 ? Nfs4Status.OK : Nfs4Status.SEQUENCE_POS;
        }
        if (i == 0) {
            if (sessionless(opnum)) {
                return count == 1 ? Nfs4Status.OK : Nfs4Status.NOT_ONLY_OP;
            }
            return Nfs4Status.OP_NOT_IN_SESSION;
        }
        return ctx.inSession() ? Nfs4Status.OK : Nfs4Status.OP_NOT_IN_SESSION;
    }

    private static boolean sessionless(int opnum) {
        return opnum == OP_EXCHANGE_ID || opnum == OP_CREATE_SESSION || opnum == OP_DESTROY_SESSION
                || opnum == OP_DESTROY_CLIENTID || opnum == OP_BIND_CONN_TO_SESSION;
    }
}
