package io.dittofs.controlplane.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.dittofs.core.AuthContext;
import io.dittofs.core.Share;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Root squash, anonymous ids, {@code secure} and client lists of shares through the API. */
class ShareExportOptionsApiTest extends LoggedInApiTest {
    @BeforeEach
    void createStores() throws Exception {
        ok(201, h.call("POST", "/api/v1/stores/metadata", admin, "{\"name\":\"m1\",\"type\":\"memory\"}"));
        ok(201, h.call("POST", "/api/v1/stores/block", admin, "{\"name\":\"b1\",\"type\":\"memory\"}"));
    }

    private ApiHarness.Res create(String name, String extra) throws Exception {
        return h.call("POST", "/api/v1/shares", admin, "{\"name\":\"" + name + "\",\"metadata_store\":\"m1\","
                + "\"block_store\":\"b1\"" + extra + "}");
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new java.util.ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    @Test
    void shouldSquashRootOnNewSharesByDefault() throws Exception {
        JsonNode j = ok(201, create("/data", "")).json();
        assertTrue(j.get("root_squash").asBoolean());
        assertEquals(65534, j.get("anon_uid").asInt());
        assertTrue(!j.get("secure").asBoolean() && j.get("clients").isEmpty());
        Share s = h.runtime.registry().byName("/data");
        assertEquals(65534, s.effective(AuthContext.ROOT).uid());
        JsonNode off = ok(201, create("/rootok", ",\"root_squash\":false")).json();
        assertTrue(!off.get("root_squash").asBoolean());
        assertEquals(0, h.runtime.registry().byName("/rootok").effective(AuthContext.ROOT).uid());
    }

    @Test
    void shouldApplyAnonymousIdsToSquashedRoot() throws Exception {
        ok(201, create("/data", ",\"anon_uid\":4000,\"anon_gid\":4001"));
        AuthContext squashed = h.runtime.registry().byName("/data").effective(AuthContext.ROOT);
        assertEquals(4000, squashed.uid());
        assertEquals(4001, squashed.gid());
        ok(400, create("/neg", ",\"anon_uid\":-1"));
    }

    @Test
    void shouldStoreNormalizedClientsAndRefuseBadOnes() throws Exception {
        JsonNode j = ok(201, create("/data", ",\"secure\":true,\"clients\":[\"10.0.0.0/8\",\" 192.168.1.5/32\",\"fd00::/8\"]"))
                .json();
        assertEquals(List.of("10.0.0.0/8", "192.168.1.5", "fd00:0:0:0:0:0:0:0/8"), texts(j.get("clients")));
        assertTrue(j.get("secure").asBoolean());
        for (String bad : List.of("[\"10.0.0.0/33\"]", "[\"example.com\"]", "[\"10.1.2.3/8\"]", "\"10.0.0.0/8\"", "[1]",
                "[\"::1%lo\"]")) {
            ApiHarness.Res r = h.call("PUT", "/api/v1/shares/data", admin, "{\"clients\":" + bad + "}");
            assertEquals(400, r.status(), bad + " -> " + r.body());
        }
        ok(400, create("/other", ",\"clients\":[\"300.1.1.1\"]"));
        JsonNode after = ok(200, h.call("GET", "/api/v1/shares/data", admin, null)).json();
        assertEquals(3, after.get("clients").size(), "a refused update changed nothing");
        JsonNode cleared = ok(200, h.call("PUT", "/api/v1/shares/data", admin, "{\"clients\":[],\"secure\":false}")).json();
        assertTrue(cleared.get("clients").isEmpty() && !cleared.get("secure").asBoolean());
    }

    @Test
    void shouldKeepExportOptionsAcrossARestart() throws Exception {
        ok(201, create("/data", ",\"secure\":true,\"clients\":[\"127.0.0.1\"],\"anon_uid\":7,\"anon_gid\":8"));
        h.close();
        h = new ApiHarness(dir, true, false);
        admin = h.admin();
        JsonNode j = ok(200, h.call("GET", "/api/v1/shares/data", admin, null)).json();
        assertTrue(j.get("secure").asBoolean() && j.get("root_squash").asBoolean());
        assertEquals(List.of("127.0.0.1"), texts(j.get("clients")));
        assertEquals(7, j.get("anon_uid").asInt());
        assertEquals(8, j.get("anon_gid").asInt());
    }
}
