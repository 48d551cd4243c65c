package io.dittofs.protocols.nfs.v4.ops;

import io.dittofs.core.FsError;
import io.dittofs.core.FsException;
import io.dittofs.core.Share;
import io.dittofs.core.lock.FileKey;
import io.dittofs.protocols.nfs.v4.CompoundContext;
import io.dittofs.protocols.nfs.v4.Nfs4Handle;
import io.dittofs.protocols.nfs.v4.state.StateManager;

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
        try {
            s.fs().getattr(fh.id());
        } catch (FsException e) {
            // a file removed (or renamed over) while open keeps its handle for CLOSE, LOCKU, ... (as on a
            // POSIX server, where the open keeps the inode alive); other ops on it still answer STALE
            boolean gone = e.error() == FsError.NOT_FOUND || e.error() == FsError.STALE;
            if (!gone || !(ctx.services().state() instanceof StateManager m)
                    || !m.states().isOpen(new FileKey(fh.shareId(), fh.id()))) {
                throw e;
            }
        }
    }
}
