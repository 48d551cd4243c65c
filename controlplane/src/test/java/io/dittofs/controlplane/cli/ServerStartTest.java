package io.dittofs.controlplane.cli;

import io.dittofs.controlplane.config.Config;
import io.dittofs.controlplane.config.ConfigKey;
import io.dittofs.controlplane.model.Permission;
import io.dittofs.controlplane.model.ShareDef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ServerStartTest {
    @TempDir
    Path dir;

    private Config load(Map<String, String> env, Map<ConfigKey, String> commandLine) {
        return Config.load(dir.resolve("absent.yaml"), env, commandLine);
    }

    @Test
    void shouldKeepTheApiOnLoopbackByDefaultEvenWhenNfsListensEverywhere() {
        assertEquals("127.0.0.1", ServerStart.apiBindAddress(load(Map.of(), Map.of())));
        assertEquals("127.0.0.1", ServerStart.apiBindAddress(load(Map.of(), Map.of(ConfigKey.ADAPTERS_NFS_BIND, "0.0.0.0"))));
        assertEquals("0.0.0.0", load(Map.of(), Map.of()).get(ConfigKey.ADAPTERS_NFS_BIND), "NFS still serves every address");
    }

    @Test
    void shouldOpenTheApiOnlyThroughControlplaneBind() {
        assertEquals("0.0.0.0", ServerStart.apiBindAddress(load(Map.of("DITTOFS_CONTROLPLANE_BIND", "0.0.0.0"),
                Map.of(ConfigKey.ADAPTERS_NFS_BIND, "127.0.0.1"))));
        assertEquals("192.0.2.7", ServerStart.apiBindAddress(load(Map.of(), Map.of(ConfigKey.CONTROLPLANE_BIND, "192.0.2.7"))));
    }

    @Test
    void shouldWarnOnlyAboutReadWriteSharesOpenToEveryAddressWithoutRootSquash() {
        ShareDef open = new ShareDef(1, "/open", "m", "b", false, Permission.READ_WRITE, true, false);
        ShareDef squashed = new ShareDef(2, "/sq", "m", "b", false, Permission.READ_WRITE, true, true);
        ShareDef readOnly = new ShareDef(3, "/ro", "m", "b", true, Permission.READ_WRITE, true, false);
        ShareDef limited = new ShareDef(4, "/lan", "m", "b", false, Permission.READ_WRITE, true, false,
                65534, 65534, false, List.of("10.0.0.0/8"));
        ShareDef disabled = new ShareDef(5, "/off", "m", "b", false, Permission.READ_WRITE, false, false);
        assertEquals(List.of("/open"), ServerStart.openRootShares(List.of(open, squashed, readOnly, limited, disabled)));
    }

    @Test
    void shouldSquashRootOnTheDefaultShareUnlessToldNotTo() {
        ServerStart dflt = new ServerStart();
        new CommandLine(dflt).parseArgs();
        assertTrue(dflt.rootSquash);
        ServerStart off = new ServerStart();
        new CommandLine(off).parseArgs("--no-root-squash");
        assertFalse(off.rootSquash);
    }
}
