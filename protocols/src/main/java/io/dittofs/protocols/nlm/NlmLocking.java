package io.dittofs.protocols.nlm;

import io.dittofs.core.AuthContext;
import io.dittofs.core.FileType;
import io.dittofs.core.FsError;
import io.dittofs.core.FsException;
import io.dittofs.core.Inode;
import io.dittofs.core.Permissions;
import io.dittofs.core.Share;
import io.dittofs.core.ShareAccess;
import io.dittofs.core.ShareRegistry;
import io.dittofs.core.lock.Conflict;
import io.dittofs.core.lock.FileKey;
import io.dittofs.core.lock.GracePeriod;
import io.dittofs.core.lock.LockLimitException;
import io.dittofs.core.lock.LockManager;
import io.dittofs.core.lock.LockOwner;
import io.dittofs.core.lock.LockRange;
import io.dittofs.core.lock.LockType;
import io.dittofs.core.lock.Waiter;
import io.dittofs.protocols.nfs.FileHandles;
import io.dittofs.protocols.nfs.v3.Nfs3Program;
import io.dittofs.protocols.rpc.RpcCall;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static io.dittofs.protocols.nlm.NlmStatus.BLOCKED;
import static io.dittofs.protocols.nlm.NlmStatus.DENIED;
import static io.dittofs.protocols.nlm.NlmStatus.DENIED_GRACE_PERIOD;
import static io.dittofs.protocols.nlm.NlmStatus.GRANTED;

/**
 * What the NLM v4 procedures do, on the shared {@link LockManager}: owners are
 * {@code LockOwner("nlm", caller_name, oh + svid)}, so an NLM lock conflicts with the same range
 * locked over NFSv4 or SMB. Follows Linux knfsd ({@code fs/lockd/svclock.c}): during the grace
 * period after a start only reclaims are granted and TEST, UNLOCK, CANCEL, UNSHARE get
 * NLM4_DENIED_GRACE_PERIOD; a reclaim after it is refused the same way; a shared lock needs read
 * and an exclusive one write permission on the file under the NFSv3 rules (the file's owner
 * always may, NFSD_MAY_OWNER_OVERRIDE), after the share's export options and access policy.
 * Outcomes become {@code nlm4_stats} through {@link NlmStatus}, in {@link #guard} only.
 * Thread-safe.
 */
final class NlmLocking {
    private static final Logger LOG = LoggerFactory.getLogger(NlmLocking.class);
    static final String PROTOCOL = "nlm";
    static final int GRANTED_MSG = 10;

    /** TEST's outcome: the status and, when DENIED, the conflicting holder. */
    record TestResult(int stat, Conflict holder) {
    }

    private final ShareRegistry shares;
    private final Nfs3Program.CallPolicy callPolicy;
    private final LockManager locks;
    private final GracePeriod grace;
    private final NlmCallbacks callbacks;
    private final NlmBlocks blocks = new NlmBlocks();
    private final NlmHosts hosts = new NlmHosts();
    private final NsmRegistry nsm;
    private final Predicate<String> idle;

    NlmLocking(ShareRegistry shares, Nfs3Program.CallPolicy callPolicy, LockManager locks, GracePeriod grace,
               NlmCallbacks callbacks, NsmRegistry nsm) {
        this.nsm = nsm;
        this.idle = n -> locks.rangesOf(PROTOCOL, n) == 0;
        this.shares = shares;
        this.callPolicy = callPolicy;
        this.locks = locks;
        this.grace = grace;
        this.callbacks = callbacks;
    }

    @FunctionalInterface
    private interface Op {
        int run();
    }

    /** The one place NLM maps exceptions to status. */
    private static int guard(Op op) {
        try {
            return op.run();
        } catch (FsException e) {
            LOG.debug("NLM: {} {}", e.error(), e.getMessage());
            return NlmStatus.of(e.error());
        } catch (LockLimitException e) {
            LOG.info("NLM: {}", e.getMessage());
            return NlmStatus.overLimit();
        }
    }

    TestResult test(RpcCall call, Nlm4Xdr.TestArgs a) {
        Conflict[] holder = new Conflict[1];
        int stat = guard(() -> {
            if (grace.inGrace()) {
                return DENIED_GRACE_PERIOD;
            }
            Nlm4Xdr.Lock l = a.lock();
            FileKey f = open(call, l.fh(), a.exclusive());
            Optional<Conflict> c = locks.test(f, owner(l), type(a.exclusive()), l.offset(), len(l));
            holder[0] = c.orElse(null);
            return c.isPresent() ? DENIED : GRANTED;
        });
        return new TestResult(stat, stat == DENIED ? holder[0] : null);
    }

