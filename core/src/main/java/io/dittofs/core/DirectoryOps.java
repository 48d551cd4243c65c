package io.dittofs.core;

import io.dittofs.core.Results.DirPage;
import io.dittofs.core.Results.Entry;

import java.util.ArrayList;
import java.util.List;

import static io.dittofs.core.Checks.*;
import static io.dittofs.core.Permissions.EXECUTE;
import static io.dittofs.core.Permissions.READ;

/**
 * Name resolution and listing: LOOKUP, READLINK and READDIR(PLUS) with cookies that stay valid
 * while entries come and go.
 *
 * <p>Part of {@link FileSystem}, which delegates to it; holds no state of its own beyond the
 * share's {@link FsBackend}. Thread-safe.
 */
final class DirectoryOps {
    /** Cookies 1 and 2 are "." and ".."; store cookies are shifted past them. */
    private static final long COOKIE_BASE = 2;

    private final FsBackend fs;

    DirectoryOps(FsBackend fs) {
        this.fs = fs;
    }

    /** Resolves {@code name} in {@code dir}; "." and ".." included. Needs search (x) permission. */
    public Inode lookup(AuthContext ctx, long dirId, String name) {
        Names.check(name);
        return fs.meta().read(t -> {
            Inode dir = requireDir(t, dirId);
            Permissions.require(ctx, dir, EXECUTE);
            if (".".equals(name)) {
                return dir;
            }
            if ("..".equals(name)) {
                return require(t, dir.parent());
            }
            DirEntry e = t.lookup(dirId, name);
            if (e == null) {
                throw new FsException(FsError.NOT_FOUND, name);
            }
            return require(t, e.child());
        });
    }

    public String readlink(AuthContext ctx, long id) {
        Inode n = fs.getattr(id);
        if (n.type() != FileType.SYMLINK) {
            throw new FsException(FsError.INVALID, "not a symlink");
        }
        return n.symlink();
    }

    /**
     * Lists up to {@code max} entries after {@code cookie} (0 = from the start; "." and ".."
     * come first). Cookies stay valid while entries come and go.
     */
    public DirPage readdir(AuthContext ctx, long dirId, long cookie, int max, boolean withAttrs) {
        if (max <= 0) {
            throw new FsException(FsError.INVALID, "readdir count");
        }
        return fs.meta().read(t -> {
            Inode dir = requireDir(t, dirId);
            Permissions.require(ctx, dir, READ);
            List<Entry> out = new ArrayList<>(Math.min(max, 1024));
            if (cookie < 1) {
                out.add(new Entry(".", dir.id(), 1, withAttrs ? dir : null));
            }
            if (cookie < 2 && out.size() < max) {
                Inode parent = require(t, dir.parent());
                out.add(new Entry("..", parent.id(), 2, withAttrs ? parent : null));
            }
            int want = max - out.size();
            if (want == 0) {
                return new DirPage(out, false, dir);
            }
            long after = Math.max(0, cookie - COOKIE_BASE);
            List<DirEntry> page = t.list(dirId, after, want + 1);
            boolean eof = page.size() <= want;
            for (int i = 0; i < Math.min(want, page.size()); i++) {
                DirEntry e = page.get(i);
                Inode attr = withAttrs ? t.get(e.child()) : null;
                out.add(new Entry(e.name(), e.child(), e.cookie() + COOKIE_BASE, attr));
            }
            return new DirPage(out, eof, dir);
        });
    }
}
