package io.dittofs.controlplane.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigTest {
    @TempDir
    Path dir;

    @Test
    void shouldUseDefaultsWithoutFileOrEnv() {
        Config c = Config.load(dir.resolve("missing.yaml"), Map.of(), Map.of());
        assertTrue(c.problems().isEmpty(), c.problems().toString());
        assertEquals(12049, c.getInt(ConfigKey.ADAPTERS_NFS_PORT));
        assertEquals(Duration.ofMinutes(15), c.getDuration(ConfigKey.CONTROLPLANE_JWT_ACCESS_TOKEN_DURATION));
        assertEquals(Duration.ofHours(168), c.getDuration(ConfigKey.CONTROLPLANE_JWT_REFRESH_TOKEN_DURATION));
        assertEquals("sqlite", c.get(ConfigKey.DATABASE_TYPE));
        assertEquals(Config.Source.DEFAULT, c.source(ConfigKey.LOGGING_LEVEL));
    }

    @Test
    void shouldLetEnvOverrideFileAndCommandLineOverrideEnv() throws Exception {
        Path f = dir.resolve("config.yaml");
        Files.writeString(f, "logging:\n  level: DEBUG\n  format: json\nadapters:\n  nfs:\n    port: 2049\n");
        Config c = Config.load(f, Map.of("DITTOFS_LOGGING_LEVEL", "WARN", "DITTOFS_ADAPTERS_NFS_PORT", "3049"),
                Map.of(ConfigKey.ADAPTERS_NFS_PORT, "4049"));
        assertTrue(c.problems().isEmpty(), c.problems().toString());
        assertEquals("WARN", c.get(ConfigKey.LOGGING_LEVEL));
        assertEquals(Config.Source.ENV, c.source(ConfigKey.LOGGING_LEVEL));
        assertEquals("json", c.get(ConfigKey.LOGGING_FORMAT));
        assertEquals(Config.Source.FILE, c.source(ConfigKey.LOGGING_FORMAT));
        assertEquals(4049, c.getInt(ConfigKey.ADAPTERS_NFS_PORT));
    }

    @Test
    void shouldMapEverySeedVariable() {
        for (String v : new String[] {"DITTOFS_LOGGING_LEVEL", "DITTOFS_LOGGING_FORMAT", "DITTOFS_LOGGING_OUTPUT",
            "DITTOFS_SERVER_SHUTDOWN_TIMEOUT", "DITTOFS_SERVER_RATE_LIMITING_ENABLED", "DITTOFS_ADAPTERS_NFS_PORT",
            "DITTOFS_ADAPTERS_SMB_PORT", "DITTOFS_METRICS_ENABLED", "DITTOFS_METRICS_PORT", "DITTOFS_TELEMETRY_ENABLED",
            "DITTOFS_TELEMETRY_ENDPOINT", "DITTOFS_TELEMETRY_INSECURE", "DITTOFS_TELEMETRY_PROFILING_ENABLED",
            "DITTOFS_TELEMETRY_PROFILING_ENDPOINT", "DITTOFS_CONTROLPLANE_PORT", "DITTOFS_CONTROLPLANE_SECRET",
            "DITTOFS_CONTROLPLANE_JWT_ACCESS_TOKEN_DURATION", "DITTOFS_CONTROLPLANE_JWT_REFRESH_TOKEN_DURATION",
            "DITTOFS_DATABASE_TYPE", "DITTOFS_DATABASE_SQLITE_PATH", "DITTOFS_DATABASE_POSTGRES_HOST",
            "DITTOFS_DATABASE_POSTGRES_PORT", "DITTOFS_DATABASE_POSTGRES_USER", "DITTOFS_DATABASE_POSTGRES_PASSWORD",
            "DITTOFS_DATABASE_POSTGRES_DBNAME", "DITTOFS_DATABASE_AUTO_MIGRATE", "DITTOFS_CACHE_PATH"}) {
            boolean found = false;
            for (ConfigKey k : ConfigKey.values()) {
                found |= k.envVar().equals(v);
            }
            assertTrue(found, v);
        }
    }

    @Test
    void shouldReportEveryInvalidKey() throws Exception {
        Path f = dir.resolve("config.yaml");
        Files.writeString(f, "logging:\n  level: LOUD\n  colour: red\nadapters:\n  nfs:\n    port: 70000\n"
                + "controlplane:\n  secret: short\n  jwt:\n    access_token_duration: soon\n");
        Config c = Config.load(f, Map.of("DITTOFS_DATABASE_TYPE", "oracle", "DITTOFS_DATABASE_AUTO_MIGRATE", "yes"), Map.of());
        String all = String.join("\n", c.problems());
        assertEquals(7, c.problems().size(), all);
        assertTrue(all.contains("logging.level"), all);
        assertTrue(all.contains("logging.colour: unknown key"), all);
        assertTrue(all.contains("adapters.nfs.port") && all.contains("70000"), all);
        assertTrue(all.contains("controlplane.secret") && all.contains("at least 32"), all);
        assertFalse(all.contains("short"), "the secret itself is never shown: " + all);
        assertTrue(all.contains("access_token_duration"), all);
        assertTrue(all.contains("DITTOFS_DATABASE_TYPE") && all.contains("oracle"), all);
        assertTrue(all.contains("DITTOFS_DATABASE_AUTO_MIGRATE"), all);
    }

    @Test
    void shouldReportBrokenYaml() throws Exception {
        Path f = dir.resolve("config.yaml");
        Files.writeString(f, "logging: [unclosed\n");
        assertEquals(1, Config.load(f, Map.of(), Map.of()).problems().size());
    }

    @Test
    void shouldParseDurations() {
        assertEquals(Duration.ofSeconds(30), Config.parseDuration("30"));
        assertEquals(Duration.ofMinutes(90), Config.parseDuration("1h30m"));
        assertEquals(Duration.ofMillis(500), Config.parseDuration("500ms"));
        assertNull(Config.parseDuration("1x"));
        assertNull(Config.parseDuration("h"));
        assertNull(Config.parseDuration(""));
    }

    @Test
    void shouldWriteADefaultFileThatValidatesAndRoundTrips() throws Exception {
        Path f = dir.resolve("config.yaml");
        String secret = ConfigFiles.randomSecret();
        ConfigFiles.writePrivate(f, ConfigFiles.defaultYaml(secret));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
        Config c = Config.load(f, Map.of(), Map.of());
        assertTrue(c.problems().isEmpty(), c.problems() + "\n" + Files.readString(f));
        assertEquals(secret, c.get(ConfigKey.CONTROLPLANE_SECRET));
        for (ConfigKey k : ConfigKey.values()) {
            assertEquals(k == ConfigKey.CONTROLPLANE_SECRET ? Config.Source.FILE : Config.Source.DEFAULT, c.source(k), k.path());
        }
        String text = Files.readString(f);
        assertTrue(text.contains("# port: \"12049\""), text);
        // uncommenting a key makes it take effect
        Files.writeString(f, text.replace("# port: \"12049\"", "port: \"2049\""));
        Config edited = Config.load(f, Map.of(), Map.of());
        assertTrue(edited.problems().isEmpty(), edited.problems().toString());
        assertEquals(2049, edited.getInt(ConfigKey.ADAPTERS_NFS_PORT));
    }

    @Test
    void shouldGenerateAndKeepASecretWhenNoneIsConfigured() throws Exception {
        Config c = Config.load(null, Map.of(), Map.of());
        String s1 = ConfigFiles.resolveSecret(c, dir);
        String s2 = ConfigFiles.resolveSecret(c, dir);
        assertEquals(s1, s2);
        assertTrue(s1.length() >= 32);
        Path f = dir.resolve(ConfigFiles.SECRET_FILE);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
    }

    @Test
    void shouldRefuseAShortSecret() {
        Config c = Config.load(null, Map.of("DITTOFS_CONTROLPLANE_SECRET", "x".repeat(31)), Map.of());
        assertFalse(c.problems().isEmpty());
        assertThrows(IllegalStateException.class, () -> ConfigFiles.resolveSecret(c, dir));
    }
}
