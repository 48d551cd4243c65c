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

    static void seed(ControlPlaneStore db, Config config, Path dataRoot, String shareName, boolean rootSquash,
                     Map<String, String> env, PrintStream out) {
        if (db.setting(MARKER).isEmpty()) {
            db.putAdapter(new AdapterDef("nfs", true, config.getInt(ConfigKey.ADAPTERS_NFS_PORT), Map.of()));
            db.putAdapter(new AdapterDef("smb", config.getBool(ConfigKey.ADAPTERS_SMB_ENABLED),
                    config.getInt(ConfigKey.ADAPTERS_SMB_PORT), smbSettings(config, Map.of(), false)));
            // the embedded defaults: LMDB metadata, local-file blocks behind the mmap WAL cache
            Path root = dataRoot.toAbsolutePath();
            String cachePath = config.get(ConfigKey.CACHE_PATH);
            Path cache = cachePath == null || cachePath.isBlank() ? root.resolve("cache") : Path.of(cachePath).toAbsolutePath();
            if (db.store("metadata", "default-meta").isEmpty()) {
                db.createStore(new StoreDef("default-meta", "metadata", "lmdb",
                        Map.of("path", root.resolve("metadata").resolve("default").toString())));
            }
            if (db.store("block", "default-blocks").isEmpty()) {
                db.createStore(new StoreDef("default-blocks", "block", "fs",
                        Map.of("path", root.resolve("blocks").resolve("default").toString(),
                                "cache", cache.resolve("default").toString())));
            }
            if (db.share(shareName).isEmpty()) {
                db.createShare(new ShareDef(0, shareName, "default-meta", "default-blocks", false,
                        Permission.READ_WRITE, true, rootSquash));
            }
            LOG.info("new control-plane database: nfs adapter, share {} on LMDB + local files + WAL under {}",
                    shareName, root);
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

    /** The smb adapter's settings: {@code signing}, {@code min_dialect}, {@code max_dialect} from the config. */
    static Map<String, String> smbSettings(Config config, Map<String, String> current, boolean onlyExplicit) {
        Map<String, String> out = new java.util.TreeMap<>(current);
        String[][] keys = {{"signing", ConfigKey.ADAPTERS_SMB_SIGNING.name()},
            {"min_dialect", ConfigKey.ADAPTERS_SMB_MIN_DIALECT.name()},
            {"max_dialect", ConfigKey.ADAPTERS_SMB_MAX_DIALECT.name()}};
        for (String[] k : keys) {
            ConfigKey key = ConfigKey.valueOf(k[1]);
            if (!onlyExplicit || explicit(config, key) || !out.containsKey(k[0])) {
                out.put(k[0], config.get(key));
            }
        }
        return out;
    }
}
