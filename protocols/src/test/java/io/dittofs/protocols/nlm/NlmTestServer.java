package io.dittofs.protocols.nlm;

import io.dittofs.core.AuthContext;
import io.dittofs.core.FileSystem;
import io.dittofs.core.SetAttr;
import io.dittofs.core.Share;
import io.dittofs.core.ShareRegistry;
import io.dittofs.core.buffer.BufferPool;
import io.dittofs.core.lock.GracePeriod;
import io.dittofs.core.lock.LockManager;
import io.dittofs.protocols.RpcTestClient;
import io.dittofs.protocols.XdrArgs;
import io.dittofs.protocols.mount.MountProgram;
import io.dittofs.protocols.nfs.FileHandles;
import io.dittofs.protocols.nfs.v3.Nfs3Program;
import io.dittofs.protocols.rpc.DuplicateRequestCache;
import io.dittofs.protocols.rpc.RpcDispatcher;
import io.dittofs.protocols.rpc.RpcServer;
import io.dittofs.storage.block.memory.MemoryBlockStore;
import io.dittofs.storage.metadata.memory.MemoryMetadataStore;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;

import static io.dittofs.protocols.XdrArgs.xdr;

/**
 * An in-process server wired like the NFS adapter with locking: MOUNT, NFSv3, NLM v4 and NSM on
 * one dispatcher over memory stores serving {@code /export}, on 127.0.0.1 and an ephemeral port,
 * around a given {@link LockManager} and grace period. Helpers build NLM requests with
 * {@link XdrArgs} (independent of the production codec). Thread-safe like the server.
 */
final class NlmTestServer implements AutoCloseable {
    static final int NLM = NlmProgram.PROGRAM;
    static final int NSM = NsmProgram.PROGRAM;
    static final int SHARE_ID = 1;

    final BufferPool pool = new BufferPool();
    final FileSystem fs = new FileSystem(new MemoryMetadataStore(), new MemoryBlockStore(), false);
    final LockManager locks;
    final NlmProgram nlm;
    final RpcServer server;

    NlmTestServer(LockManager locks, GracePeriod grace, int callbackPortmapPort) throws IOException {
        this(locks, grace, callbackPortmapPort, NsmRegistry.inMemory());
    }

    /** A server recording its NLM hosts in {@code nsm} (told of the restart by {@link NlmProgram#notifyRestart}). */
    NlmTestServer(LockManager locks, GracePeriod grace, int callbackPortmapPort, NsmRegistry nsm) throws IOException {
        this.locks = locks;
        ShareRegistry shares = new ShareRegistry();
        shares.add(new Share(SHARE_ID, "/export", fs, false, 65534, 65534));
        RpcDispatcher d = new RpcDispatcher(pool, new DuplicateRequestCache(1024, 600));
        d.register(new MountProgram(shares, MountProgram.MountPolicy.ALLOW_ALL));
        d.register(new Nfs3Program(shares));
        nlm = new NlmProgram(shares, Nfs3Program.CallPolicy.ALLOW_ALL, locks, grace, callbackPortmapPort,
            Duration.ofSeconds(2), nsm);
        d.register(nlm);
        d.register(new NsmProgram(nlm::hostRebooted, nsm.state()));
        server = RpcServer.start("test-nlm", new InetSocketAddress("127.0.0.1", 0), d,
            RpcServer.Options.defaults().withDrainTimeoutMillis(2_000));
    }

    static NlmTestServer start() throws IOException {
        return new NlmTestServer(new LockManager(), GracePeriod.none(), 1);
    }

    RpcTestClient client() throws IOException {
        return RpcTestClient.connect(server.port());
    }

    /** Creates a file in the root with the given mode, owned by uid/gid, and returns its NFS handle. */
    byte[] file(String name, int mode, int uid) {
        long id = fs.create(AuthContext.ROOT, fs.rootId(), name, SetAttr.mode(mode), FileSystem.CreateMode.GUARDED, 0)
            .child().id();
        fs.setattr(AuthContext.ROOT, id, new SetAttr(-1, uid, uid, -1, SetAttr.TimeSet.DONT_CHANGE,
            SetAttr.TimeSet.DONT_CHANGE), -1);
        return FileHandles.encode(SHARE_ID, id);
    }

    byte[] dirHandle() {
        return FileHandles.encode(SHARE_ID, fs.rootId());
    }

    @Override
    public void close() {
        server.close();
        pool.close();
    }

    /** {@code nlm4_lock} as a client sends it. */
    record Lk(String caller, byte[] fh, String oh, int svid, long offset, long length) {
        XdrArgs put(XdrArgs x) {
            return x.string(caller).opaque(fh).opaque(oh.getBytes()).int32(svid).int64(offset).int64(length);
        }
    }

    static byte[] lockArgs(byte[] cookie, boolean block, boolean excl, Lk l, boolean reclaim) {
        return l.put(xdr().opaque(cookie).bool(block).bool(excl)).bool(reclaim).int32(1).build();
    }

    static byte[] testArgs(byte[] cookie, boolean excl, Lk l) {
        return l.put(xdr().opaque(cookie).bool(excl)).build();
    }

    static byte[] cancArgs(byte[] cookie, boolean block, boolean excl, Lk l) {
        return l.put(xdr().opaque(cookie).bool(block).bool(excl)).build();
    }

    static byte[] unlockArgs(byte[] cookie, Lk l) {
        return l.put(xdr().opaque(cookie)).build();
    }

    static byte[] shareArgs(byte[] cookie, String caller, byte[] fh, String oh, int mode, int access, boolean reclaim) {
        return xdr().opaque(cookie).string(caller).opaque(fh).opaque(oh.getBytes()).int32(mode).int32(access)
            .bool(reclaim).build();
    }

    /** Calls an NLM procedure with AUTH_SYS uid/gid and returns the results (after the accepted header). */
    static ByteBuffer call(RpcTestClient c, int proc, int uid, byte[] args) throws IOException {
        RpcTestClient.RpcReply r = c.call(NLM, 4, proc, RpcTestClient.Cred.sys(uid, uid), args);
        if (!r.isSuccess()) {
            throw new AssertionError("NLM proc " + proc + " not accepted: " + r);
        }
        return r.body();
    }

    /** The status of an nlm4_res (skipping the cookie). */
    static int stat(ByteBuffer res) {
        XdrArgs.readOpaque(res);
        return res.getInt();
    }
}
