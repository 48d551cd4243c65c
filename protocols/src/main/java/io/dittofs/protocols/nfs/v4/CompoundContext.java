package io.dittofs.protocols.nfs.v4;

import io.dittofs.core.AuthContext;
import io.dittofs.core.FsError;
import io.dittofs.core.FsException;
import io.dittofs.core.Share;
import io.dittofs.core.ShareAccess;
import io.dittofs.protocols.rpc.RpcCall;

import java.lang.foreign.MemorySegment;

/**
 * The state of one COMPOUND call (RFC 8881 section 16.2.3): current and saved filehandles, the
 * current stateid (4.1), the op position, and the session slot bound by SEQUENCE. One per call;
 * not thread-safe, confined to the call's thread.
 */
public final class CompoundContext {
    private final int minorVersion;
    private final RpcCall call;
    private final Nfs4Services services;
    private final int opCount;
    private int opIndex;
    private Nfs4Handle currentFh;
    private Nfs4Handle savedFh;
    private Stateid4 currentStateid;
    private Stateid4 savedStateid;
    private SlotRef slot;
    private MemorySegment replay;
    private long requestBytes;

    public CompoundContext(int minorVersion, RpcCall call, Nfs4Services services, int opCount) {
        this.minorVersion = minorVersion;
        this.call = call;
        this.services = services;
        this.opCount = opCount;
    }

    public int minorVersion() {
        return minorVersion;
    }

    public RpcCall call() {
        return call;
    }

    public Nfs4Services services() {
        return services;
    }

    /** The caller as the current filehandle's share sees it (root squash); the raw caller otherwise. */
    public AuthContext auth() {
        if (currentFh != null && !currentFh.isPseudo()) {
            Share s = services.shares().byId(currentFh.shareId());
            if (s != null) {
                return s.effective(call.auth());
            }
        }
        return call.auth();
    }

    public int opIndex() {
        return opIndex;
    }

    void opIndex(int i) {
        opIndex = i;
    }

    public int opCount() {
        return opCount;
    }

    /** Bytes of the call's {@code COMPOUND4args} (the RPC header excluded): SEQUENCE checks ca_maxrequestsize. */
    public long requestBytes() {
        return requestBytes;
    }

    void requestBytes(long n) {
        requestBytes = n;
    }

    public Nfs4Handle currentFh() {
        return currentFh;
    }

    /** Sets the current filehandle; a new object also clears the current stateid (RFC 8881 16.2.3.1.2). */
    public void setCurrentFh(Nfs4Handle fh) {
        if (fh == null || !fh.equals(currentFh)) {
            currentStateid = null;
        }
        currentFh = fh;
    }

    /** @throws Nfs4Exception NFS4ERR_NOFILEHANDLE when there is none */
    public Nfs4Handle requireCurrentFh() {
        if (currentFh == null) {
            throw new Nfs4Exception(Nfs4Status.NOFILEHANDLE);
        }
        return currentFh;
    }

    public Nfs4Handle savedFh() {
        return savedFh;
    }

    /** SAVEFH: the current filehandle (and, in 4.1, the current stateid) become the saved ones. */
    public void saveFh() {
        savedFh = requireCurrentFh();
        savedStateid = currentStateid;
    }

    /** RESTOREFH: @throws Nfs4Exception NFS4ERR_RESTOREFH when nothing was saved */
    public void restoreFh() {
        if (savedFh == null) {
            throw new Nfs4Exception(Nfs4Status.RESTOREFH);
        }
        currentFh = savedFh;
        currentStateid = savedStateid;
    }

    public Stateid4 currentStateid() {
        return currentStateid;
    }

    public void setCurrentStateid(Stateid4 sid) {
        currentStateid = sid;
    }

    /**
     * The stateid an op should use: in 4.1+ the special "current" stateid (seqid 1, other 0) is
     * replaced by the current stateid (NFS4ERR_BAD_STATEID if there is none).
     */
    public Stateid4 resolveStateid(Stateid4 sid) {
        if (minorVersion >= 1 && sid.isCurrent()) {
            if (currentStateid == null) {
                throw new Nfs4Exception(Nfs4Status.BAD_STATEID, "no current stateid");
            }
            return currentStateid;
        }
        return sid;
    }

    /** SEQUENCE binds the compound to its slot; from then on {@link #inSession()} is true. */
    public void bindSlot(SlotRef s) {
        slot = s;
    }

    public SlotRef slot() {
        return slot;
    }

    public boolean inSession() {
        return slot != null;
    }

    /** SEQUENCE found a retransmission: the processor stops and sends these bytes as the COMPOUND4res. */
    public void replay(MemorySegment cachedReply) {
        replay = cachedReply;
    }

    MemorySegment replayed() {
        return replay;
    }

    /** Whether the caller may see and use a share: the export call policy and the share's access policy. */
    public boolean visible(Share s) {
        try {
            services.callPolicy().check(call, s);
        } catch (FsException e) {
            return false;
        }
        return s.access().decide(call.auth()).canRead();
    }

    /**
     * Resolves a share handle for an operation, like the NFSv3 program: export policy, the
     * share's access policy (READ_ONLY refuses writes), root squash.
     *
     * @param write true when the operation changes anything
     * @throws Nfs4Exception NFS4ERR_ROFS for a change inside the pseudo-filesystem
     * @throws FsException   STALE for an unknown share, ACCESS_DENIED/READ_ONLY by policy
     */
    public FileTarget target(Nfs4Handle h, boolean write) {
        if (h.isPseudo()) {
            throw new Nfs4Exception(write ? Nfs4Status.ROFS : Nfs4Status.INVAL, "pseudo-filesystem directory");
        }
        Share s = services.shares().byId(h.shareId());
        if (s == null) {
            throw new FsException(FsError.STALE, "no share " + h.shareId());
        }
        services.callPolicy().check(call, s);
        ShareAccess access = s.access().decide(call.auth());
        AuthContext ctx = s.authorize(call.auth(), access, write);
        return new FileTarget(s, ctx, h.id(), access.canWrite());
    }

    /** {@link #target(Nfs4Handle, boolean)} of the current filehandle. */
    public FileTarget target(boolean write) {
        return target(requireCurrentFh(), write);
    }
}
