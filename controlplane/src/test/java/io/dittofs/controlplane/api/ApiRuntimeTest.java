package io.dittofs.controlplane.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.dittofs.core.AuthContext;
import io.dittofs.core.Share;
import io.dittofs.core.ShareAccess;
import io.dittofs.core.spi.BlockStore;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** API changes reach the live runtime: shares in the registry, access decisions, the NFS adapter. */
class ApiRuntimeTest extends LoggedInApiTest {
    private static AuthContext as(int uid, int gid, int... gids) {
        return new AuthContext(uid, gid, gids, "test");
    }

    private ShareAccess access(String share, AuthContext who) {
        Share s = h.runtime.registry().byName(share);
        assertNotNull(s, share);
        return s.access().decide(who);
    }

    private void storesAndShare(String name, String defaultPermission) throws Exception {
        ok(201, h.call("POST", "/api/v1/stores/metadata", admin, "{\"name\":\"m1\",\"type\":\"memory\"}"));
        ok(201, h.call("POST", "/api/v1/stores/block", admin, "{\"name\":\"b1\",\"type\":\"memory\"}"));
        ok(201, h.call("POST", "/api/v1/shares", admin, "{\"name\":\"" + name + "\",\"metadata_store\":\"m1\","
                + "\"block_store\":\"b1\",\"default_permission\":\"" + defaultPermission + "\"}"));
    }

    @Test
    void shouldServeANewShareAndApplyGrantsAtOnce() throws Exception {
        storesAndShare("/data", "none");
        ok(201, h.call("POST", "/api/v1/users", admin, "{\"username\":\"alice\",\"password\":\"alice-password\",\"uid\":1000,\"gid\":1000}"));
        assertEquals(ShareAccess.NONE, access("/data", as(1000, 1000)));
        ok(200, h.call("PUT", "/api/v1/shares/data/permissions", admin, "{\"type\":\"user\",\"name\":\"alice\",\"permission\":\"read-write\"}"));
        assertEquals(ShareAccess.READ_WRITE, access("/data", as(1000, 1000)));
        assertEquals(ShareAccess.NONE, access("/data", as(2000, 2000)), "unknown uid gets the default");
        ok(200, h.call("PUT", "/api/v1/shares/data", admin, "{\"read_only\":true}"));
        assertEquals(ShareAccess.READ, access("/data", as(1000, 1000)), "read-only share caps grants");
        assertTrue(h.runtime.registry().byName("/data").fs().readOnly());
        ok(200, h.call("PUT", "/api/v1/shares/data", admin, "{\"read_only\":false,\"default_permission\":\"read\"}"));
        assertEquals(ShareAccess.READ, access("/data", as(2000, 2000)));
        ok(204, h.call("DELETE", "/api/v1/shares/data/permissions/user/alice", admin, null));
        assertEquals(ShareAccess.READ, access("/data", as(1000, 1000)), "revoked: back to the default");
        ok(409, h.call("DELETE", "/api/v1/stores/metadata/m1", admin, null));
        ok(204, h.call("DELETE", "/api/v1/shares/data", admin, null));
        assertNull(h.runtime.registry().byName("/data"));
        ok(204, h.call("DELETE", "/api/v1/stores/metadata/m1", admin, null));
    }

    @Test
    void shouldKeepShareIdsAndApplyGroupGrants() throws Exception {
        storesAndShare("/a", "none");
        ok(201, h.call("POST", "/api/v1/shares", admin, "{\"name\":\"/b\",\"metadata_store\":\"m1\",\"block_store\":\"b1\"}"));
        int idB = h.call("GET", "/api/v1/shares/b", admin, null).json().get("id").asInt();
        ok(200, h.call("PUT", "/api/v1/shares/b", admin, "{\"enabled\":false}"));
        assertNull(h.runtime.registry().byName("/b"));
        ok(200, h.call("PUT", "/api/v1/shares/b", admin, "{\"enabled\":true}"));
        assertEquals(idB, h.runtime.registry().byName("/b").id());

        ok(201, h.call("POST", "/api/v1/users", admin, "{\"username\":\"bob\",\"password\":\"bob-password\",\"uid\":1001}"));
        ok(201, h.call("POST", "/api/v1/groups", admin, "{\"name\":\"staff\",\"gid\":500}"));
        ok(200, h.call("PUT", "/api/v1/shares/a/permissions", admin, "{\"type\":\"group\",\"name\":\"staff\",\"permission\":\"read\"}"));
        assertEquals(ShareAccess.NONE, access("/a", as(1001, 100)));
        assertEquals(ShareAccess.READ, access("/a", as(3000, 100, 500)), "unknown uid carrying the group's gid");
        ok(200, h.call("POST", "/api/v1/groups/staff/members", admin, "{\"username\":\"bob\"}"));
        assertEquals(ShareAccess.READ, access("/a", as(1001, 100)), "member of the group");
        ok(200, h.call("PUT", "/api/v1/users/bob", admin, "{\"enabled\":false}"));
        assertEquals(ShareAccess.NONE, access("/a", as(1001, 100)), "disabled user");
        ok(200, h.call("GET", "/api/v1/shares/a/permissions", admin, null));
    }

