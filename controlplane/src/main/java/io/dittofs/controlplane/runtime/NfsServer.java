package io.dittofs.controlplane.runtime;

import io.dittofs.core.ShareRegistry;
import io.dittofs.core.buffer.BufferPool;
import io.dittofs.core.lock.GracePeriod;
import io.dittofs.core.lock.LockManager;
import io.dittofs.protocols.mount.MountProgram;
import io.dittofs.protocols.nfs.v3.Nfs3Program;
import io.dittofs.protocols.nfs.v4.IdMapper;
import io.dittofs.protocols.nfs.v4.Nfs4Program;
import io.dittofs.protocols.nfs.v4.Nfs4Services;
import io.dittofs.protocols.nfs.v4.state.StateManager;
import io.dittofs.protocols.nlm.NlmProgram;
import io.dittofs.protocols.nlm.NsmProgram;
import io.dittofs.protocols.nlm.NsmRegistry;
import io.dittofs.protocols.portmap.PortmapProgram;
import io.dittofs.protocols.rpc.DuplicateRequestCache;
import io.dittofs.protocols.rpc.RpcDispatcher;
import io.dittofs.protocols.rpc.RpcObserver;
import io.dittofs.protocols.rpc.RpcServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * The NFS adapter: NFSv3, NFSv4.0-4.2, MOUNT v3, NLM v4 and NSM v1 on one TCP port, and optionally an
 * embedded portmapper on its own port. Owns the buffer pool and the duplicate-request cache. Thread-safe.
 */
