package io.dittofs.controlplane.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LoggingSetupTest {
    @TempDir
    Path dir;

    @AfterEach
    void restore() {
        LoggingSetup.apply("INFO", "text", "stdout");
    }

    @Test
    void shouldWriteOneJsonObjectPerLineToAFileAtTheGivenLevel() throws Exception {
        Path f = dir.resolve("dfs.log");
        LoggingSetup.apply("WARN", "json", f.toString());
        LoggerFactory.getLogger("test").info("hidden below WARN");
        LoggerFactory.getLogger("test").warn("visible {}", 42);
        List<String> lines = Files.readAllLines(f);
        assertEquals(1, lines.size(), lines.toString());
        JsonNode n = new ObjectMapper().readTree(lines.getFirst());
        assertEquals("WARN", n.get("level").asText());
        assertEquals("visible 42", n.get("formattedMessage").asText());
    }

    @Test
    void shouldWriteTextToAFile() throws Exception {
        Path f = dir.resolve("dfs.log");
        LoggingSetup.apply("DEBUG", "text", f.toString());
        LoggerFactory.getLogger("test").debug("plain line");
        String s = Files.readString(f);
        assertTrue(s.contains("DEBUG") && s.contains("plain line"), s);
        assertFalse(s.startsWith("{"), s);
    }
}
