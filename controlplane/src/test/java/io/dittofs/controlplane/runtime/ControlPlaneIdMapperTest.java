package io.dittofs.controlplane.runtime;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.dittofs.controlplane.model.Role;
import io.dittofs.controlplane.model.User;
import io.dittofs.controlplane.store.ControlPlaneStore;
import io.dittofs.controlplane.store.Databases;
import io.dittofs.controlplane.store.JdbcControlPlaneStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** NFSv4 owner strings mapped through the control plane's users and groups (a real SQLite store). */
class ControlPlaneIdMapperTest {
    @TempDir
    Path dir;

    @Test
    void shouldMapUserAtDomainThroughControlPlaneUsersAndGroups() {
        HikariConfig hc = new HikariConfig();
        Databases.sqlite(hc, dir.resolve("db.sqlite"));
        try (HikariDataSource ds = new HikariDataSource(hc)) {
            ControlPlaneStore db = new JdbcControlPlaneStore(ds, true, ds);
            db.createUser(new User("alice", Role.USER, 1000, 1001, true, false, "$2y$10$x", "00"));
            db.createGroup("staff", 50);
            ControlPlaneIdMapper m = new ControlPlaneIdMapper(db);
            assertEquals(1000, m.uid("alice@example.org"));
            assertEquals(1000, m.uid("Alice"));
            assertEquals(50, m.gid("staff@example.org"));
            assertEquals(42, m.uid("42"));
            assertEquals(-1, m.uid("bob@example.org"));
            assertEquals(-1, m.gid("nogroup"));
            assertEquals("1000", m.owner(1000));
        }
    }
}