    @Test
    void shouldRefuseUnknownStoreTypesAndSettings() throws Exception {
        ok(400, h.call("POST", "/api/v1/stores/metadata", admin, "{\"name\":\"x\",\"type\":\"oracle\"}"));
        ok(400, h.call("POST", "/api/v1/stores/block", admin, "{\"name\":\"x\",\"type\":\"memory\",\"config\":{\"colour\":\"red\"}}"));
        ok(404, h.call("POST", "/api/v1/stores/other", admin, "{\"name\":\"x\",\"type\":\"memory\"}"));
        ok(404, h.call("POST", "/api/v1/shares", admin, "{\"name\":\"/y\",\"metadata_store\":\"nope\",\"block_store\":\"nope\"}"));
        storesAndShare("/x", "none");
        ok(400, h.call("PUT", "/api/v1/shares/x/permissions", admin, "{\"type\":\"robot\",\"name\":\"a\",\"permission\":\"read\"}"));
    }

    @Test
    void shouldValidateS3StoresAndNeverReturnTheSecret() throws Exception {
        ok(400, h.call("POST", "/api/v1/stores/block", admin, "{\"name\":\"s\",\"type\":\"s3\",\"config\":{\"region\":\"eu-west-1\"}}"));
        ok(400, h.call("POST", "/api/v1/stores/block", admin,
                "{\"name\":\"s\",\"type\":\"s3\",\"config\":{\"bucket\":\"b\",\"access_key\":\"AK\"}}"));
        ok(400, h.call("POST", "/api/v1/stores/block", admin,
                "{\"name\":\"s\",\"type\":\"s3\",\"config\":{\"bucket\":\"b\",\"endpoint\":\"not a url\"}}"));
        ApiHarness.Res created = h.call("POST", "/api/v1/stores/block", admin,
                "{\"name\":\"s\",\"type\":\"s3\",\"config\":{\"bucket\":\"b\",\"endpoint\":\"http://127.0.0.1:9\","
                        + "\"access_key\":\"AK\",\"secret_key\":\"very-secret\",\"prefix\":\"p\"}}");
        ok(201, created);
        ApiHarness.Res one = h.call("GET", "/api/v1/stores/block/s", admin, null);
        ApiHarness.Res all = h.call("GET", "/api/v1/stores/block", admin, null);
        for (ApiHarness.Res r : new ApiHarness.Res[] {created, one, all}) {
            assertTrue(!r.body().contains("very-secret") && r.body().contains("****") && r.body().contains("AK"), r.body());
        }
    }

    @Test
    void shouldStopMoveAndRestartTheNfsAdapter() throws Exception {
        int port = h.runtime.nfsPort();
        assertTrue(connects(port));
        ok(200, h.call("PUT", "/api/v1/adapters/nfs", admin, "{\"enabled\":false}"));
        assertEquals(-1, h.runtime.nfsPort());
        assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", port).close());
        int other = ApiHarness.freePort();
        ok(200, h.call("PUT", "/api/v1/adapters/nfs", admin, "{\"enabled\":true,\"port\":" + other + "}"));
        assertEquals(other, h.runtime.nfsPort());
        assertTrue(connects(other));
        assertEquals(other, h.db.adapter("nfs").orElseThrow().port());
        ok(400, h.call("PUT", "/api/v1/adapters/nfs", admin, "{\"port\":70000}"));
        try (java.net.ServerSocket busy = new java.net.ServerSocket(0)) {
            ok(409, h.call("PUT", "/api/v1/adapters/nfs", admin, "{\"port\":" + busy.getLocalPort() + "}"));
        }
        assertEquals(other, h.runtime.nfsPort(), "a failed move keeps the old port");
    }

    @Test
    void shouldStartReconfigureAndStopTheSmbAdapter() throws Exception {
        assertEquals(-1, h.runtime.smbPort(), "seeded disabled");
        int port = ApiHarness.freePort();
        ok(200, h.call("PUT", "/api/v1/adapters/smb", admin, "{\"enabled\":true,\"port\":" + port + "}"));
        assertEquals(port, h.runtime.smbPort());
        assertTrue(connects(port));
        ok(400, h.call("PUT", "/api/v1/adapters/smb", admin, "{\"settings\":{\"signing\":\"sometimes\"}}"));
        ok(400, h.call("PUT", "/api/v1/adapters/smb", admin, "{\"settings\":{\"colour\":\"red\"}}"));
        ok(200, h.call("PUT", "/api/v1/adapters/smb", admin,
                "{\"settings\":{\"signing\":\"enabled\",\"min_dialect\":\"3.0\"}}"));
        assertEquals(port, h.runtime.smbPort(), "reconfigured on the same port");
        assertTrue(connects(port));
        assertEquals("enabled", h.db.adapter("smb").orElseThrow().settings().get("signing"));
        ok(200, h.call("PUT", "/api/v1/adapters/smb", admin, "{\"enabled\":false}"));
        assertEquals(-1, h.runtime.smbPort());
        assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", port).close());
    }

