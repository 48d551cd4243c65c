package io.dittofs.controlplane.runtime;

import io.dittofs.controlplane.instrument.StoreInstruments;
import io.dittofs.controlplane.model.AdapterDef;
import io.dittofs.controlplane.model.ShareDef;
import io.dittofs.controlplane.model.StoreDef;
import io.dittofs.controlplane.store.ControlPlaneStore;
import io.dittofs.core.AuthContext;
import io.dittofs.core.FsError;
import io.dittofs.core.FsException;
import io.dittofs.core.SetAttr;
import io.dittofs.core.spi.BlockStore;
import io.dittofs.core.FileSystem;
import io.dittofs.core.spi.MetadataStore;
import io.dittofs.core.Share;
import io.dittofs.core.ShareRegistry;
import io.dittofs.core.lock.GracePeriod;
import io.dittofs.core.lock.LockManager;
import io.dittofs.protocols.nfs.v4.state.StateConfig;
import io.dittofs.protocols.nfs.v4.state.StateManager;
import io.dittofs.protocols.mount.MountProgram;
import io.dittofs.protocols.nfs.v3.Nfs3Program;
import io.dittofs.protocols.nlm.NsmRegistry;
import io.dittofs.protocols.rpc.RpcObserver;
import io.dittofs.protocols.rpc.RpcServer;
import io.dittofs.protocols.smb.server.SmbServer;
import io.dittofs.storage.cache.WriteBackCache;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The live server built from the control-plane database: store instances, the shares in the
 * {@link ShareRegistry} the protocols serve, the per-share access rules, and the NFS adapter.
 * The API changes the database first, then calls the matching {@code apply*} method, so every
 * change takes effect without a restart. Thread-safe: changes are serialized on this object;
 * the per-call access decision reads a volatile snapshot.
 */