public final class NfsServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NfsServer.class);

    private final BufferPool pool;
    private final RpcServer nfs;
    private final RpcServer portmap;

    private NfsServer(BufferPool pool, RpcServer nfs, RpcServer portmap) {
        this.pool = pool;
        this.nfs = nfs;
        this.portmap = portmap;
    }

    /**
     * Starts serving {@code shares}.
     *
     * @param portmapPort the portmapper port, or -1 for none
     */
    public static NfsServer start(String bind, int nfsPort, int portmapPort, ShareRegistry shares,
                                  MountProgram.MountPolicy policy, RpcServer.Options options) throws IOException {
        return start(bind, nfsPort, portmapPort, shares, policy, options, RpcObserver.NONE);
    }

    /**
     * Starts serving {@code shares}, reporting calls and connections to {@code observer}
     * ({@link RpcObserver#NONE}: no metrics or tracing, no cost).
     *
     * @param portmapPort the portmapper port, or -1 for none
     */
    public static NfsServer start(String bind, int nfsPort, int portmapPort, ShareRegistry shares,
                                  MountProgram.MountPolicy policy, RpcServer.Options options, RpcObserver observer)
            throws IOException {
        return start(bind, nfsPort, portmapPort, shares, policy, Nfs3Program.CallPolicy.ALLOW_ALL, options, observer);
    }

    /**
     * Starts serving {@code shares}; every NFS call passes {@code callPolicy} (the shares' export
     * options) before it touches a share.
     *
     * @param portmapPort the portmapper port, or -1 for none
     */
    public static NfsServer start(String bind, int nfsPort, int portmapPort, ShareRegistry shares,
                                  MountProgram.MountPolicy policy, Nfs3Program.CallPolicy callPolicy,
                                  RpcServer.Options options, RpcObserver observer) throws IOException {
        return start(bind, nfsPort, portmapPort, shares, policy, callPolicy, options, observer,
                new Locking(new LockManager(), GracePeriod.none(), Locking.CLIENT_PORTMAP_PORT));
    }

    /**
     * What NLM locks with: the server's one lock manager, the grace period of this start, and the
     * port of the clients' portmappers that GRANTED callbacks and SM_NOTIFY ask for the clients'
     * NLM and NSM ports, and the record of the hosts holding NLM locks (told of the next restart).
     */
    public record Locking(LockManager locks, GracePeriod grace, int clientPortmapPort, NsmRegistry nsm) {
        /** rpcbind's well-known port. */
        public static final int CLIENT_PORTMAP_PORT = 111;

        /** Locking whose NLM hosts are not kept across restarts. */
        public Locking(LockManager locks, GracePeriod grace, int clientPortmapPort) {
            this(locks, grace, clientPortmapPort, NsmRegistry.inMemory());
        }
    }

    /** {@link #start(String, int, int, ShareRegistry, MountProgram.MountPolicy, Nfs3Program.CallPolicy,
     * RpcServer.Options, RpcObserver)} with NLM locking on {@code locking}. */
    public static NfsServer start(String bind, int nfsPort, int portmapPort, ShareRegistry shares,
                                  MountProgram.MountPolicy policy, Nfs3Program.CallPolicy callPolicy,
                                  RpcServer.Options options, RpcObserver observer, Locking locking) throws IOException {
        return start(bind, nfsPort, portmapPort, shares, policy, callPolicy, options, observer, locking, null,
                IdMapper.NUMERIC);
    }

    /**
     * {@link #start(String, int, int, ShareRegistry, MountProgram.MountPolicy, Nfs3Program.CallPolicy,
     * RpcServer.Options, RpcObserver, Locking)} with NFSv4 (minor versions 0-2) beside v3, its client,
     * open and lock state in {@code nfs4State} (null: anonymous stateids only), owner strings mapped
     * by {@code idMapper}.
     */
    public static NfsServer start(String bind, int nfsPort, int portmapPort, ShareRegistry shares,
                                  MountProgram.MountPolicy policy, Nfs3Program.CallPolicy callPolicy,
                                  RpcServer.Options options, RpcObserver observer, Locking locking,
                                  StateManager nfs4State, IdMapper idMapper) throws IOException {
        BufferPool pool = new BufferPool();
        RpcDispatcher d = new RpcDispatcher(pool, new DuplicateRequestCache(16_384, 600), observer);
        d.register(new MountProgram(shares, policy));
        Nfs3Program nfs3 = new Nfs3Program(shares, callPolicy);
        nfs3.useDelegations(locking.locks().delegations());
        d.register(nfs3);
        Nfs4Services v4 = Nfs4Services.of(shares, callPolicy, nfs3.writeVerifier()).withIdMapper(idMapper);
        d.register(new Nfs4Program(nfs4State == null ? v4 : nfs4State.attach(v4)));
        NlmProgram nlm = new NlmProgram(shares, callPolicy, locking.locks(), locking.grace(),
                locking.clientPortmapPort(), Duration.ofSeconds(5), locking.nsm());
        d.register(nlm);
        d.register(new NsmProgram(nlm::hostRebooted, nlm.nsmState()));
        RpcServer nfs = null;
        RpcServer pm = null;
        try {
            nfs = RpcServer.start("nfs", new InetSocketAddress(bind, nfsPort), d, options);
            if (portmapPort >= 0) {
                PortmapProgram p = new PortmapProgram();
                int port = nfs.port();
                p.register(new PortmapProgram.Mapping(PortmapProgram.PROGRAM, 2, PortmapProgram.IPPROTO_TCP, portmapPort));
                p.register(new PortmapProgram.Mapping(Nfs3Program.PROGRAM, 3, PortmapProgram.IPPROTO_TCP, port));
                p.register(new PortmapProgram.Mapping(Nfs4Program.PROGRAM, 4, PortmapProgram.IPPROTO_TCP, port));
                p.register(new PortmapProgram.Mapping(MountProgram.PROGRAM, 3, PortmapProgram.IPPROTO_TCP, port));
                p.register(new PortmapProgram.Mapping(NlmProgram.PROGRAM, NlmProgram.VERSION, PortmapProgram.IPPROTO_TCP, port));
                p.register(new PortmapProgram.Mapping(NsmProgram.PROGRAM, NsmProgram.VERSION, PortmapProgram.IPPROTO_TCP, port));
                RpcDispatcher pd = new RpcDispatcher(pool, new DuplicateRequestCache(16, 60), observer);
                pd.register(p);
                pm = RpcServer.start("portmap", new InetSocketAddress(bind, portmapPort), pd, options);
            }
        } catch (IOException | RuntimeException e) {
            if (nfs != null) {
                nfs.close();
            }
            pool.close();
            throw e;
        }
        nlm.notifyRestart(); // SM_NOTIFY to the hosts that held locks before, in the background, once per process
        return new NfsServer(pool, nfs, pm);
    }

    public int nfsPort() {
        return nfs.port();
    }

    /** The portmapper port, or -1. */
    public int portmapPort() {
        return portmap == null ? -1 : portmap.port();
    }

    @Override
    public void close() {
        if (portmap != null) {
            portmap.close();
        }
        nfs.close();
        pool.close();
        LOG.info("NFS adapter stopped");
    }
}
