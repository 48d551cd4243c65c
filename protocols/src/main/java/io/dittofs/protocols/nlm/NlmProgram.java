package io.dittofs.protocols.nlm;

import io.dittofs.core.ShareRegistry;
import io.dittofs.core.lock.GracePeriod;
import io.dittofs.core.lock.LockManager;
import io.dittofs.protocols.nfs.v3.Nfs3Program;
import io.dittofs.protocols.rpc.RpcCall;
import io.dittofs.protocols.rpc.RpcProgram;
import io.dittofs.protocols.xdr.XdrDecoder;
import io.dittofs.protocols.xdr.XdrEncoder;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * NLM version 4 (Open Group XNFS "NLM v4"), program 100021, served on the NFS port beside NFSv3
 * and MOUNT: NULL, TEST, LOCK (blocking and not, reclaim), CANCEL, UNLOCK, SHARE, UNSHARE,
 * NM_LOCK, FREE_ALL, and the asynchronous TEST/LOCK/CANCEL/UNLOCK_MSG whose results go back as
 * TEST/LOCK/CANCEL/UNLOCK_RES calls to the client (the Linux client uses the synchronous
 * procedures over TCP; it receives GRANTED_MSG and answers GRANTED_RES, which is accepted and
 * ignored like every {@code *_RES}). GRANTED and GRANTED_MSG are client procedures: GRANTED
 * answers NLM4_DENIED. Versions 1 to 3 (32-bit offsets) are not served. Thread-safe.
 */
public final class NlmProgram implements RpcProgram {
    public static final int PROGRAM = 100021;
    public static final int VERSION = 4;

    static final int NULL = 0;
    static final int TEST = 1;
    static final int LOCK = 2;
    static final int CANCEL = 3;
    static final int UNLOCK = 4;
    static final int GRANTED = 5;
    static final int TEST_MSG = 6;
    static final int LOCK_MSG = 7;
    static final int CANCEL_MSG = 8;
    static final int UNLOCK_MSG = 9;
    static final int GRANTED_MSG = 10;
    static final int TEST_RES = 11;
    static final int GRANTED_RES = 15;
    static final int SHARE = 20;
    static final int UNSHARE = 21;
    static final int NM_LOCK = 22;
    static final int FREE_ALL = 23;
    private static final String[] NAMES = {"NULL", "TEST", "LOCK", "CANCEL", "UNLOCK", "GRANTED", "TEST_MSG",
        "LOCK_MSG", "CANCEL_MSG", "UNLOCK_MSG", "GRANTED_MSG", "TEST_RES", "LOCK_RES", "CANCEL_RES", "UNLOCK_RES",
        "GRANTED_RES", "16", "17", "18", "19", "SHARE", "UNSHARE", "NM_LOCK", "FREE_ALL"};

    /** SM_NOTIFY tries per host after a restart, the first back-off doubling up to 60 s (about 2 min in all). */
    static final int NOTIFY_ATTEMPTS = 6;
    static final Duration NOTIFY_FIRST_BACKOFF = Duration.ofSeconds(2);

    private final NlmLocking locking;
    private final NlmCallbacks callbacks;
    private final NsmRegistry nsm;

    /**
     * @param callPolicy          the shares' export options, as for NFSv3
     * @param grace               the grace period after this start (shared with NFSv4)
     * @param callbackPortmapPort where clients' portmappers listen (111)
     * @param callbackTimeout     bound of each step of a callback
     */
    public NlmProgram(ShareRegistry shares, Nfs3Program.CallPolicy callPolicy, LockManager locks, GracePeriod grace,
                      int callbackPortmapPort, Duration callbackTimeout) {
        this(shares, callPolicy, locks, grace, callbackPortmapPort, callbackTimeout, NsmRegistry.inMemory());
    }

    /**
     * As {@link #NlmProgram(ShareRegistry, Nfs3Program.CallPolicy, LockManager, GracePeriod, int, Duration)},
     * recording the hosts that hold locks in {@code nsm} so they can be told of the next restart.
     */
    public NlmProgram(ShareRegistry shares, Nfs3Program.CallPolicy callPolicy, LockManager locks, GracePeriod grace,
                      int callbackPortmapPort, Duration callbackTimeout, NsmRegistry nsm) {
        this.callbacks = new NlmCallbacks(callbackPortmapPort, callbackTimeout);
        this.nsm = nsm;
        this.locking = new NlmLocking(shares, callPolicy, locks, grace, callbacks, nsm);
    }

    /**
     * Tells the hosts that held locks before this start of the restart (NSM SM_NOTIFY, in the
     * background), once per {@link NsmRegistry}; a host that took the notice and holds nothing
     * again is forgotten.
     *
     * @return the background thread, or null when the registry's hosts were already told
     */
    public Thread notifyRestart() {
        return notifyRestart(NOTIFY_ATTEMPTS, NOTIFY_FIRST_BACKOFF);
    }

    Thread notifyRestart(int attempts, Duration firstBackoff) {
        if (!nsm.claimNotify()) {
            return null;
        }
        NsmNotifier n = new NsmNotifier(callbacks, attempts, firstBackoff);
        return n.notifyAll(nsm.previous(), nsm.state(), h -> locking.settle(h.name()));
    }