    int lock(RpcCall call, Nlm4Xdr.LockArgs a) {
        return guard(() -> {
            if (grace.inGrace() != a.reclaim()) {
                return DENIED_GRACE_PERIOD;
            }
            Nlm4Xdr.Lock l = a.lock();
            FileKey f = open(call, l.fh(), a.exclusive());
            LockOwner o = owner(l);
            hosts.seen(l.callerName(), address(call), idle);
            NsmRegistry.Entry rec = nsm.begin(l.callerName(), address(call), local(call));
            try {
                int st = lockRecorded(call, a, f, o);
                if (a.reclaim() && st == GRANTED) {
                    LOG.info("NLM: {} reclaimed a {} lock [{}, +{}) in the grace period", l.callerName(),
                        a.exclusive() ? "write" : "read", l.offset(), l.length());
                }
                return st;
            } finally {
                nsm.end(rec, idle);
            }
        });
    }

    private int lockRecorded(RpcCall call, Nlm4Xdr.LockArgs a, FileKey f, LockOwner o) {
        Nlm4Xdr.Lock l = a.lock();
        NlmBlocks.Key k = new NlmBlocks.Key(o, f, l.offset(), l.length(), a.exclusive());
        NlmBlocks.Block pending = blocks.get(k);
        if (pending != null && a.block()) {
            if (pending.granted() && blocks.remove(pending)) {
                return GRANTED; // the client's retry after a GRANTED callback it never got
            }
            return pending.granted() ? GRANTED : BLOCKED;
        }
        if (locks.lock(f, o, type(a.exclusive()), l.offset(), len(l)).isEmpty()) {
            return GRANTED;
        }
        return a.block() ? block(call, a, k) : DENIED;
    }

    private int block(RpcCall call, Nlm4Xdr.LockArgs a, NlmBlocks.Key k) {
        NlmBlocks.Block fresh = new NlmBlocks.Block(k, a.lock(), a.cookie(), address(call));
        NlmBlocks.Block b = blocks.add(fresh);
        if (b != fresh) {
            return b.granted() ? GRANTED : BLOCKED;
        }
        try {
            b.waiter = locks.lockWhenFree(k.file(), k.owner(), type(a.exclusive()), a.lock().offset(), len(a.lock()),
                () -> granted(b));
        } catch (RuntimeException e) {
            blocks.remove(b);
            throw e;
        } finally {
            b.queued.countDown();
        }
        if (b.waiter.grantedOnCall()) {
            blocks.remove(b);
            return GRANTED;
        }
        return BLOCKED;
    }

