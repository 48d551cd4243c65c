package io.dittofs.controlplane.cli;

import io.dittofs.controlplane.api.Passwords;
import io.dittofs.controlplane.config.Config;
import io.dittofs.controlplane.config.ConfigKey;
import io.dittofs.controlplane.model.AdapterDef;
import io.dittofs.controlplane.model.Permission;
import io.dittofs.controlplane.model.Role;
import io.dittofs.controlplane.model.ShareDef;
import io.dittofs.controlplane.model.StoreDef;
import io.dittofs.controlplane.model.User;
import io.dittofs.controlplane.runtime.StoreFactory;
import io.dittofs.controlplane.store.ControlPlaneStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;

/**
 * First start of an empty control-plane database: the adapters from the configuration, the
 * default share on memory stores (what {@code ./dfs start} always served), and the first admin.
 * Runs once: a marker setting records it, so a deleted default share stays deleted.
 */
final class Bootstrap {
    private static final Logger LOG = LoggerFactory.getLogger(Bootstrap.class);
    static final String MARKER = "_initialized";
    static final String ADMIN = "admin";

    private Bootstrap() {
    }

    /** The default share's metadata store ({@code storage.default.metadata}): LMDB under the data root, or PostgreSQL. */
    static StoreDef defaultMetadata(Config c, Path root) {
        StoreDef d = switch (c.get(ConfigKey.STORAGE_DEFAULT_METADATA).toLowerCase(java.util.Locale.ROOT)) {
            case "postgres" -> new StoreDef("default-meta", "metadata", "postgres", Map.of(
                    "url", "jdbc:postgresql://" + c.get(ConfigKey.DATABASE_POSTGRES_HOST) + ":"
                            + c.get(ConfigKey.DATABASE_POSTGRES_PORT) + "/" + c.get(ConfigKey.DATABASE_POSTGRES_DBNAME),
                    "user", c.get(ConfigKey.DATABASE_POSTGRES_USER),
                    "password", c.get(ConfigKey.DATABASE_POSTGRES_PASSWORD)));
            default -> new StoreDef("default-meta", "metadata", "lmdb",
                    Map.of("path", root.resolve("metadata").resolve("default").toString()));
        };
        StoreFactory.validate(d);
        return d;
    }

    /** The default share's block store ({@code storage.default.blocks}): local files or S3, behind the WAL in {@code cache}. */
    static StoreDef defaultBlocks(Config c, Path root, Path cache) {
        Map<String, String> s = new java.util.HashMap<>();
        String type = c.get(ConfigKey.STORAGE_DEFAULT_BLOCKS).toLowerCase(java.util.Locale.ROOT);
        if (cache != null) {
            s.put("cache", cache.resolve("default").toString());
        } else if (type.equals("s3")) {
            // S3 always sits behind the WAL (remote latency): the default cache directory
            s.put("cache", root.resolve("cache").resolve("default").toString());
        }
        if (type.equals("s3")) {
            s.put("bucket", c.get(ConfigKey.STORAGE_DEFAULT_S3_BUCKET));
            s.put("region", c.get(ConfigKey.STORAGE_DEFAULT_S3_REGION));
            for (ConfigKey k : new ConfigKey[] {ConfigKey.STORAGE_DEFAULT_S3_ENDPOINT, ConfigKey.STORAGE_DEFAULT_S3_PREFIX,
                ConfigKey.STORAGE_DEFAULT_S3_ACCESS_KEY, ConfigKey.STORAGE_DEFAULT_S3_SECRET_KEY}) {
                if (!c.get(k).isBlank()) {
                    s.put(k.path().substring(k.path().lastIndexOf('.') + 1), c.get(k));
                }
            }
        } else {
            s.put("path", root.resolve("blocks").resolve("default").toString());
        }
        StoreDef d = new StoreDef("default-blocks", "block", type, Map.copyOf(s));
        StoreFactory.validate(d);
        return d;
    }

