package io.dittofs.controlplane.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dittofs.controlplane.config.ConfigFiles;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * The HTTP client of {@code dfsctl}: keeps the server URL and tokens in
 * {@code ~/.config/dfsctl/config.json} (mode 0600) and refreshes the access token once when the
 * server says it expired. Not thread-safe.
 */
final class ApiClient {
    static final ObjectMapper JSON = new ObjectMapper();

    /** An API or connection failure with the exit code dfsctl returns. */
    static final class Failure extends RuntimeException {
        final int exitCode;

        Failure(int exitCode, String message) {
            super(message);
            this.exitCode = exitCode;
        }
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final Path file;
    private ObjectNode state;

    ApiClient(Map<String, String> env) {
        String dir = env.get("DFSCTL_CONFIG_DIR");
        this.file = (dir != null && !dir.isBlank() ? Path.of(dir) : ConfigFiles.configHome(env).resolve("dfsctl"))
                .resolve("config.json");
        this.state = load(file);
    }

    private static ObjectNode load(Path f) {
        try {
            if (Files.isRegularFile(f)) {
                JsonNode n = JSON.readTree(f.toFile());
                if (n instanceof ObjectNode o) {
                    return o;
                }
            }
        } catch (IOException e) {
            // unreadable credentials: as if logged out
        }
        return JSON.createObjectNode();
    }

    Path file() {
        return file;
    }

    String server(String override) {
        if (override != null) {
            return override.replaceAll("/+$", "");
        }
        JsonNode s = state.get("server");
        return s == null ? "http://127.0.0.1:8080" : s.asText();
    }

    void save(String server, JsonNode tokens) throws IOException {
        ObjectNode n = JSON.createObjectNode();
        n.put("server", server);
        n.put("username", tokens.path("username").asText());
        n.put("access_token", tokens.path("access_token").asText());
        n.put("refresh_token", tokens.path("refresh_token").asText());
        Files.deleteIfExists(file);
        ConfigFiles.writePrivate(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(n));
        state = n;
    }

    void forget() throws IOException {
        Files.deleteIfExists(file);
        state = JSON.createObjectNode();
    }

    /** Calls the API; returns the parsed body (null for 204). */
    JsonNode call(String serverOverride, String method, String path, Object body) {
        String server = server(serverOverride);
        HttpResponse<String> r = send(server, method, path, body, token("access_token"));
        if (r.statusCode() == 401 && !path.startsWith("/api/v1/auth/") && token("refresh_token") != null) {
            HttpResponse<String> ref = send(server, "POST", "/api/v1/auth/refresh",
                    Map.of("refresh_token", token("refresh_token")), null);
            if (ref.statusCode() == 200) {
                try {
                    save(server, JSON.readTree(ref.body()));
                } catch (IOException e) {
                    throw new Failure(1, "cannot save refreshed tokens to " + file + ": " + e.getMessage());
                }
                r = send(server, method, path, body, token("access_token"));
            }
        }
        JsonNode json;
        try {
            json = r.body() == null || r.body().isEmpty() ? null : JSON.readTree(r.body());
        } catch (IOException e) {
            throw new Failure(1, "the server answered HTTP " + r.statusCode() + " with something that is not JSON");
        }
        if (r.statusCode() >= 400) {
            String msg = json != null && json.has("error") ? json.get("error").asText() : "HTTP " + r.statusCode();
            if (r.statusCode() == 401 && !path.startsWith("/api/v1/auth/")) {
                msg += " (run: dfsctl login)";
            }
            throw new Failure(r.statusCode() == 401 ? 3 : 1, msg + " (HTTP " + r.statusCode() + ")");
        }
        return json;
    }

    private String token(String name) {
        JsonNode t = state.get(name);
        return t == null || t.asText().isEmpty() ? null : t.asText();
    }

    private HttpResponse<String> send(String server, String method, String path, Object body, String token) {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server + path)).timeout(Duration.ofSeconds(60))
                    .header("Content-Type", "application/json")
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
            if (token != null) {
                b.header("Authorization", "Bearer " + token);
            }
            return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            throw new Failure(3, "cannot connect to " + server + " (is the server running? --server URL)");
        } catch (IOException | IllegalArgumentException e) {
            throw new Failure(3, "request to " + server + " failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failure(3, "interrupted");
        }
    }
}
