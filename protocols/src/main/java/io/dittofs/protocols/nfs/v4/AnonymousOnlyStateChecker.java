package io.dittofs.protocols.nfs.v4;

/**
 * The checker used while no open/lock state exists: only the special anonymous and READ-bypass
 * stateids (RFC 8881 section 8.2.3) are accepted, anything else is NFS4ERR_BAD_STATEID.
 * Stateless and thread-safe.
 */
public final class AnonymousOnlyStateChecker implements StateChecker {
    public static final AnonymousOnlyStateChecker INSTANCE = new AnonymousOnlyStateChecker();

    private AnonymousOnlyStateChecker() {
    }

    @Override
    public void checkIo(CompoundContext ctx, Stateid4 sid, Nfs4Handle fh, boolean write, long offset, long length) {
        if (!sid.isAnonymous() && !sid.isBypass()) {
            throw new Nfs4Exception(Nfs4Status.BAD_STATEID, "no state for " + sid);
        }
    }
}
