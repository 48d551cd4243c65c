package io.dittofs.controlplane.cli;

import io.dittofs.controlplane.api.ApiServer;
import io.dittofs.controlplane.api.Endpoints;
import io.dittofs.controlplane.api.Tokens;
import io.dittofs.controlplane.config.Config;
import io.dittofs.controlplane.config.ConfigFiles;
import io.dittofs.controlplane.config.ConfigKey;
import io.dittofs.controlplane.config.LoggingSetup;
import io.dittofs.controlplane.model.ShareDef;
import io.dittofs.controlplane.profiling.ContinuousProfiler;
import io.dittofs.controlplane.profiling.ProfilingSettings;
import io.dittofs.controlplane.runtime.HeapGuard;
import io.dittofs.controlplane.runtime.Observability;
import io.dittofs.controlplane.runtime.ServerRuntime;
import io.dittofs.controlplane.runtime.StorePaths;
import io.dittofs.controlplane.store.ControlPlaneStore;
import io.dittofs.controlplane.store.Databases;
import io.dittofs.controlplane.store.StoreException;
import io.dittofs.protocols.rpc.RpcServer;
import io.dittofs.storage.PrivateFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.net.BindException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code dfs start}: loads the configuration, opens the control-plane database, starts the runtime and the API. */
@Command(name = "start", mixinStandardHelpOptions = true,
        description = "Start the server (this process stays in the foreground; ./dfs backgrounds it).")