public final class ServerRuntime implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ServerRuntime.class);
    /** The mode of the root directory of a share on a new metadata store: rwxrwxrwt. */
    static final int FRESH_ROOT_MODE = 01777;

    private final ControlPlaneStore db;
    private final ShareRegistry registry = new ShareRegistry();
    private final Map<String, MetadataStore> metadataStores = new HashMap<>();
    /** Concurrent so the metrics endpoint can read the caches without waiting for this object's lock. */
    private final Map<String, BlockStore> blockStores = new ConcurrentHashMap<>();
    private final String bind;
    private final int portmapPort;
    private final RpcServer.Options rpcOptions;
    private final RpcObserver observer;
    private final StoreInstruments instruments;
    private volatile AccessTable access = AccessTable.EMPTY;
    /** Serializes rebuilds of {@link #access}; taken after this object's monitor, never before it. */
    private final ReentrantLock accessLock = new ReentrantLock();
    private NfsServer nfs;
    private SmbAdapter smb;
    /** The one byte-range lock and share-reservation manager of every protocol (NLM, NFSv4, SMB). */
    private final LockManager lockManager = new LockManager();
    private volatile GracePeriod grace = new GracePeriod(Duration.ofSeconds(90));
    private Duration nfs4Lease = StateConfig.DEFAULT_LEASE;
    private boolean nfs4Delegations;
    private Path nfs4StateDir;
    private StateManager nfs4State;
    private NsmRegistry nsm;
    private final SmbServer.Options smbOptions;

    public ServerRuntime(ControlPlaneStore db, String bind, int portmapPort, RpcServer.Options rpcOptions) {
        this(db, bind, portmapPort, rpcOptions, RpcObserver.NONE);
    }

    /** A runtime whose adapters report calls and connections to {@code observer} (metrics, tracing). */
    public ServerRuntime(ControlPlaneStore db, String bind, int portmapPort, RpcServer.Options rpcOptions,
                         RpcObserver observer) {
        this(db, bind, portmapPort, rpcOptions, observer, StoreInstruments.NONE);
    }

    /** A runtime that also measures and traces its stores and shares through {@code instruments}. */
    public ServerRuntime(ControlPlaneStore db, String bind, int portmapPort, RpcServer.Options rpcOptions,
                         RpcObserver observer, StoreInstruments instruments) {
        this.instruments = instruments;
        this.db = db;
        this.bind = bind;
        this.portmapPort = portmapPort;
        this.rpcOptions = rpcOptions;
        this.observer = observer;
        this.smbOptions = SmbServer.Options.defaults().withDrainTimeout(rpcOptions.drainTimeoutMillis());
    }

    /** Monitoring counters of the live write-back caches, by block store name; safe to call at any time. */
    public Map<String, WriteBackCache.Stats> cacheStats() {
        Map<String, WriteBackCache.Stats> out = new TreeMap<>();
        blockStores.forEach((name, b) -> {
            if (StoreInstruments.unwrap(b) instanceof WriteBackCache c) {
                out.put(name, c.stats());
            }
        });
        return out;
    }

    /** Builds every enabled share and starts the enabled adapters. */
    public synchronized void start() throws IOException {
        for (ShareDef s : db.shares()) {
            if (s.enabled()) {
                mount(s);
            }
        }
        refreshAccess();
        for (AdapterDef a : db.adapters()) {
            applyAdapterChecked(a);
        }
    }

    public ShareRegistry registry() {
        return registry;
    }

    /** The lock manager shared by every protocol adapter. */
    public LockManager lockManager() {
        return lockManager;
    }

    /** The lock-reclaim grace period of this start (shared by NLM and NFSv4). */
    public GracePeriod gracePeriod() {
        return grace;
    }

    /**
     * NFSv4 lease time ({@code adapters.nfs.lease_time}) and the directory that keeps the NFSv4
     * client records for the grace period after a restart (null: none); call before {@link #start()}.
     */
    public synchronized void nfs4(Duration lease, Path stateDir) {
        nfs4Lease = lease;
        nfs4StateDir = stateDir;
    }

    /** Whether NFSv4.1+ clients get read delegations ({@code adapters.nfs.delegations}). */
    public synchronized void nfs4Delegations(boolean on) {
        nfs4Delegations = on;
        if (nfs4State != null) {
            nfs4State.delegations().enable(on);
        }
    }

    /**
     * The NLM hosts record and NSM state ({@code <state dir>/nsm}), opened on first use and kept across
     * NFS adapter restarts, so the hosts are told of a server restart only once.
     */
    private synchronized NsmRegistry nsm() throws IOException {
        if (nsm == null) {
            nsm = nfs4StateDir == null ? NsmRegistry.inMemory() : NsmRegistry.open(nfs4StateDir.resolve("nsm"));
        }
        return nsm;
    }

    /**
     * Joins the grace periods of NLM and NFSv4, as knfsd's lockd and nfsd share one: NLM refuses new
     * locks while NFSv4 clients reclaim, NFSv4 refuses new locks (LOCK, LOCKT) while NLM hosts do. NLM's
     * own grace ends at once when the previous run recorded no NLM host holding a lock (every host is
     * recorded durably before its first LOCK, and forgotten once it holds nothing): otherwise a fresh
     * server, or one whose clients had all unlocked, would refuse every new NLM lock for the whole
     * period. NFSv4's own grace already needs recorded clients.
     */
    private void joinGracePeriods(NsmRegistry hosts, StateManager v4) {
        GracePeriod nlm = grace;
        if (hosts.previous().isEmpty()) {
            if (nlm.ownInGrace()) {
                nlm.end();
                LOG.info("no NLM host held a lock before this start: no NLM grace period{}",
                        v4.grace().inGrace() ? " beyond the NFSv4 clients' reclaims" : "");
            }
        } else {
            v4.grace().holdLocksBackWhile(nlm::ownInGrace);
        }
        nlm.alsoWhile(() -> v4.grace().inGrace());
    }

    /** The NFSv4 state, made on first use and kept across NFS adapter restarts. */
    private synchronized StateManager nfs4State() {
        if (nfs4State == null) {
            nfs4State = StateManager.open(nfs4Lease, nfs4StateDir, lockManager);
            nfs4State.delegations().enable(nfs4Delegations);
        }
        return nfs4State;
    }

    /** Sets the grace period, starting now ({@code adapters.nfs.grace_period}); call before {@link #start()}. */
    public void gracePeriod(Duration length) {
        grace = new GracePeriod(length);
    }

    /**
     * The access decision MOUNT uses: the client must pass the share's export options (address,
     * source port) and the caller must be able to at least read the share.
     */
    public MountProgram.MountPolicy mountPolicy() {
        return (call, share) -> {
            FsError refused = access.refusal(share.id(), call.client());
            if (refused != null) {
                LOG.info("MNT {} from {}: {}", share.name(), call.client(), refused == FsError.NOT_OWNER
                        ? "source port is not privileged (share is secure)" : "client not in the share's list");
                return false;
            }
            return share.access().decide(call.auth()).canRead();
        };
    }

    /** The export-option check NFS runs on every call: the share's allowed clients and secure port. */
    public Nfs3Program.CallPolicy callPolicy() {
        return (call, share) -> {
            FsError refused = access.refusal(share.id(), call.client());
            if (refused != null) {
                throw new FsException(refused, "share " + share.name() + " refuses " + call.client());
            }
        };
    }

    /**
     * Recomputes the access rules from the database (after any user, group, share or grant change).
     * Reading the database and publishing the table happen under one lock, so a rebuild that read
     * the database before a change (say, a revoke) can never publish after the rebuild that
     * followed the change and bring the revoked grant back.
     */
    public void refreshAccess() {
        accessLock.lock();
        try {
            access = AccessTable.build(db.shares(), db.users(), db.groups(), db.allPermissions());
        } finally {
            accessLock.unlock();
        }
    }

    /** Makes the live share match its definition: (re)built when enabled, removed when disabled. */
    public synchronized void applyShare(ShareDef s) {
        Share live = registry.byId(s.id());
        if (live != null) {
            registry.remove(live.name());
        }
        if (s.enabled()) {
            mount(s);
        }
        refreshAccess();
    }

    /** Stops serving a share (deleted or disabled). */
    public synchronized void removeShare(String name) {
        if (registry.remove(name) != null) {
            LOG.info("share {} removed", name);
        }
        refreshAccess();
    }

    /** Closes a store instance whose definition was deleted (no share binds it any more). */
    public synchronized void removeStore(String kind, String name) {
        AutoCloseable c = "metadata".equals(kind) ? metadataStores.remove(name) : blockStores.remove(name);
        if (c != null) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.warn("closing {} store {}: {}", kind, name, e.toString());
            }
        }
    }

    private void mount(ShareDef s) {
        MetadataStore meta = metadataStores.computeIfAbsent(s.metadataStore(),
                n -> instruments.metadata(n, StoreFactory.metadata(def("metadata", n))));
        BlockStore blocks = blockStores.computeIfAbsent(s.blockStore(),
                n -> StoreFactory.block(def("block", n), instruments));
        boolean fresh = meta.read(t -> t.get(MetadataStore.ROOT_ID) == null);
        FileSystem fs = new FileSystem(meta, instruments.share(s.name(), blocks), s.readOnly());
        if (fresh && !s.readOnly()) {
            // a new store's root is root-owned 0755; with root squash nobody could ever write it, so
            // it starts as 1777 like /tmp (everyone creates, only owners delete); chmod/chown it later
            fs.setattr(AuthContext.ROOT, fs.rootId(), SetAttr.mode(FRESH_ROOT_MODE), -1);
        }
        int id = s.id();
        registry.add(new Share(id, s.name(), fs, s.rootSquash(), s.anonUid(), s.anonGid(),
                caller -> access.decide(id, caller)));
        boolean volatileMeta = "memory".equals(def("metadata", s.metadataStore()).type());
        LOG.info("share {} (id {}) on metadata store {} and block store {}{}{}", s.name(), id, s.metadataStore(),
                s.blockStore(), s.readOnly() ? ", read-only" : "",
                volatileMeta ? "; on memory stores (contents are lost when the server stops)" : "");
    }

    private StoreDef def(String kind, String name) {
        return db.store(kind, name).orElseThrow(() -> new IllegalStateException(kind + " store " + name + " is not defined"));
    }

    /**
     * Makes an adapter match its definition: starts, stops or moves the NFS adapter.
     *
     * @throws IOException if the port cannot be bound
     */
    public synchronized void applyAdapter(AdapterDef a) throws IOException {
        if ("smb".equals(a.type())) {
            applySmb(a);
            return;
        }
        if (!"nfs".equals(a.type())) {
            if (a.enabled()) {
                throw new IllegalArgumentException("the " + a.type() + " adapter is not available in this build");
            }
            return;
        }
        if (!a.enabled()) {
            if (nfs != null) {
                nfs.close();
                nfs = null;
            }
            return;
        }
        if (nfs != null && nfs.nfsPort() == a.port()) {
            return;
        }
        NsmRegistry hosts = nsm();
        StateManager v4 = nfs4State();
        joinGracePeriods(hosts, v4);
        NfsServer fresh = NfsServer.start(bind, a.port(), portmapPort, registry, mountPolicy(), callPolicy(),
                rpcOptions, observer, new NfsServer.Locking(lockManager, grace, NfsServer.Locking.CLIENT_PORTMAP_PORT, hosts),
                v4, new ControlPlaneIdMapper(db));
        if (nfs != null) {
            nfs.close();
        }
        nfs = fresh;
        LOG.info("NFS adapter listening on {}:{}", bind, fresh.nfsPort());
    }

    /**
     * Starts, stops, moves or reconfigures the SMB adapter.
     *
     * @throws IllegalArgumentException for invalid settings
     */
    private void applySmb(AdapterDef a) throws IOException {
        if (!a.enabled()) {
            if (smb != null) {
                smb.close();
                smb = null;
            }
            return;
        }
        SmbAdapter.config(a.settings()); // refuse bad settings before touching the running adapter
        if (smb != null && smb.port() == a.port() && smb.settings().equals(a.settings())) {
            return;
        }
        if (smb != null && smb.port() == a.port()) {
            smb.close(); // same port: the old listener must go first
            smb = null;
        }
        SmbAdapter fresh = SmbAdapter.start(bind, a, registry, new ControlPlaneSmbUsers(db), lockManager,
                smbOptions);
        if (smb != null) {
            smb.close();
        }
        smb = fresh;
    }

    /**
     * Failed SMB logons by reason since the adapter (re)started, for metrics; every reason is
     * present (0 when none), also while the adapter is stopped.
     */
    public Map<String, Long> smbLogonFailures() {
        SmbAdapter a;
        synchronized (this) {
            a = smb;
        }
        if (a != null) {
            return a.logons().failures();
        }
        Map<String, Long> zero = new TreeMap<>();
        io.dittofs.protocols.smb.LogonLimiter.REASONS.forEach(r -> zero.put(r, 0L));
        return zero;
    }

    /** The bound SMB port, or -1 when the adapter is stopped. */
    public synchronized int smbPort() {
        return smb == null ? -1 : smb.port();
    }

    private void applyAdapterChecked(AdapterDef a) throws IOException {
        if ("smb".equals(a.type())) {
            try {
                applySmb(a);
            } catch (IOException | IllegalArgumentException e) {
                LOG.warn("SMB adapter not started: {}", e.getMessage());
            }
            return;
        }
        if (!"nfs".equals(a.type()) && a.enabled()) {
            LOG.warn("the {} adapter is enabled in the database but not available in this build; skipped", a.type());
            return;
        }
        applyAdapter(a);
    }

    /** The bound NFS port, or -1 when the adapter is stopped. */
    public synchronized int nfsPort() {
        return nfs == null ? -1 : nfs.nfsPort();
    }

    public synchronized int portmapPortBound() {
        return nfs == null ? -1 : nfs.portmapPort();
    }

    @Override
    public synchronized void close() {
        if (smb != null) {
            smb.close();
            smb = null;
        }
        if (nfs != null) {
            nfs.close();
            nfs = null;
        }
        if (nfs4State != null) {
            nfs4State.close();
        }
        for (MetadataStore m : metadataStores.values()) {
            closeQuietly(m);
        }
        for (BlockStore b : blockStores.values()) {
            closeQuietly(b);
        }
        metadataStores.clear();
        blockStores.clear();
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            LOG.warn("closing a store: {}", e.toString());
        }
    }

}
