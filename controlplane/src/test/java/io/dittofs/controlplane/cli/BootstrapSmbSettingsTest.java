package io.dittofs.controlplane.cli;

import io.dittofs.controlplane.config.Config;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The {@code adapters.smb.*} config keys seed the smb adapter's settings, and explicit ones win on a restart. */
class BootstrapSmbSettingsTest {
    @TempDir
    Path dir;

    @Test
    void shouldSeedEverySmbSettingFromTheConfigOnFirstStart() {
        Config c = Config.load(dir.resolve("absent.yaml"), Map.of("DITTOFS_ADAPTERS_SMB_MAX_IO_SIZE", "1048576",
                "DITTOFS_ADAPTERS_SMB_LOGON_MAX_FAILURES", "3", "DITTOFS_ADAPTERS_SMB_ENCRYPTION", "required"), Map.of());
        Map<String, String> s = Bootstrap.smbSettings(c, Map.of(), false);
        assertEquals(Map.of("signing", "required", "encryption", "required", "min_dialect", "2.0.2", "max_dialect", "3.1.1",
                "max_io_size", "1048576", "large_io_buffers", "32", "logon_max_failures", "3",
                "logon_window_seconds", "60"), s);
    }

    @Test
    void shouldLetOnlyExplicitKeysOverrideSettingsChangedThroughTheApi() {
        Config c = Config.load(dir.resolve("absent.yaml"), Map.of("DITTOFS_ADAPTERS_SMB_LOGON_WINDOW_SECONDS", "300"),
                Map.of());
        Map<String, String> s = Bootstrap.smbSettings(c, Map.of("max_io_size", "65536", "logon_window_seconds", "30"),
                true);
        assertEquals("65536", s.get("max_io_size"), "kept: set through the API, not in the config");
        assertEquals("300", s.get("logon_window_seconds"), "the config says so explicitly");
        assertEquals("32", s.get("large_io_buffers"), "absent settings get the config's value");
    }
}
