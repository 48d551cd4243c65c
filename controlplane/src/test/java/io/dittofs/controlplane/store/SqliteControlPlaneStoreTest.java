package io.dittofs.controlplane.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

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