    @Test
    void shouldBringPersistentSharesBackAfterARestart() throws Exception {
        Path meta = dir.resolve("lmdb");
        Path blocks = dir.resolve("blocks");
        ok(201, h.call("POST", "/api/v1/stores/metadata", admin, "{\"name\":\"lm\",\"type\":\"lmdb\",\"config\":{\"path\":\"" + meta + "\"}}"));
        ok(400, h.call("POST", "/api/v1/stores/metadata", admin, "{\"name\":\"lm2\",\"type\":\"lmdb\"}"));
        ok(400, h.call("POST", "/api/v1/stores/block", admin, "{\"name\":\"fs2\",\"type\":\"fs\",\"config\":{\"path\":\"relative/dir\"}}"));
        ok(201, h.call("POST", "/api/v1/stores/block", admin, "{\"name\":\"fs\",\"type\":\"fs\",\"config\":{\"path\":\"" + blocks + "\"}}"));
        ok(201, h.call("POST", "/api/v1/shares", admin, "{\"name\":\"/p\",\"metadata_store\":\"lm\",\"block_store\":\"fs\"}"));
        int id = h.runtime.registry().byName("/p").id();
        long root = h.runtime.registry().byName("/p").fs().rootId();
        assertTrue(java.nio.file.Files.isDirectory(meta));
        h.close();
        h = new ApiHarness(dir, true, false);
        Share again = h.runtime.registry().byName("/p");
        assertNotNull(again, "the share is served again after a restart");
        assertEquals(id, again.id());
        assertEquals(root, again.fs().rootId());
    }

    @Test
    void shouldShowCacheHealthOfBlockStoreWhileItsStoreFailsAndAfterItRecovers() throws Exception {
        Path blocks = dir.resolve("cblocks");
        ok(201, h.call("POST", "/api/v1/stores/metadata", admin, "{\"name\":\"cm\",\"type\":\"memory\"}"));
        ok(201, h.call("POST", "/api/v1/stores/block", admin, "{\"name\":\"cf\",\"type\":\"fs\",\"config\":{\"path\":\""
                + blocks + "\",\"cache\":\"" + dir.resolve("cwal") + "\"}}"));
        ok(201, h.call("POST", "/api/v1/stores/block", admin, "{\"name\":\"plain\",\"type\":\"memory\"}"));
        ok(201, h.call("POST", "/api/v1/shares", admin, "{\"name\":\"/c\",\"metadata_store\":\"cm\",\"block_store\":\"cf\"}"));
        BlockStore cache = h.runtime.registry().byName("/c").fs().blockStore();
        assertEquals("ok", cacheOf("cf").get("state").asText());
        assertTrue(h.call("GET", "/api/v1/stores/block/plain", admin, null).json().get("cache").isNull(), "no cache, no status");

        // the store's directory turns into a plain file: every write below the cache fails with an I/O error
        moveAway(blocks);
        Files.createFile(blocks);
        cache.write(7, 0, Arena.ofAuto().allocate(65536));
        JsonNode failing = waitForCache("cf", "failing");
        assertEquals(65536, failing.get("dirty_bytes").asLong());
        assertTrue(failing.get("flush_errors").asLong() >= 1, failing.toString());
        assertFalse(failing.get("last_error").isNull(), failing.toString());
        assertFalse(failing.get("failing_since").isNull(), failing.toString());
        JsonNode listed = h.call("GET", "/api/v1/stores/block", admin, null).json();
        assertTrue(listed.toString().contains("\"state\":\"failing\""), listed.toString());

        Files.delete(blocks);
        Files.move(dir.resolve("cblocks.away"), blocks);
        JsonNode healthy = waitForCache("cf", "ok");
        assertEquals(0, healthy.get("dirty_bytes").asLong());
        assertTrue(healthy.get("failing_since").isNull());
    }

    private JsonNode cacheOf(String store) throws Exception {
        ApiHarness.Res r = h.call("GET", "/api/v1/stores/block/" + store, admin, null);
        ok(200, r);
        return r.json().get("cache");
    }

    private JsonNode waitForCache(String store, String state) throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        JsonNode c = cacheOf(store);
        while (!state.equals(c.get("state").asText()) || ("ok".equals(state) && c.get("dirty_bytes").asLong() > 0)) {
            assertTrue(System.nanoTime() < deadline, "cache never " + state + ": " + c);
            Thread.sleep(20);
            c = cacheOf(store);
        }
        return c;
    }

    private void moveAway(Path p) throws java.io.IOException {
        Files.move(p, dir.resolve(p.getFileName() + ".away"));
    }

    @Test
    void shouldManageSettings() throws Exception {
        ok(200, h.call("PUT", "/api/v1/settings/motd", admin, "{\"value\":\"hello\"}"));
        assertEquals("hello", h.call("GET", "/api/v1/settings/motd", admin, null).json().get("value").asText());
        assertEquals("{\"motd\":\"hello\"}", h.call("GET", "/api/v1/settings", admin, null).body());
        ok(204, h.call("DELETE", "/api/v1/settings/motd", admin, null));
        ok(404, h.call("GET", "/api/v1/settings/motd", admin, null));
    }

    private static boolean connects(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