    static void seed(ControlPlaneStore db, Config config, Path dataRoot, String shareName, boolean rootSquash,
                     Map<String, String> env, PrintStream out) {
        if (db.setting(MARKER).isEmpty()) {
            db.putAdapter(new AdapterDef("nfs", true, config.getInt(ConfigKey.ADAPTERS_NFS_PORT), Map.of()));
            db.putAdapter(new AdapterDef("smb", config.getBool(ConfigKey.ADAPTERS_SMB_ENABLED),
                    config.getInt(ConfigKey.ADAPTERS_SMB_PORT), smbSettings(config, Map.of(), false)));
            // the embedded defaults: LMDB metadata, local files written in place; the mmap WAL in
            // front only when cache.path asks for it (measured: it does not pay for local files)
            Path root = dataRoot.toAbsolutePath();
            String cachePath = config.get(ConfigKey.CACHE_PATH);
            Path cache = cachePath == null || cachePath.isBlank() ? null : Path.of(cachePath).toAbsolutePath();
            if (db.store("metadata", "default-meta").isEmpty()) {
                db.createStore(defaultMetadata(config, root));
            }
            if (db.store("block", "default-blocks").isEmpty()) {
                db.createStore(defaultBlocks(config, root, cache));
            }
            if (db.share(shareName).isEmpty()) {
                db.createShare(new ShareDef(0, shareName, "default-meta", "default-blocks", false,
                        Permission.READ_WRITE, true, rootSquash));
            }
            LOG.info("new control-plane database: nfs adapter, share {} on {} metadata + {} blocks{} (data under {})",
                    shareName, config.get(ConfigKey.STORAGE_DEFAULT_METADATA), config.get(ConfigKey.STORAGE_DEFAULT_BLOCKS), cache == null ? "" : " behind the WAL", root);
            db.putSetting(MARKER, "true");
        } else if (config.source(ConfigKey.ADAPTERS_NFS_PORT) != Config.Source.DEFAULT) {
            // an explicitly configured port wins at start; API changes hold until then
            db.adapter("nfs").ifPresent(a -> db.putAdapter(
                    new AdapterDef("nfs", a.enabled(), config.getInt(ConfigKey.ADAPTERS_NFS_PORT), a.settings())));
        }
        if (db.setting(MARKER).isPresent()) {
            // explicitly configured SMB keys win at start too; API changes hold until then
            db.adapter("smb").ifPresent(a -> db.putAdapter(new AdapterDef("smb",
                    explicit(config, ConfigKey.ADAPTERS_SMB_ENABLED) ? config.getBool(ConfigKey.ADAPTERS_SMB_ENABLED)
                            : a.enabled(),
                    explicit(config, ConfigKey.ADAPTERS_SMB_PORT) ? config.getInt(ConfigKey.ADAPTERS_SMB_PORT) : a.port(),
                    smbSettings(config, a.settings(), true))));
        }
        if (db.users().isEmpty()) {
            String given = env.get("DITTOFS_ADMIN_INITIAL_PASSWORD");
            String pw = given;
            if (given == null || Passwords.problem(given) != null) {
                if (given != null) {
                    LOG.warn("DITTOFS_ADMIN_INITIAL_PASSWORD is unusable ({}); generating one", Passwords.problem(given));
                }
                pw = Passwords.random();
            }
            db.createUser(new User(ADMIN, Role.ADMIN, null, null, true, true, Passwords.hash(pw), Passwords.ntHash(pw)));
            if (pw.equals(given)) {
                LOG.info("created user '{}' with the password from DITTOFS_ADMIN_INITIAL_PASSWORD; it must be changed at first login", ADMIN);
            } else {
                // printed once, on the console, never logged
                out.println("dittofs: created user '" + ADMIN + "' with password " + pw
                        + "  (shown once; it must be changed at first login: dfsctl login, then dfsctl user passwd)");
                out.flush();
            }
        }
    }

    private static boolean explicit(Config config, ConfigKey k) {
        return config.source(k) != Config.Source.DEFAULT;
    }

    /**
     * The smb adapter's settings from the config: {@code signing}, {@code encryption}, {@code min_dialect},
     * {@code max_dialect}, {@code max_io_size}, {@code large_io_buffers}, {@code logon_max_failures},
     * {@code logon_window_seconds} ({@code adapters.smb.*}).
     */
    static Map<String, String> smbSettings(Config config, Map<String, String> current, boolean onlyExplicit) {
        Map<String, String> out = new java.util.TreeMap<>(current);
        Map<String, ConfigKey> keys = Map.of("signing", ConfigKey.ADAPTERS_SMB_SIGNING,
                "encryption", ConfigKey.ADAPTERS_SMB_ENCRYPTION,
                "min_dialect", ConfigKey.ADAPTERS_SMB_MIN_DIALECT,
                "max_dialect", ConfigKey.ADAPTERS_SMB_MAX_DIALECT,
                "max_io_size", ConfigKey.ADAPTERS_SMB_MAX_IO_SIZE,
                "large_io_buffers", ConfigKey.ADAPTERS_SMB_LARGE_IO_BUFFERS,
                "logon_max_failures", ConfigKey.ADAPTERS_SMB_LOGON_MAX_FAILURES,
                "logon_window_seconds", ConfigKey.ADAPTERS_SMB_LOGON_WINDOW_SECONDS);
        keys.forEach((setting, key) -> {
            if (!onlyExplicit || explicit(config, key) || !out.containsKey(setting)) {
                out.put(setting, config.get(key));
            }
        });
        return out;
    }
}
