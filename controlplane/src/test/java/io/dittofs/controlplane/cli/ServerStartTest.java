package io.dittofs.controlplane.cli;

import io.dittofs.controlplane.config.Config;
import io.dittofs.controlplane.config.ConfigKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ServerStartTest {
    @TempDir
    Path dir;

    private Config load(Map<String, String> env, Map<ConfigKey, String> commandLine) {
        return Config.load(dir.resolve("absent.yaml"), env, commandLine);
    }

    @Test
    void shouldKeepTheApiLocalWhenTheAdaptersWereBoundToLoopback() {
        assertEquals("127.0.0.1", ServerStart.apiBindAddress(load(Map.of(), Map.of(ConfigKey.ADAPTERS_NFS_BIND, "127.0.0.1"))));
        assertEquals("127.0.0.1", ServerStart.apiBindAddress(load(Map.of("DITTOFS_ADAPTERS_NFS_BIND", "127.0.0.1"), Map.of())));
    }

    @Test
    void shouldPreferAnExplicitApiBindAndDefaultToAllInterfaces() {
        assertEquals("0.0.0.0", ServerStart.apiBindAddress(load(Map.of("DITTOFS_CONTROLPLANE_BIND", "0.0.0.0"),
                Map.of(ConfigKey.ADAPTERS_NFS_BIND, "127.0.0.1"))));
        assertEquals("0.0.0.0", ServerStart.apiBindAddress(load(Map.of(), Map.of())));
    }
}
