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
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** First start seeds the default share on the stores {@code storage.default.*} names (what compose profiles use). */
class BootstrapStoresTest {
    @TempDir
    Path dir;

    private Map<String, StoreDef> seed(Map<String, String> env) throws Exception {
        Config c = Config.load(dir.resolve("absent.yaml"), env, Map.of());
        assertTrue(c.problems().isEmpty(), c.problems().toString());
        try (ControlPlaneStore db = Databases.open(c, dir.resolve("state"), env)) {
            Bootstrap.seed(db, c, dir.resolve("data"), "/export", true, env, new PrintStream(OutputStream.nullOutputStream()));
            return Map.of("meta", db.store("metadata", "default-meta").orElseThrow(),
                    "blocks", db.store("block", "default-blocks").orElseThrow());
        }
    }

    @Test
    void shouldSeedLmdbAndLocalFilesByDefault() throws Exception {
        Map<String, StoreDef> s = seed(Map.of());
        assertEquals("lmdb", s.get("meta").type());
        assertEquals("fs", s.get("blocks").type());
        assertFalse(s.get("blocks").config().containsKey("cache"), "local files are written in place, no WAL by default");
    }

    @Test
    void shouldPutLocalFilesBehindTheWalWhenCachePathIsSet() throws Exception {
        Map<String, StoreDef> s = seed(Map.of("DITTOFS_CACHE_PATH", dir.resolve("wal").toString()));
        assertEquals(dir.resolve("wal/default").toAbsolutePath().toString(), s.get("blocks").config().get("cache"));
    }

    @Test
    void shouldSeedPostgresMetadataAndS3BlocksWhenConfigured() throws Exception {
        Map<String, StoreDef> s = seed(Map.of("DITTOFS_STORAGE_DEFAULT_METADATA", "postgres",
                "DITTOFS_DATABASE_POSTGRES_HOST", "postgres", "DITTOFS_DATABASE_POSTGRES_PASSWORD", "pw",
                "DITTOFS_STORAGE_DEFAULT_BLOCKS", "s3", "DITTOFS_STORAGE_DEFAULT_S3_BUCKET", "b1",
                "DITTOFS_STORAGE_DEFAULT_S3_ENDPOINT", "http://s3:9090",
                "DITTOFS_STORAGE_DEFAULT_S3_ACCESS_KEY", "ak", "DITTOFS_STORAGE_DEFAULT_S3_SECRET_KEY", "sk"));
        StoreDef meta = s.get("meta");
        assertEquals("postgres", meta.type());
        assertEquals("jdbc:postgresql://postgres:5432/dittofs", meta.config().get("url"));
        assertEquals("dittofs", meta.config().get("user"));
        assertEquals("pw", meta.config().get("password"));
        StoreDef blocks = s.get("blocks");
        assertEquals("s3", blocks.type());
        assertEquals("b1", blocks.config().get("bucket"));
        assertEquals("http://s3:9090", blocks.config().get("endpoint"));
        assertEquals("us-east-1", blocks.config().get("region"));
        assertEquals("ak", blocks.config().get("access_key"));
        assertEquals("sk", blocks.config().get("secret_key"));
        assertFalse(blocks.config().containsKey("prefix"));
        assertTrue(blocks.config().get("cache").endsWith("cache/default"));
    }
}
