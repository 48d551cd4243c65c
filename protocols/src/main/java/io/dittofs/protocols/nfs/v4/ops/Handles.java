package io.dittofs.protocols.nfs.v4.ops;

import io.dittofs.core.FsError;
import io.dittofs.core.FsException;
import io.dittofs.core.Share;
import io.dittofs.protocols.nfs.v4.CompoundContext;
import io.dittofs.protocols.nfs.v4.Nfs4Handle;

/** Filehandle checks shared by the ops. Stateless. */
final class Handles {
    private Handles() {
    }

    /**
     * Checks a client-supplied handle names something the caller may still reach: a visible pseudo
     * directory, or a visible share whose object exists.
     */
    static void checkExists(CompoundContext ctx, Nfs4Handle fh) {
        if (fh.isPseudo()) {
            ctx.services().pseudoFs().path(fh.id(), ctx::visible);
            return;
        }
        Share s = ctx.services().shares().byId(fh.shareId());
        if (s == null) {
            throw new FsException(FsError.STALE, "no share " + fh.shareId());
        }
        s.fs().getattr(fh.id());
    }
}
