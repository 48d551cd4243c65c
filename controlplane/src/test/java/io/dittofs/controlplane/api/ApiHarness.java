package io.dittofs.controlplane.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.dittofs.controlplane.model.AdapterDef;
import io.dittofs.controlplane.model.Role;
import io.dittofs.controlplane.model.User;
import io.dittofs.controlplane.runtime.ServerRuntime;
import io.dittofs.controlplane.runtime.StorePaths;
import io.dittofs.controlplane.store.ControlPlaneStore;
import io.dittofs.controlplane.store.Databases;
import io.dittofs.controlplane.store.JdbcControlPlaneStore;
import io.dittofs.protocols.rpc.RpcServer;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/** The API in-process on SQLite, with an admin whose password is {@link #ADMIN_PW} (already changed). */
final class ApiHarness implements AutoCloseable {
    static final String SECRET = "0123456789abcdef0123456789abcdef-test";
    static final String ADMIN_PW = "admin-password-1";

    final ControlPlaneStore db;
    final ServerRuntime runtime;
    final ApiServer api;
    final Tokens tokens;
    final HttpClient http = HttpClient.newHttpClient();

    record Res(int status, String body) {
        JsonNode json() {
            try {
                return ApiServer.JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + body, e);
            }
        }
    }

    ApiHarness(Path dir, boolean rateLimit) throws IOException {
        this(dir, rateLimit, true);
    }

    /** @param fresh false: reopen the database of an earlier harness in {@code dir} (a restart) */
    ApiHarness(Path dir, boolean rateLimit, boolean fresh) throws IOException {
        HikariConfig hc = new HikariConfig();
        Databases.sqlite(hc, dir.resolve("db.sqlite"));
        HikariDataSource ds = new HikariDataSource(hc);
        db = new JdbcControlPlaneStore(ds, true, ds);
        if (fresh) {
            db.createUser(new User("admin", Role.ADMIN, null, null, true, false, Passwords.hash(ADMIN_PW), Passwords.ntHash(ADMIN_PW)));
            db.putAdapter(new AdapterDef("smb", false, 12445, Map.of()));
        }
        db.putAdapter(new AdapterDef("nfs", true, freePort(), Map.of()));
        runtime = new ServerRuntime(db, "127.0.0.1", -1, RpcServer.Options.defaults().withDrainTimeoutMillis(100));
        runtime.start();
        tokens = new Tokens(SECRET, Duration.ofMinutes(15), Duration.ofHours(168));
        api = ApiServer.start("127.0.0.1", 0, tokens, db, new Endpoints(db, runtime, tokens, rateLimit,
                StorePaths.under(java.util.List.of(dir))));
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    Res call(String method, String path, String token, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Res(r.statusCode(), r.body());
    }

    String login(String user, String pw) throws Exception {
        Res r = call("POST", "/api/v1/auth/login", null, "{\"username\":\"" + user + "\",\"password\":\"" + pw + "\"}");
        if (r.status() != 200) {
            throw new AssertionError("login " + user + ": " + r);
        }
        return r.json().get("access_token").asText();
    }

    String admin() throws Exception {
        return login("admin", ADMIN_PW);
    }

    @Override
    public void close() {
        api.close();
        runtime.close();
        db.close();
    }
}
