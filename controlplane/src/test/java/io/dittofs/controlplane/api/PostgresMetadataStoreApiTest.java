package io.dittofs.controlplane.api;

import io.dittofs.controlplane.model.StoreDef;
import io.dittofs.core.AuthContext;
import io.dittofs.core.FileSystem;
import io.dittofs.core.SetAttr;
import io.dittofs.core.Share;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A share on a PostgreSQL metadata store, defined through the API; the store password never comes back. */
class PostgresMetadataStoreApiTest extends LoggedInApiTest {
    private static final String SECRET = "s3cret-pass";
    private static EmbeddedPostgres pg;

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

    private static String url() {
        return pg.getJdbcUrl("postgres", "postgres");
    }

    private String store(String name, String config) throws Exception {
        return "{\"name\":\"" + name + "\",\"type\":\"postgres\",\"config\":{" + config + "}}";
    }

    @Test
    void shouldServeShareFromPostgresAndNeverShowThePassword() throws Exception {
        ApiHarness.Res created = h.call("POST", "/api/v1/stores/metadata", admin, store("pgm",
                "\"url\":\"" + url() + "\",\"user\":\"postgres\",\"password\":\"" + SECRET + "\",\"prefix\":\"apitest\""));
        ok(201, created);
        assertFalse(created.body().contains(SECRET), created.body());
        ApiHarness.Res one = h.call("GET", "/api/v1/stores/metadata/pgm", admin, null);
        ok(200, one);
        assertFalse(one.body().contains(SECRET), one.body());
        assertEquals("********", one.json().get("config").get("password").asText());
        ApiHarness.Res all = h.call("GET", "/api/v1/stores/metadata", admin, null);
        assertFalse(all.body().contains(SECRET), all.body());

        ok(201, h.call("POST", "/api/v1/stores/block", admin, "{\"name\":\"b1\",\"type\":\"memory\"}"));
        ok(201, h.call("POST", "/api/v1/shares", admin, "{\"name\":\"/pg\",\"metadata_store\":\"pgm\",\"block_store\":\"b1\"}"));
        Share s = h.runtime.registry().byName("/pg");
        assertNotNull(s, "the share is served");
        FileSystem fs = s.fs();
        long d = fs.mkdir(AuthContext.ROOT, fs.rootId(), "docs", SetAttr.NONE).child().id();
        assertEquals(d, fs.lookup(AuthContext.ROOT, fs.rootId(), "docs").id());
    }

    @Test
    void shouldRejectBadPostgresSettings() throws Exception {
        ok(400, h.call("POST", "/api/v1/stores/metadata", admin, store("a", "\"url\":\"" + url() + "\"")));
        ok(400, h.call("POST", "/api/v1/stores/metadata", admin, store("b", "\"user\":\"postgres\"")));
        ok(400, h.call("POST", "/api/v1/stores/metadata", admin,
                store("c", "\"url\":\"jdbc:mysql://x/y\",\"user\":\"postgres\"")));
        ok(400, h.call("POST", "/api/v1/stores/metadata", admin,
                store("d", "\"url\":\"" + url() + "&password=x\",\"user\":\"postgres\"")));
        ok(400, h.call("POST", "/api/v1/stores/metadata", admin,
                store("e", "\"url\":\"" + url() + "\",\"user\":\"postgres\",\"prefix\":\"Bad-Prefix\"")));
        ok(400, h.call("POST", "/api/v1/stores/metadata", admin,
                store("f", "\"url\":\"" + url() + "\",\"user\":\"postgres\",\"pool\":\"0\"")));
    }

    @Test
    void shouldMaskThePasswordInToString() {
        StoreDef d = new StoreDef("m", "metadata", "postgres", Map.of("url", "jdbc:postgresql://h/db", "password", SECRET));
        assertFalse(d.toString().contains(SECRET), d.toString());
        assertTrue(d.toString().contains("jdbc:postgresql://h/db"));
    }
}