    /** The lock manager granted a blocked lock: tell the client with GRANTED_MSG (else it polls). */
    private void granted(NlmBlocks.Block b) {
        try {
            if (!b.queued.await(10, TimeUnit.SECONDS)) {
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        b.grantedAtNanos = System.nanoTime();
        Waiter w = b.waiter;
        if (w == null || w.grantedOnCall() || !blocks.contains(b)) {
            return;
        }
        byte[] args = Nlm4Xdr.testArgsBytes(b.cookie, b.key.exclusive(), b.lock);
        if (callbacks.send(b.client, GRANTED_MSG, args)) {
            blocks.remove(b);
        }
    }

    int cancel(RpcCall call, Nlm4Xdr.CancArgs a) {
        return guard(() -> {
            if (grace.inGrace()) {
                return DENIED_GRACE_PERIOD;
            }
            Nlm4Xdr.Lock l = a.lock();
            FileKey f = key(l.fh());
            NlmBlocks.Block b = blocks.get(new NlmBlocks.Key(owner(l), f, l.offset(), l.length(), a.exclusive()));
            if (b == null || !blocks.remove(b)) {
                return DENIED;
            }
            withdraw(b);
            nsm.settle(l.callerName(), idle);
            return GRANTED;
        });
    }

    /** Cancels a removed block's waiter; if it was granted meanwhile, the client gave up: unlock it. */
    private void withdraw(NlmBlocks.Block b) {
        try {
            b.queued.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Waiter w = b.waiter;
        if (w != null && !w.cancel() && w.isGranted()) {
            locks.unlock(b.key.file(), b.key.owner(), b.lock.offset(), len(b.lock));
        }
    }

    int unlock(RpcCall call, Nlm4Xdr.UnlockArgs a) {
        return guard(() -> {
            if (grace.inGrace()) {
                return DENIED_GRACE_PERIOD;
            }
            Nlm4Xdr.Lock l = a.lock();
            FileKey f = key(l.fh());
            LockOwner o = owner(l);
            LockRange r = new LockRange(l.offset(), len(l));
            for (NlmBlocks.Block b : blocks.removeOverlapping(o, f, r.start(), r.end())) {
                withdraw(b);
            }
            locks.unlock(f, o, l.offset(), len(l));
            nsm.settle(l.callerName(), idle);
            return GRANTED;
        });
    }

    int share(RpcCall call, Nlm4Xdr.ShareArgs a) {
        return guard(() -> {
            if (grace.inGrace() && !a.reclaim()) {
                return DENIED_GRACE_PERIOD;
            }
            FileKey f = open(call, a.fh(), (a.access() & LockManager.ACCESS_WRITE) != 0);
            hosts.seen(a.callerName(), address(call), idle);
            LockOwner o = new LockOwner(PROTOCOL, a.callerName(), a.oh());
            NsmRegistry.Entry rec = nsm.begin(a.callerName(), address(call), local(call));
            try {
                return locks.reserve(f, o, a.access(), a.mode()).isPresent() ? DENIED : GRANTED;
            } finally {
                nsm.end(rec, idle);
            }
        });
    }

    int unshare(RpcCall call, Nlm4Xdr.ShareArgs a) {
        return guard(() -> {
            if (grace.inGrace()) {
                return DENIED_GRACE_PERIOD;
            }
            locks.release(key(a.fh()), new LockOwner(PROTOCOL, a.callerName(), a.oh()));
            nsm.settle(a.callerName(), idle);
            return GRANTED;
        });
    }

    /**
     * FREE_ALL, or NSM SM_NOTIFY: the host restarted, so every lock, share and blocked request of
     * that caller name goes. Honoured only from the address the host locks from (or loopback).
     *
     * @return whether the host's state was dropped
     */
    boolean hostRebooted(String callerName, InetAddress from) {
        if (!hosts.mayDrop(callerName, from)) {
            LOG.warn("NLM: ignoring a reboot notice for {} from {} (it locks from elsewhere)", callerName, from);
            return false;
        }
        blocks.dropHost(callerName);
        locks.releaseClient(PROTOCOL, callerName);
        hosts.forget(callerName);
        nsm.settle(callerName, idle);
        LOG.info("NLM: host {} restarted; its locks were released", callerName);
        return true;
    }

    /** Forgets {@code callerName}'s NSM record if it holds nothing. */
    void settle(String callerName) {
        nsm.settle(callerName, idle);
    }

    /** Resolves a handle for locking and checks the caller may lock the file this way. */
    private FileKey open(RpcCall call, byte[] fh, boolean exclusive) {
        FileHandles.Handle h = FileHandles.decode(MemorySegment.ofArray(fh));
        Share s = shares.byId(h.shareId());
        if (s == null) {
            throw new FsException(FsError.STALE, "no share " + h.shareId());
        }
        callPolicy.check(call, s);
        ShareAccess access = s.access().decide(call.auth());
        AuthContext ctx = s.authorize(call.auth(), access, exclusive);
        Inode n = s.fs().getattr(h.inode());
        if (n.type() != FileType.REGULAR) {
            throw new FsException(FsError.BAD_TYPE, "locks are on regular files");
        }
        int need = exclusive ? Permissions.WRITE : Permissions.READ;
        if (n.uid() != ctx.uid() && (s.fs().access(ctx, n) & need) == 0) {
            throw new FsException(FsError.ACCESS_DENIED, "no " + (exclusive ? "write" : "read") + " permission");
        }
        return new FileKey(s.id(), h.inode());
    }

    /** Resolves a handle without permission checks (UNLOCK, CANCEL, UNSHARE touch only the caller's own state). */
    private FileKey key(byte[] fh) {
        FileHandles.Handle h = FileHandles.decode(MemorySegment.ofArray(fh));
        if (shares.byId(h.shareId()) == null) {
            throw new FsException(FsError.STALE, "no share " + h.shareId());
        }
        return new FileKey(h.shareId(), h.inode());
    }

    static LockOwner owner(Nlm4Xdr.Lock l) {
        return new LockOwner(PROTOCOL, l.callerName(), l.ownerBytes());
    }

    private static LockType type(boolean exclusive) {
        return exclusive ? LockType.WRITE : LockType.READ;
    }

    /** l_len as the lock manager takes it: 0 = to EOF; an end past 2^64 is clamped to EOF as knfsd does. */
    static long len(Nlm4Xdr.Lock l) {
        long len = l.length();
        return len != 0 && Long.compareUnsigned(len, ~l.offset()) > 0 ? 0 : len;
    }

    private static InetAddress address(RpcCall call) {
        return call.client() == null ? null : call.client().getAddress();
    }

    private static InetAddress local(RpcCall call) {
        return call.local() == null ? null : call.local().getAddress();
    }

    int pendingBlocks() {
        return blocks.size();
    }
}
