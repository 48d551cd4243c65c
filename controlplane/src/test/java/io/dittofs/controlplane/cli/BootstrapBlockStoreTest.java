package io.dittofs.controlplane.cli;

import io.dittofs.controlplane.config.Config;
import io.dittofs.controlplane.model.StoreDef;
import io.dittofs.controlplane.store.ControlPlaneStore;
import io.dittofs.controlplane.store.Databases;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The default share's block store made at first start: local files written in place, a WAL only when cache.path asks. */
class BootstrapBlockStoreTest {
    @TempDir
    Path dir;

    private Map<String, String> seed(Map<String, String> env) throws Exception {
        Map<String, String> all = new java.util.HashMap<>(env);
        all.put("DITTOFS_ADMIN_INITIAL_PASSWORD", "initial-password-1");
        Config c = Config.load(dir.resolve("absent.yaml"), all, Map.of());
        try (ControlPlaneStore db = Databases.open(c, dir.resolve("state"), all)) {
            Bootstrap.seed(db, c, dir.resolve("data"), "/export", true, all, new PrintStream(OutputStream.nullOutputStream()));
            StoreDef blocks = db.store("block", "default-blocks").orElseThrow();
            assertEquals("fs", blocks.type());
            return blocks.config();
        }
    }

    @Test
    void shouldWriteInPlaceWithoutWalWhenCachePathIsUnset() throws Exception {
        assertEquals(Map.of("path", dir.resolve("data").resolve("blocks").resolve("default").toAbsolutePath().toString()),
                seed(Map.of()));
    }

    @Test
    void shouldPutWalInFrontWhenCachePathIsSet() throws Exception {
        Map<String, String> config = seed(Map.of("DITTOFS_CACHE_PATH", dir.resolve("fast").toString()));
        assertEquals(dir.resolve("fast").resolve("default").toAbsolutePath().toString(), config.get("cache"));
    }
}
