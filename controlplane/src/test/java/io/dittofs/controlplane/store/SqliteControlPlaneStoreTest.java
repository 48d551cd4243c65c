package io.dittofs.controlplane.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SqliteControlPlaneStoreTest extends ControlPlaneStoreContract {
    @TempDir
    Path dir;

    @Override
    ControlPlaneStore newStore() {
        return open(true);
    }

    @Override
    ControlPlaneStore reopen() {
        return open(true);
    }

    private ControlPlaneStore open(boolean migrate) {
        HikariConfig hc = new HikariConfig();
        Databases.sqlite(hc, dir.resolve("db.sqlite"));
        HikariDataSource ds = new HikariDataSource(hc);
        return new JdbcControlPlaneStore(ds, migrate, ds);
    }

    /** A database from before share ids had a high-water mark: existing ids stay, new ones start above them. */
    @Test
    void shouldKeepExistingShareIdsAndAllocateAboveThemAfterTheUpgrade() throws Exception {
        Path file = dir.resolve("v1.sqlite");
        HikariConfig hc = new HikariConfig();
        Databases.sqlite(hc, file);
        try (HikariDataSource ds = new HikariDataSource(hc)) {
            try (java.sql.Connection c = ds.getConnection(); java.sql.Statement s = c.createStatement()) {
                s.execute("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, description TEXT NOT NULL, "
                        + "applied_at TEXT NOT NULL)");
                for (String sql : Migrations.ALL.getFirst().statements()) {
                    s.execute(sql);
                }
                s.execute("INSERT INTO schema_version VALUES (1, 'v1', 'then')");
                s.execute("INSERT INTO stores VALUES ('metadata', 'm', 'memory', '{}', 'then')");
                s.execute("INSERT INTO stores VALUES ('block', 'b', 'memory', '{}', 'then')");
                for (int id : new int[] {1, 5}) {
                    s.execute("INSERT INTO shares VALUES (" + id + ", '/s" + id + "', 'metadata', 'm', 'block', 'b', 0, "
                            + "'read', 1, 0, 'then')");
                }
            }
            try (ControlPlaneStore upgraded = new JdbcControlPlaneStore(ds, true, null)) {
                assertEquals(Migrations.latest(), upgraded.schemaVersion());
                assertEquals(5, upgraded.share("/s5").orElseThrow().id(), "existing handles stay valid");
                upgraded.deleteShare("/s5");
                assertEquals(6, upgraded.createShare(new io.dittofs.controlplane.model.ShareDef(0, "/n", "m", "b", false,
                        io.dittofs.controlplane.model.Permission.READ, true, false)).id());
            }
        }
    }

    /** Two servers starting at once on one fresh file: both come up, each migration is applied once. */
    @Test
    void shouldSerializeConcurrentMigrationsOfOneDatabase() throws Exception {
        for (int round = 0; round < 5; round++) {
            Path file = dir.resolve("race" + round + ".sqlite");
            java.util.List<HikariDataSource> pools = new java.util.ArrayList<>();
            for (int i = 0; i < 2; i++) {
                HikariConfig hc = new HikariConfig();
                Databases.sqlite(hc, file);
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
            try (java.sql.Connection c = pools.getFirst().getConnection(); java.sql.Statement s = c.createStatement();
                 java.sql.ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM schema_version")) {
                rs.next();
                org.junit.jupiter.api.Assertions.assertEquals(Migrations.ALL.size(), rs.getInt(1));
            }
            pools.forEach(HikariDataSource::close);
        }
    }

    @Test
    void shouldCreateTheDatabaseFileForItsOwnerOnly() throws Exception {
        io.dittofs.controlplane.config.Config cfg = io.dittofs.controlplane.config.Config.load(null, java.util.Map.of(), java.util.Map.of());
        try (ControlPlaneStore s = Databases.open(cfg, dir.resolve("state"), java.util.Map.of())) {
            org.junit.jupiter.api.Assertions.assertTrue(s.ping());
        }
        org.junit.jupiter.api.Assertions.assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                java.nio.file.Files.getPosixFilePermissions(dir.resolve("state").resolve("db.sqlite"))));
    }

    @Test
    void shouldRefuseAnUnmigratedDatabaseWhenAutoMigrateIsOff() {
        store.close();
        HikariConfig hc = new HikariConfig();
        Databases.sqlite(hc, dir.resolve("other.sqlite"));
        try (HikariDataSource ds = new HikariDataSource(hc)) {
            assertThrows(StoreException.class, () -> new JdbcControlPlaneStore(ds, false, null));
        }
        store = newStore();
    }
}