    /** The NSM state number NSM should answer with. */
    public int nsmState() {
        return nsm.state();
    }

    /** For {@link NsmProgram}: a monitored host restarted (SM_NOTIFY). */
    public boolean hostRebooted(String callerName, InetAddress from) {
        return locking.hostRebooted(callerName, from);
    }

    /** Blocked LOCK requests waiting or granted but not yet told to the client. */
    public int pendingBlocks() {
        return locking.pendingBlocks();
    }

    @Override
    public int program() {
        return PROGRAM;
    }

    @Override
    public int lowVersion() {
        return VERSION;
    }

    @Override
    public int highVersion() {
        return VERSION;
    }

    @Override
    public boolean hasProcedure(int version, int proc) {
        return proc >= NULL && proc <= GRANTED_RES || proc >= SHARE && proc <= FREE_ALL;
    }

    @Override
    public boolean nonIdempotent(int version, int proc) {
        return switch (proc) {
            case LOCK, CANCEL, UNLOCK, LOCK_MSG, CANCEL_MSG, UNLOCK_MSG, SHARE, UNSHARE, NM_LOCK, FREE_ALL -> true;
            default -> false;
        };
    }

    @Override
    public String name() {
        return "NLM4";
    }

    @Override
    public String procName(int version, int proc) {
        return proc >= 0 && proc < NAMES.length ? NAMES[proc] : Integer.toString(proc);
    }

    @Override
    public void call(RpcCall call, XdrDecoder a, XdrEncoder r) {
        switch (call.proc()) {
            case NULL, GRANTED_MSG -> {
            }
            case TEST -> {
                Nlm4Xdr.TestArgs t = Nlm4Xdr.testArgs(a);
                NlmLocking.TestResult res = locking.test(call, t);
                Nlm4Xdr.testRes(r, t.cookie(), res.stat(), res.holder());
            }
            case LOCK, NM_LOCK -> {
                Nlm4Xdr.LockArgs l = Nlm4Xdr.lockArgs(a);
                Nlm4Xdr.res(r, l.cookie(), locking.lock(call, l));
            }
            case CANCEL -> {
                Nlm4Xdr.CancArgs c = Nlm4Xdr.cancArgs(a);
                Nlm4Xdr.res(r, c.cookie(), locking.cancel(call, c));
            }
            case UNLOCK -> {
                Nlm4Xdr.UnlockArgs u = Nlm4Xdr.unlockArgs(a);
                Nlm4Xdr.res(r, u.cookie(), locking.unlock(call, u));
            }
            case GRANTED -> Nlm4Xdr.res(r, Nlm4Xdr.testArgs(a).cookie(), NlmStatus.DENIED);
            case TEST_MSG, LOCK_MSG, CANCEL_MSG, UNLOCK_MSG -> message(call, a);
            case SHARE -> {
                Nlm4Xdr.ShareArgs s = Nlm4Xdr.shareArgs(a);
                Nlm4Xdr.shareRes(r, s.cookie(), locking.share(call, s));
            }
            case UNSHARE -> {
                Nlm4Xdr.ShareArgs s = Nlm4Xdr.shareArgs(a);
                Nlm4Xdr.shareRes(r, s.cookie(), locking.unshare(call, s));
            }
            case FREE_ALL -> {
                Nlm4Xdr.Notify n = Nlm4Xdr.notify(a);
                locking.hostRebooted(n.name(), call.client() == null ? null : call.client().getAddress());
            }
            default -> Nlm4Xdr.cookie(a); // *_RES: results of our callbacks, nothing to do
        }
    }

    /** An asynchronous request: the RPC reply is empty; the result goes back as the matching *_RES call. */
    private void message(RpcCall call, XdrDecoder a) {
        byte[] res;
        switch (call.proc()) {
            case TEST_MSG -> {
                Nlm4Xdr.TestArgs t = Nlm4Xdr.testArgs(a);
                NlmLocking.TestResult tr = locking.test(call, t);
                res = Nlm4Xdr.testResBytes(t.cookie(), tr.stat(), tr.holder());
            }
            case LOCK_MSG -> {
                Nlm4Xdr.LockArgs l = Nlm4Xdr.lockArgs(a);
                res = resBytes(l.cookie(), locking.lock(call, l));
            }
            case CANCEL_MSG -> {
                Nlm4Xdr.CancArgs c = Nlm4Xdr.cancArgs(a);
                res = resBytes(c.cookie(), locking.cancel(call, c));
            }
            default -> {
                Nlm4Xdr.UnlockArgs u = Nlm4Xdr.unlockArgs(a);
                res = resBytes(u.cookie(), locking.unlock(call, u));
            }
        }
        InetAddress to = call.client() == null ? null : call.client().getAddress();
        int resProc = call.proc() + (TEST_RES - TEST_MSG);
        Thread.ofVirtual().name("nlm-res").start(() -> callbacks.send(to, resProc, res));
    }

    private static byte[] resBytes(byte[] cookie, int stat) {
        ByteBuffer b = ByteBuffer.allocate(8 + Nlm4Xdr.pad(cookie.length));
        Nlm4Xdr.putOpaque(b, cookie);
        b.putInt(stat);
        return b.array();
    }
}
