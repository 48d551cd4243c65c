package io.dittofs.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code docker/compose.yaml} (no Docker engine here, so it is checked, not run): its profiles,
 * pinned image tags and bind-mounted files, and, for every DittoFS container, the configuration
 * it receives (the Dockerfile's {@code ENV}, the service's {@code environment} with compose's
 * {@code ${VAR:-default}} resolved to the default, the mounted config file) validated by the
 * packaged server's {@code dfs config validate} and read back with {@code dfs config show}.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ComposeConfigIT {
    private static final Pattern INTERPOLATION = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?}");
    private final Path docker = E2eEnvironment.home().resolve("docker");

    @TempDir
    Path tmp;

    private JsonNode services() throws IOException {
        return new ObjectMapper(new YAMLFactory()).readTree(docker.resolve("compose.yaml").toFile()).path("services");
    }

    /** The services of the DittoFS image, by name. */
    private Map<String, JsonNode> servers() throws IOException {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        services().properties().forEach(e -> {
            if (e.getValue().path("image").asText().startsWith("dittofs:")) {
                out.put(e.getKey(), e.getValue());
            }
        });
        return out;
    }

    @Test
    void shouldOfferTheThreeBackendProfilesWithPrometheusAndGrafanaInEach() throws IOException {
        JsonNode s = services();
        Map<String, Set<String>> byProfile = new LinkedHashMap<>();
        s.properties().forEach(e -> e.getValue().path("profiles")
                .forEach(p -> byProfile.computeIfAbsent(p.asText(), k -> new HashSet<>()).add(e.getKey())));
        Map<String, JsonNode> servers = servers();
        for (String p : List.of("default", "s3-backend", "postgres-backend")) {
            long n = servers.values().stream().filter(v -> v.path("profiles").toString().contains("\"" + p + "\"")).count();
            assertEquals(1, n, "one DittoFS server in profile " + p + ": " + byProfile);
        }
        assertTrue(byProfile.get("s3-backend").contains("s3"), byProfile.toString());
        assertTrue(byProfile.get("postgres-backend").contains("postgres"), byProfile.toString());
        for (String always : List.of("prometheus", "grafana")) {
            assertTrue(s.path(always).path("profiles").isMissingNode(), always + " must run in every profile");
        }
        String grafana = s.path("grafana").path("volumes").toString();
        assertTrue(grafana.contains("./grafana/dashboards:") && grafana.contains("/etc/grafana/provisioning/dashboards/"),
                "Grafana provisions the dashboards: " + grafana);
    }

    @Test
    void shouldPinEveryImageTagAndMountOnlyFilesThatExist() throws IOException {
        services().properties().forEach(e -> {
            String image = e.getValue().path("image").asText();
            Matcher m = Pattern.compile("[^:]+:(.+)").matcher(image);
            assertTrue(m.matches(), e.getKey() + " has no image tag: " + image);
            assertFalse(m.group(1).equals("latest") || !m.group(1).matches(".*[0-9].*"),
                    e.getKey() + " image tag is not a pinned version: " + image);
            for (JsonNode v : e.getValue().path("volumes")) {
                String src = v.asText().split(":")[0];
                if (src.startsWith("./")) {
                    assertTrue(Files.exists(docker.resolve(src)), e.getKey() + " mounts missing " + src);
                }
            }
        });
    }

    @Test
    void shouldValidateTheConfigurationEveryServerContainerReceives() throws Exception {
        Map<String, JsonNode> servers = servers();
        assertEquals(3, servers.size(), servers.keySet().toString());
        for (Map.Entry<String, JsonNode> e : servers.entrySet()) {
            Map<String, String> env = containerEnvironment(e.getValue());
            Path config = mountedConfig(e.getValue(), env.get("DITTOFS_CONFIG"));
            Result ok = dfs(env, "config", "validate", "--config", config.toString());
            assertEquals(0, ok.code(), e.getKey() + ": " + ok.output());

            JsonNode keys = new ObjectMapper().readTree(dfs(env, "config", "show", "-o", "json", "--config",
                    config.toString()).output()).path("keys");
            for (Map.Entry<String, String> v : env.entrySet()) {
                keys.properties().stream().filter(k -> k.getValue().path("env").asText().equals(v.getKey())).forEach(k -> {
                    assertEquals("env", k.getValue().path("source").asText(), e.getKey() + " " + k.getKey());
                    if (!v.getValue().isEmpty() && !k.getValue().path("value").asText().contains("*")) {
                        assertEquals(v.getValue(), k.getValue().path("value").asText(), e.getKey() + " " + k.getKey());
                    }
                });
            }
            assertEquals("file", keys.path("metrics.enabled").path("source").asText(), e.getKey());
            assertEquals("true", keys.path("metrics.enabled").path("value").asText(), e.getKey());

            // the check sees the container's variables: a bad one is refused
            Map<String, String> bad = new LinkedHashMap<>(env);
            bad.put("DITTOFS_STORAGE_DEFAULT_BLOCKS", "tape");
            Result refused = dfs(bad, "config", "validate", "--config", config.toString());
            assertEquals(1, refused.code(), e.getKey() + ": " + refused.output());
            assertTrue(refused.output().contains("storage.default.blocks"), refused.output());
        }
        String s3 = servers.get("dittofs-s3").path("environment").toString();
        assertTrue(s3.contains("\"DITTOFS_STORAGE_DEFAULT_BLOCKS\":\"s3\""), s3);
        String pg = servers.get("dittofs-postgres").path("environment").toString();
        assertTrue(pg.contains("\"DITTOFS_DATABASE_TYPE\":\"postgres\"")
                && pg.contains("\"DITTOFS_STORAGE_DEFAULT_METADATA\":\"postgres\""), pg);
    }

    /** The Dockerfile's final-stage {@code ENV}, then the service's environment (interpolated with defaults). */
    private Map<String, String> containerEnvironment(JsonNode service) throws IOException {
        Map<String, String> env = new LinkedHashMap<>();
        List<String> lines = Files.readAllLines(docker.resolve("Dockerfile"), StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith("ENV ")) {
                StringBuilder sb = new StringBuilder(lines.get(i).substring(4));
                while (sb.toString().stripTrailing().endsWith("\\") && i + 1 < lines.size()) {
                    sb.setLength(sb.toString().stripTrailing().length() - 1);
                    sb.append(' ').append(lines.get(++i));
                }
                for (String kv : sb.toString().trim().split("\\s+")) {
                    int eq = kv.indexOf('=');
                    env.put(kv.substring(0, eq), kv.substring(eq + 1));
                }
            }
        }
        service.path("environment").properties().forEach(v -> {
            Matcher m = INTERPOLATION.matcher(v.getValue().asText());
            env.put(v.getKey(), m.replaceAll(r -> Matcher.quoteReplacement(r.group(2) == null ? "" : r.group(2))));
        });
        return env;
    }

    /** The host file bind-mounted at {@code target}. */
    private Path mountedConfig(JsonNode service, String target) {
        for (JsonNode v : service.path("volumes")) {
            String[] parts = v.asText().split(":");
            if (parts.length >= 2 && parts[1].equals(target)) {
                Path p = docker.resolve(parts[0]).normalize();
                assertTrue(Files.isRegularFile(p), "missing " + p);
                return p;
            }
        }
        throw new AssertionError("no file is mounted at DITTOFS_CONFIG=" + target);
    }

    record Result(int code, String output) {
    }

    /** Runs the packaged {@code dfs} with exactly {@code env} (plus PATH and a scratch HOME). */
    private Result dfs(Map<String, String> env, String... args) throws Exception {
        Path target = E2eEnvironment.home().resolve("controlplane/target");
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
                "@" + target.resolve("jvm.options"), "-jar", target.resolve("dittofs.jar").toString()));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile(tmp, "dfs", ".out");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(false).redirectOutput(out.toFile())
                .redirectError(ProcessBuilder.Redirect.appendTo(out.toFile()));
        pb.environment().clear();
        pb.environment().put("PATH", "/usr/bin:/bin");
        pb.environment().put("HOME", Files.createDirectories(tmp.resolve("home")).toString());
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(cmd + " did not finish");
        }
        String text = Files.readString(out);
        Files.delete(out);
        return new Result(p.exitValue(), text);
    }
}
