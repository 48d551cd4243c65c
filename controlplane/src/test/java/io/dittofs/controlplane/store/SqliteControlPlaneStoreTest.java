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
