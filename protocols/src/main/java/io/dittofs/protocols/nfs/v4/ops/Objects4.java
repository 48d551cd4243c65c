package io.dittofs.protocols.nfs.v4.ops;

import io.dittofs.core.FsError;
import io.dittofs.core.FsException;
import io.dittofs.core.Inode;
import io.dittofs.core.Names;
import io.dittofs.core.Results;
import io.dittofs.core.Share;
import io.dittofs.protocols.nfs.v4.CompoundContext;
import io.dittofs.protocols.nfs.v4.Fattr4Values;
import io.dittofs.protocols.nfs.v4.FileTarget;
import io.dittofs.protocols.nfs.v4.Nfs4Exception;
import io.dittofs.protocols.nfs.v4.Nfs4Handle;
import io.dittofs.protocols.nfs.v4.Nfs4Status;
import io.dittofs.protocols.nfs.v4.PseudoFs;
import io.dittofs.protocols.xdr.XdrDecoder;
import io.dittofs.protocols.xdr.XdrEncoder;

import java.lang.foreign.MemorySegment;
import java.nio.charset.CharacterCodingException;
import java.util.function.Supplier;

/** Helpers shared by the ops: names, attribute sources, change_info4. Stateless. */
final class Objects4 {
    /** Longest component4 read before it is judged (longer than NAME_MAX is NAMETOOLONG). */
    private static final int NAME_WIRE_MAX = 4096;

    private Objects4() {
    }

    /**
     * A {@code component4} (RFC 8881 section 3.3.9): empty or not UTF-8 is NFS4ERR_INVAL, over
     * NAME_MAX bytes NFS4ERR_NAMETOOLONG, "." ".." or one holding '/' or NUL NFS4ERR_BADNAME.
     */
    static String name(XdrDecoder a) {
        MemorySegment raw = a.readOpaque(NAME_WIRE_MAX);
        if (raw.byteSize() == 0) {
            throw new Nfs4Exception(Nfs4Status.INVAL, "empty name");
        }
        if (raw.byteSize() > Names.NAME_MAX) {
            throw new Nfs4Exception(Nfs4Status.NAMETOOLONG);
        }
        String s;
        try {
            s = XdrDecoder.utf8(raw);
        } catch (CharacterCodingException e) {
            throw new Nfs4Exception(Nfs4Status.INVAL, "name not UTF-8");
        }
        if (s.equals(".") || s.equals("..") || s.indexOf('/') >= 0 || s.indexOf('\0') >= 0) {
            throw new Nfs4Exception(Nfs4Status.BADNAME, s);
        }
        return s;
    }

    /** A once-computed space figure for one reply. */
    static Supplier<Results.FsStat> stat(Share s) {
        return new Supplier<>() {
            private Results.FsStat v;

            @Override
            public Results.FsStat get() {
                if (v == null) {
                    v = s.fs().fsstat();
                }
                return v;
            }
        };
    }

    /** The attribute source of a handle the caller may read (share policy checked). */
    static Fattr4Values values(CompoundContext ctx, Nfs4Handle h) {
        if (h.isPseudo()) {
            PseudoFs p = ctx.services().pseudoFs();
            String path = p.path(h.id(), ctx::visible);
            int subdirs = p.children(path, ctx::visible).size();
            return Fattr4Values.pseudo(h.id(), subdirs, p.bootNanos());
        }
        FileTarget t = ctx.target(h, false);
        return values(t.share(), t.fs().getattr(t.inode()), stat(t.share()));
    }

    static Fattr4Values values(Share s, Inode n, Supplier<Results.FsStat> stat) {
        return Fattr4Values.of(s, n, PseudoFs.nodeIdOf(PseudoFs.mountPath(s)), stat);
    }

    /** {@code change_info4} from a directory's before/after attributes. */
    static void changeInfo(XdrEncoder r, Results.Wcc w) {
        r.writeBool(w.before() != null);
        r.writeLong(w.before() == null ? 0 : w.before().ctimeNs());
        r.writeLong(w.after() == null ? 0 : w.after().ctimeNs());
    }

    /** A share directory for a namespace change; a pseudo directory is read-only. */
    static FileTarget dirForChange(CompoundContext ctx, Nfs4Handle h) {
        if (h.isPseudo()) {
            throw new Nfs4Exception(Nfs4Status.ROFS, "pseudo-filesystem");
        }
        return ctx.target(h, true);
    }

    /** The inode of a share object, or STALE. */
    static Inode inode(FileTarget t) {
        try {
            return t.fs().getattr(t.inode());
        } catch (FsException e) {
            if (e.error() == FsError.NOT_FOUND) {
                throw new FsException(FsError.STALE, "object gone");
            }
            throw e;
        }
    }
}
