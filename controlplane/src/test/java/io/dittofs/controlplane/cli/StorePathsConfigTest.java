package io.dittofs.controlplane.cli;

import io.dittofs.controlplane.config.Config;
import io.dittofs.controlplane.model.StoreDef;
import io.dittofs.controlplane.runtime.StorePaths;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Where the server lets the API put store directories: storage.allowed_root, else the data directory and cache.path. */
class StorePathsConfigTest {
    @TempDir
    Path dir;

    private StorePaths paths(Map<String, String> env) {
        Config c = Config.load(dir.resolve("absent.yaml"), env, Map.of());
        assertTrue(c.problems().isEmpty(), c.problems().toString());
        return ServerStart.storePaths(c, dir.resolve("data"), env);
    }

    private static StoreDef fs(String path) {
        return new StoreDef("b", "block", "fs", Map.of("path", path));
    }

    @Test
    void shouldAllowOnlyTheDataDirectoryByDefault() {
        StorePaths p = paths(Map.of());
        assertEquals(List.of(dir.resolve("data")), p.roots());
        p.check(fs(dir.resolve("data/blocks").toString()));
        assertThrows(IllegalArgumentException.class, () -> p.check(fs("/etc")));
        assertThrows(IllegalArgumentException.class, () -> p.check(fs(dir.resolve("other").toString())));
    }

    @Test
    void shouldAlsoAllowTheConfiguredCachePath() {
        StorePaths p = paths(Map.of("DITTOFS_CACHE_PATH", dir.resolve("fast").toString()));
        p.check(new StoreDef("b", "block", "fs", Map.of("path", dir.resolve("data/b").toString(),
                "cache", dir.resolve("fast/b").toString())));
    }

    @Test
    void shouldUseTheConfiguredAllowedRootInstead() {
        StorePaths p = paths(Map.of("DITTOFS_STORAGE_ALLOWED_ROOT", dir.resolve("srv").toString()));
        p.check(fs(dir.resolve("srv/blocks").toString()));
        assertThrows(IllegalArgumentException.class, () -> p.check(fs(dir.resolve("data/blocks").toString())));
        Config bad = Config.load(dir.resolve("absent.yaml"), Map.of("DITTOFS_STORAGE_ALLOWED_ROOT", "relative/dir"), Map.of());
        assertFalse(bad.problems().isEmpty(), "a relative allowed root is refused");
    }
}
