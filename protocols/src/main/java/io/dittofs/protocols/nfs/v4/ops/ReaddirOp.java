package io.dittofs.protocols.nfs.v4.ops;

import io.dittofs.core.Results;
import io.dittofs.core.Share;
import io.dittofs.protocols.nfs.v4.CompoundContext;
import io.dittofs.protocols.nfs.v4.Fattr4;
import io.dittofs.protocols.nfs.v4.Fattr4Values;
import io.dittofs.protocols.nfs.v4.FileTarget;
import io.dittofs.protocols.nfs.v4.Nfs4Exception;
import io.dittofs.protocols.nfs.v4.Nfs4Handle;
import io.dittofs.protocols.nfs.v4.Nfs4Op;
import io.dittofs.protocols.nfs.v4.Nfs4Ops;
import io.dittofs.protocols.nfs.v4.Nfs4Status;
import io.dittofs.protocols.nfs.v4.PseudoFs;
import io.dittofs.protocols.xdr.XdrDecoder;
import io.dittofs.protocols.xdr.XdrEncoder;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * READDIR (RFC 8881 section 18.23): entries after {@code cookie} with the requested attributes,
 * as many as fit in {@code maxcount} (NFS4ERR_TOOSMALL if not one does). "." and ".." are never
 * returned and cookies 1 and 2 are reserved (the core's cookies for real entries start above
 * them). The cookie verifier is constant: cookies never go bad. An entry whose attributes cannot
 * be read carries only {@code rdattr_error} when asked for, else fails the op. In the
 * pseudo-filesystem the entries are the visible children. Stateless singleton; thread-safe.
 */
final class ReaddirOp implements Nfs4Op {
    static final ReaddirOp INSTANCE = new ReaddirOp();
    /** READDIR4resok of an empty listing, what maxcount bounds (RFC 7530 section 16.24): cookieverf + end of list + eof. */
    private static final int OVERHEAD = 8 + 4 + 4;
    private static final int MAX_REPLY = 1024 * 1024;
    /** First cookie of a pseudo directory's entries (0, 1 and 2 are reserved). */
    private static final long PSEUDO_COOKIE_BASE = 3;

    /** One entry to encode: name, cookie, and its attribute source (null: rdattr_error). */
    private record Item(String name, long cookie, Supplier<Fattr4Values> attrs) {
    }

    @Override
    public int opnum() {
        return Nfs4Ops.OP_READDIR;
    }

    @Override
    public void execute(CompoundContext ctx, XdrDecoder args, XdrEncoder res) {
        Nfs4Handle h = ctx.requireCurrentFh();
        long cookie = args.readLong();
        args.readLong(); // cookieverf: constant, so any value is accepted
        args.readUnsignedInt(); // dircount: a hint
        long maxcount = args.readUnsignedInt();
        long[] requested = Fattr4.readBitmap(args);
        Fattr4.checkReadable(requested);
        if (cookie == 1 || cookie == 2) {
            throw new Nfs4Exception(Nfs4Status.BAD_COOKIE, "reserved cookie " + cookie);
        }
        long budget = Math.min(maxcount, MAX_REPLY);
        int want = (int) Math.max(1, Math.min(4096, budget / 32));
        List<Item> items = new ArrayList<>();
        boolean eof = h.isPseudo() ? pseudoItems(ctx, h, cookie, want, items) : shareItems(ctx, h, cookie, want, items);
        long start = res.position();
        res.writeInt(Nfs4Status.OK);
        res.writeLong(0); // cookieverf
        int written = 0;
        for (Item it : items) {
            long before = res.position();
            res.writeBool(true);
            res.writeLong(it.cookie());
            res.writeString(it.name());
            Fattr4Values v = null;
            int err = Nfs4Status.OK;
            try {
                v = it.attrs().get();
            } catch (Nfs4Exception e) {
                err = e.status();
            } catch (io.dittofs.core.FsException e) {
                err = io.dittofs.protocols.nfs.v4.Nfs4Errors.status(e.error());
            }
            if (v != null) {
                Fattr4.encode(res, requested, v, ctx, Nfs4Status.OK);
            } else if (Fattr4.has(requested, Fattr4.RDATTR_ERROR)) {
                Fattr4.encodeError(res, err);
            } else {
                throw new Nfs4Exception(err, "attributes of " + it.name());
            }
            if (res.position() - start - 4 + 8 > budget) { // the status is not part of maxcount
                res.position(before);
                eof = false;
                break;
            }
            written++;
        }
        if (written == 0 && !items.isEmpty()) {
            res.position(start);
            throw new Nfs4Exception(Nfs4Status.TOOSMALL);
        }
        if (budget < OVERHEAD) {
            throw new Nfs4Exception(Nfs4Status.TOOSMALL);
        }
        res.writeBool(false);
        res.writeBool(eof && written == items.size());
    }

    private static boolean pseudoItems(CompoundContext ctx, Nfs4Handle h, long cookie, int want, List<Item> out) {
        PseudoFs p = ctx.services().pseudoFs();
        List<PseudoFs.Child> children = p.children(p.path(h.id(), ctx::visible), ctx::visible);
        int from = cookie == 0 ? 0 : (int) Math.min(Integer.MAX_VALUE, cookie - PSEUDO_COOKIE_BASE + 1);
        if (from < 0) {
            throw new Nfs4Exception(Nfs4Status.BAD_COOKIE);
        }
        int i = from;
        for (; i < children.size() && out.size() < want; i++) {
            PseudoFs.Child c = children.get(i);
            Supplier<Fattr4Values> attrs = c.isShareRoot()
                    ? () -> Objects4.values(c.share(), c.share().fs().getattr(c.share().fs().rootId()),
                            Objects4.stat(c.share()))
                    : () -> Fattr4Values.pseudo(c.pseudoId(), 0, p.bootNanos());
            out.add(new Item(c.name(), PSEUDO_COOKIE_BASE + i, attrs));
        }
        return i >= children.size();
    }

    private static boolean shareItems(CompoundContext ctx, Nfs4Handle h, long cookie, int want, List<Item> out) {
        FileTarget t = ctx.target(h, false);
        Share s = t.share();
        Supplier<Results.FsStat> stat = Objects4.stat(s);
        // core cookies: 1 ".", 2 "..", real entries above; v4 shows neither dot entry
        Results.DirPage page = t.fs().readdir(t.ctx(), t.inode(), Math.max(cookie, 2), want, true);
        for (Results.Entry e : page.entries()) {
            if (e.name().equals(".") || e.name().equals("..")) {
                continue;
            }
            Supplier<Fattr4Values> attrs = e.attr() == null
                    ? () -> {
                        throw new Nfs4Exception(Nfs4Status.NOENT, e.name());
                    }
                    : () -> Objects4.values(s, e.attr(), stat);
            out.add(new Item(e.name(), e.cookie(), attrs));
        }
        return page.eof();
    }
}
