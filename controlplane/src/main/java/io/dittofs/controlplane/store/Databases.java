package io.dittofs.controlplane.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.dittofs.controlplane.config.Config;
import io.dittofs.controlplane.config.ConfigFiles;
import io.dittofs.controlplane.config.ConfigKey;
import io.dittofs.storage.PrivateFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Opens the control-plane database the configuration names: SQLite (default) or PostgreSQL. */
public final class Databases {
    private static final Logger LOG = LoggerFactory.getLogger(Databases.class);

    private Databases() {
    }

    /** The SQLite file: {@code database.sqlite.path}, else {@code db.sqlite} in {@code stateDir}. */
    public static Path sqlitePath(Config config, Path stateDir, Map<String, String> env) {
        String p = config.get(ConfigKey.DATABASE_SQLITE_PATH);
        return p.isEmpty() ? stateDir.resolve("db.sqlite") : ConfigFiles.expand(p, env);
    }

    public static ControlPlaneStore open(Config config, Path stateDir, Map<String, String> env) throws IOException {
        boolean migrate = config.getBool(ConfigKey.DATABASE_AUTO_MIGRATE);
        HikariConfig hc = new HikariConfig();
        hc.setPoolName("controlplane-db");
        hc.setConnectionTimeout(10_000);
        if ("postgres".equalsIgnoreCase(config.get(ConfigKey.DATABASE_TYPE))) {
            String url = "jdbc:postgresql://" + config.get(ConfigKey.DATABASE_POSTGRES_HOST) + ":"
                    + config.getInt(ConfigKey.DATABASE_POSTGRES_PORT) + "/" + config.get(ConfigKey.DATABASE_POSTGRES_DBNAME);
            hc.setJdbcUrl(url);
            hc.setUsername(config.get(ConfigKey.DATABASE_POSTGRES_USER));
            hc.setPassword(config.get(ConfigKey.DATABASE_POSTGRES_PASSWORD));
            hc.setMaximumPoolSize(8);
            LOG.info("control-plane database: PostgreSQL {}", url);
        } else {
            Path file = sqlitePath(config, stateDir, env);
            PrivateFiles.createDirectories(file.toAbsolutePath().getParent());
            if (!Files.exists(file)) {
                ConfigFiles.writePrivate(file, ""); // it holds password hashes: owner only (an empty file is an empty database)
            }
            sqlite(hc, file);
            LOG.info("control-plane database: SQLite {}", file);
        }
        HikariDataSource ds = new HikariDataSource(hc);
        try {
            return new JdbcControlPlaneStore(ds, migrate, ds);
        } catch (RuntimeException e) {
            ds.close();
            throw e;
        }
    }

    /** Pool settings for one SQLite file: one connection (SQLite has one writer), foreign keys on, WAL. */
    public static void sqlite(HikariConfig hc, Path file) {
        hc.setJdbcUrl("jdbc:sqlite:" + file.toAbsolutePath());
        hc.setMaximumPoolSize(1);
        hc.addDataSourceProperty("foreign_keys", "true");
        hc.addDataSourceProperty("journal_mode", "WAL");
        hc.addDataSourceProperty("busy_timeout", "5000");
    }
}
