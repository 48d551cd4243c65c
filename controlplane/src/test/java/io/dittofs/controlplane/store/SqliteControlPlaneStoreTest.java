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
