package io.dittofs.controlplane.api;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Operators cannot point a store at system paths: fs/lmdb paths and WAL caches stay under the allowed root. */
class StorePathsApiTest extends LoggedInApiTest {
    @TempDir
    Path outside; // the allowed root is dir

    private int lmdb(String name, String path) throws Exception {
        return h.call("POST", "/api/v1/stores/metadata", admin,
                "{\"name\":\"" + name + "\",\"type\":\"lmdb\",\"config\":{\"path\":\"" + path + "\"}}").status();
    }

    private int fs(String name, String path, String cache) throws Exception {
        return h.call("POST", "/api/v1/stores/block", admin, "{\"name\":\"" + name + "\",\"type\":\"fs\",\"config\":{\"path\":\""
                + path + "\"" + (cache == null ? "" : ",\"cache\":\"" + cache + "\"") + "}}").status();
    }

    @Test
    void shouldRefuseStorePathsOutsideTheAllowedRoot() throws Exception {
        assertEquals(400, lmdb("etc", "/etc"));
        assertEquals(400, fs("etc", "/etc/dittofs", null));
        assertEquals(400, lmdb("up", dir + "/../" + outside.getFileName() + "/meta"), "a '..' escape");
        assertEquals(400, fs("up2", dir + "/a/../../x", null), "a '..' escape through a missing directory");
        assertEquals(400, fs("cache", dir + "/blocks", "/var/tmp/wal"), "the WAL cache too");
        assertEquals(400, h.call("POST", "/api/v1/stores/block", admin,
                "{\"name\":\"s3\",\"type\":\"s3\",\"config\":{\"bucket\":\"b\",\"cache\":\"/etc/wal\"}}").status(), "s3's cache");
        assertEquals(400, fs("prefix", dir + "-sibling/blocks", null), "a sibling sharing the root's name as prefix");
        assertEquals("[]", h.call("GET", "/api/v1/stores/block", admin, null).body(), "nothing was defined");
    }

    @Test
    void shouldRefuseASymlinkInsideTheRootThatLeadsOut() throws Exception {
        Files.createSymbolicLink(dir.resolve("link"), outside);
        assertEquals(400, lmdb("link", dir.resolve("link") + "/meta"));
        assertEquals(400, fs("link", dir.resolve("link").toString(), null));
    }

    @Test
    void shouldAcceptPathsUnderTheAllowedRoot() throws Exception {
        assertEquals(201, lmdb("meta", dir.resolve("meta").toString()));
        assertEquals(201, fs("blocks", dir + "/x/../blocks", dir.resolve("cache").toString()));
        assertTrue(h.call("GET", "/api/v1/stores/block/blocks", admin, null).body().contains("blocks"));
    }
}