final class ServerStart implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(ServerStart.class);

    @Option(names = "--foreground", description = "Stay attached to the terminal (the default for this command).")
    boolean foreground;

    @Option(names = "--config", description = "Config file (default: $DITTOFS_CONFIG or ~/.config/dittofs/config.yaml).")
    Path config;

    @Option(names = "--bind", description = "Address the protocol adapters listen on (adapters.nfs.bind, default 0.0.0.0).")
    String bind;

    @Option(names = "--nfs-port", description = "NFSv3 + MOUNT port (adapters.nfs.port, default 12049).")
    Integer nfsPort;

    @Option(names = "--smb-port", description = "SMB2/3 port (adapters.smb.port, default 12445).")
    Integer smbPort;

    @Option(names = "--portmap-port", description = "Embedded portmapper port; -1 disables it (default -1).")
    Integer portmapPort;

    @Option(names = "--api-port", description = "Control-plane REST API port; 0 picks a free one (controlplane.port, default 8080).")
    Integer apiPort;

    @Option(names = "--api-bind", description = "Control-plane REST API address (controlplane.bind, default 127.0.0.1: "
            + "administration is local; --bind does not move it).")
    String apiBind;

    @Option(names = "--share", defaultValue = "/export",
            description = "Export path of the default share created on first start (default: ${DEFAULT-VALUE}).")
    String share;

    @Option(names = "--root-squash", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Map uid 0 to nobody (65534) on the default share created on first start; "
                    + "--no-root-squash lets clients act as root there (default: on).")
    boolean rootSquash = true;

    @Option(names = "--data-dir", description = "Where the server keeps its state: the default share's stores "
            + "(metadata/, blocks/, cache/) and, when given, also the control-plane database and generated secret; "
            + "default: stores under $XDG_DATA_HOME/dittofs (~/.local/share/dittofs), the rest in the config directory.")
    Path dataDir;

    @Option(names = "--shutdown-timeout", description = "Time in-flight calls get on shutdown, e.g. 10 or 30s "
            + "(server.shutdown_timeout, default 10s).")
    String shutdownTimeout;

    /** {@code $XDG_DATA_HOME/dittofs}, else {@code ~/.local/share/dittofs}: where the default stores keep file data. */
    static Path defaultDataDir(Map<String, String> env) {
        String xdg = env.get("XDG_DATA_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg)
                : Path.of(env.getOrDefault("HOME", System.getProperty("user.home")), ".local", "share");
        return base.resolve("dittofs");
    }

    /**
     * Where the API listens: {@code controlplane.bind}, loopback unless configured. The adapters'
     * {@code --bind} does not move it: administration stays local while NFS serves the network.
     */
    static String apiBindAddress(Config c) {
        return c.get(ConfigKey.CONTROLPLANE_BIND);
    }

    /**
     * The shares that any address may write as root: enabled, not read-only, without root squash
     * and without a client list. {@code dfs start} warns about each.
     */
    static List<String> openRootShares(List<ShareDef> shares) {
        return shares.stream().filter(s -> s.enabled() && !s.readOnly() && !s.rootSquash() && s.clients().isEmpty())
                .map(ShareDef::name).sorted().toList();
    }

    /**
     * Where the API lets operators put store directories: {@code storage.allowed_root}, else the
     * data directory plus {@code cache.path} when that is set.
     */
    static StorePaths storePaths(Config c, Path dataRoot, Map<String, String> env) {
        String allowed = c.get(ConfigKey.STORAGE_ALLOWED_ROOT);
        if (!allowed.isBlank()) {
            return StorePaths.under(java.util.List.of(ConfigFiles.expand(allowed, env)));
        }
        String cache = c.get(ConfigKey.CACHE_PATH);
        return StorePaths.under(cache.isBlank() ? java.util.List.of(dataRoot)
                : java.util.List.of(dataRoot, ConfigFiles.expand(cache, env)));
    }

    @Override
    public Integer call() throws Exception {
        Map<String, String> env = System.getenv();
        Path file = Dfs.configFile(config);
        Config c = Config.load(file, env, Dfs.overrides(ConfigKey.ADAPTERS_NFS_BIND, bind, ConfigKey.ADAPTERS_NFS_PORT,
                nfsPort, ConfigKey.ADAPTERS_SMB_PORT, smbPort, ConfigKey.ADAPTERS_NFS_PORTMAP_PORT, portmapPort, ConfigKey.CONTROLPLANE_PORT, apiPort,
                ConfigKey.CONTROLPLANE_BIND, apiBind, ConfigKey.SERVER_SHUTDOWN_TIMEOUT, shutdownTimeout));
        if (!c.problems().isEmpty()) {
            System.err.println("dfs: refusing to start: " + c.problems().size() + " invalid setting(s):");
            c.problems().forEach(p -> System.err.println("  " + p));
            return 2;
        }
        LoggingSetup.apply(c);
        Path state = dataDir != null ? dataDir : file.toAbsolutePath().getParent();
        PrivateFiles.createDirectories(state);
        String secret;
        try {
            secret = ConfigFiles.resolveSecret(c, state);
        } catch (IllegalStateException e) {
            System.err.println("dfs: " + e.getMessage());
            return 2;
        }
        ControlPlaneStore db;
        try {
            db = Databases.open(c, state, env);
        } catch (StoreException e) {
            LOG.error("cannot open the control-plane database: {}", e.getMessage());
            return 1;
        }
        Bootstrap.seed(db, c, dataDir != null ? dataDir : defaultDataDir(env), share, rootSquash, env, System.out);
        Duration drain = c.getDuration(ConfigKey.SERVER_SHUTDOWN_TIMEOUT);
        RpcServer.Options opts = RpcServer.Options.defaults().withDrainTimeoutMillis(drain.toMillis());
        Observability observability;
        try {
            observability = Observability.start(c, Dfs.VERSION);
        } catch (IOException e) {
            LOG.error("cannot start the metrics endpoint: {}", e.getMessage());
            db.close();
            return 1;
        }
        ContinuousProfiler profiler;
        try {
            profiler = ContinuousProfiler.start(ProfilingSettings.from(c, dataDir != null ? dataDir : defaultDataDir(env)));
        } catch (IOException e) {
            LOG.error("cannot start profiling: {}", e.getMessage());
            observability.close();
            db.close();
            return 1;
        }
        ServerRuntime runtime = new ServerRuntime(db, c.get(ConfigKey.ADAPTERS_NFS_BIND),
                c.getInt(ConfigKey.ADAPTERS_NFS_PORTMAP_PORT), opts, observability.rpcObserver(),
                observability.storeInstruments());
        runtime.gracePeriod(c.getDuration(ConfigKey.ADAPTERS_NFS_GRACE_PERIOD));
        runtime.nfs4(c.getDuration(ConfigKey.ADAPTERS_NFS_LEASE_TIME), state);
        runtime.nfs4Delegations(c.getBool(ConfigKey.ADAPTERS_NFS_DELEGATIONS));
        observability.registerCaches(runtime::cacheStats);
        observability.registerSmbLogons(runtime::smbLogonFailures);
        try {
            runtime.start();
        } catch (IOException e) {
            LOG.error("cannot start the protocol adapters: {}", e.toString());
            runtime.close();
            observability.close();
            db.close();
            return 1;
        }
        for (String open : openRootShares(db.shares())) {
            String w = "share " + open + " is read-write for every client address without root squash: any host "
                    + "that reaches the NFS port can act as root there (dfsctl share update " + open
                    + " --root-squash true, or --clients ADDR/CIDR,...)";
            LOG.warn(w);
            System.err.println("dfs: WARNING: " + w);
        }
        Tokens tokens = new Tokens(secret, c.getDuration(ConfigKey.CONTROLPLANE_JWT_ACCESS_TOKEN_DURATION),
                c.getDuration(ConfigKey.CONTROLPLANE_JWT_REFRESH_TOKEN_DURATION));
        Endpoints endpoints = new Endpoints(db, runtime, tokens, c.getBool(ConfigKey.SERVER_RATE_LIMITING_ENABLED),
                storePaths(c, dataDir != null ? dataDir : defaultDataDir(env), env));
        ApiServer api = null;
        try {
            String apiAddress = apiBindAddress(c);
            api = ApiServer.start(apiAddress, c.getInt(ConfigKey.CONTROLPLANE_PORT), tokens, db, endpoints);
            LOG.info("control-plane API listening on {}:{}", apiAddress, api.port());
        } catch (BindException e) {
            if (c.source(ConfigKey.CONTROLPLANE_PORT) != Config.Source.DEFAULT) {
                LOG.error("cannot listen on the control-plane port {}: {}", c.get(ConfigKey.CONTROLPLANE_PORT), e.getMessage());
                runtime.close();
                observability.close();
                db.close();
                return 1;
            }
            LOG.warn("control-plane API not started: default port {} is in use (set controlplane.port or --api-port)",
                    c.get(ConfigKey.CONTROLPLANE_PORT));
        }
        ApiServer apiFinal = api;
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.info("shutting down (in-flight calls get {})", drain);
            if (apiFinal != null) {
                apiFinal.close();
            }
            runtime.close();
            observability.close(); // after the adapters: the last calls' spans are exported too
            if (profiler != null) {
                profiler.close(); // pushes the last window, writes the last local file
            }
            db.close();
            stopped.countDown();
        }, "dfs-shutdown"));
        if (HeapGuard.start().isEmpty()) {
            LOG.debug("no Serial old generation to guard (another collector was chosen in jvm.options)");
        }
        String pm = runtime.portmapPortBound() >= 0 ? " portmap=" + runtime.portmapPortBound() : "";
        if (observability.metricsPort() >= 0) {
            pm += " metrics=" + observability.metricsPort();
        }
        System.out.println("dittofs " + Dfs.VERSION + " READY nfs=" + runtime.nfsPort() + " mount=" + runtime.nfsPort()
                + " smb=" + runtime.smbPort()
                + pm + " api=" + (api == null ? -1 : api.port()) + " bind=" + c.get(ConfigKey.ADAPTERS_NFS_BIND)
                + " shares=" + String.join(",", runtime.registry().all().stream().map(s -> s.name()).sorted().toList()));
        System.out.flush();
        stopped.await();
        return 0;
    }
}
