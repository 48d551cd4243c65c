package io.dittofs.controlplane.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.dittofs.controlplane.model.Role;
import io.dittofs.controlplane.model.User;
import io.dittofs.controlplane.store.ControlPlaneStore;
import io.dittofs.controlplane.store.StoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The control-plane REST API on the JDK {@link HttpServer}, one virtual thread per request.
 * Owns request plumbing: routing, bearer-token authentication, role checks, the forced password
 * change, body size limits, JSON in and out, and the one mapping of failures to HTTP statuses.
 * The endpoints live in {@link Endpoints}. Thread-safe.
 */
public final class ApiServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);
    /** Request bodies larger than this get 413. */
    static final int MAX_BODY = 64 * 1024;
    static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    /** One request: its path parameters, body, caller. Not thread-safe. */
    static final class Request {
        final HttpExchange ex;
        final Map<String, String> params;
        final String client;
        User user;
        private Body body;

        Request(HttpExchange ex, Map<String, String> params) {
            this.ex = ex;
            this.params = params;
            this.client = ex.getRemoteAddress().getAddress().getHostAddress();
        }

        String param(String name) {
            return params.get(name);
        }

        Body body() throws IOException {
            if (body == null) {
                body = new Body(readBody(ex));
            }
            return body;
        }
    }

    /** A handler returns the response body (a map, list or {@link Reply}). */
    @FunctionalInterface
    interface Handler {
        Object handle(Request r) throws IOException;
    }

    /** A response with a status other than 200. */
    record Reply(int status, Object body) {
    }

    /**
     * @param minRole null: no authentication; otherwise the least role allowed
     * @param duringPasswordChange allowed while the user must still change its password
     */
    record Route(String method, String[] pattern, Role minRole, boolean duringPasswordChange, Handler handler) {
    }

    private final List<Route> routes = new ArrayList<>();
    private final Tokens tokens;
    private final ControlPlaneStore db;
    private final HttpServer http;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();

    private ApiServer(Tokens tokens, ControlPlaneStore db, HttpServer http) {
        this.tokens = tokens;
        this.db = db;
        this.http = http;
    }

    /** Starts serving {@code endpoints} on {@code bind:port} (port 0: any free port). */
    public static ApiServer start(String bind, int port, Tokens tokens, ControlPlaneStore db, Endpoints endpoints)
            throws IOException {
        HttpServer http = HttpServer.create(new InetSocketAddress(bind, port), 256);
        ApiServer s = new ApiServer(tokens, db, http);
        endpoints.register(s);
        http.setExecutor(s.executor);
        http.createContext("/", s::handle);
        http.start();
        return s;
    }

    void route(String method, String path, Role minRole, boolean duringPasswordChange, Handler h) {
        routes.add(new Route(method, split(path), minRole, duringPasswordChange, h));
    }

    void route(String method, String path, Role minRole, Handler h) {
        route(method, path, minRole, false, h);
    }

    public int port() {
        return http.getAddress().getPort();
    }

    private static String[] split(String path) {
        String p = path.startsWith("/") ? path.substring(1) : path;
        return p.isEmpty() ? new String[0] : p.split("/", -1);
    }

    private void handle(HttpExchange ex) throws IOException {
        int status = 500;
        try (ex) {
            Object out;
            try {
                out = dispatch(ex);
                status = out instanceof Reply r ? r.status() : 200;
                out = out instanceof Reply r ? r.body() : out;
            } catch (ApiException e) {
                status = e.status();
                out = error(e.getMessage());
                if (status == 429 && e.getMessage().startsWith("retry after ")) {
                    ex.getResponseHeaders().set("Retry-After", e.getMessage().substring(12).split(" ")[0]);
                }
            } catch (StoreException e) {
                status = switch (e.kind()) {
                    case NOT_FOUND -> 404;
                    case CONFLICT -> 409;
                    case DATABASE -> 500;
                };
                if (status == 500) {
                    LOG.error("{} {}: {}", ex.getRequestMethod(), ex.getRequestURI().getRawPath(), e.getMessage(), e);
                }
                out = error(status == 500 ? "database error" : e.getMessage());
            } catch (io.dittofs.core.FsException e) {
                status = 400;
                out = error("cannot open the store: " + e.getMessage());
            } catch (IllegalArgumentException e) {
                status = 400;
                out = error(e.getMessage());
            } catch (IOException | RuntimeException e) {
                LOG.error("{} {} failed", ex.getRequestMethod(), ex.getRequestURI().getRawPath(), e);
                status = 500;
                out = error("internal error");
            }
            byte[] bytes = out == null ? new byte[0] : JSON.writeValueAsBytes(out);
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.getResponseHeaders().set("Cache-Control", "no-store");
            ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
            if (bytes.length > 0) {
                try (OutputStream os = ex.getResponseBody()) {
                    os.write(bytes);
                }
            }
        } finally {
            LOG.debug("{} {} -> {}", ex.getRequestMethod(), ex.getRequestURI().getRawPath(), status);
        }
    }

    private static Map<String, String> error(String message) {
        return Map.of("error", message == null ? "error" : message);
    }

    private Object dispatch(HttpExchange ex) throws IOException {
        URI uri = ex.getRequestURI();
        String raw = uri.getRawPath();
        if (raw.length() > 2048) {
            throw new ApiException(414, "path too long");
        }
        String[] segs = split(raw.endsWith("/") && raw.length() > 1 ? raw.substring(0, raw.length() - 1) : raw);
        for (int i = 0; i < segs.length; i++) {
            segs[i] = decode(segs[i]);
        }
        boolean pathMatched = false;
        for (Route rt : routes) {
            Map<String, String> params = match(rt.pattern(), segs);
            if (params == null) {
                continue;
            }
            pathMatched = true;
            if (!rt.method().equals(ex.getRequestMethod())) {
                continue;
            }
            Request r = new Request(ex, params);
            if (rt.minRole() != null) {
                authenticate(r);
                if (r.user.mustChangePassword() && !rt.duringPasswordChange()) {
                    throw ApiException.forbidden("password change required: POST /api/v1/users/me/password first");
                }
                if (!r.user.role().atLeast(rt.minRole())) {
                    throw ApiException.forbidden("requires role " + rt.minRole().wire());
                }
            }
            return rt.handler().handle(r);
        }
        throw pathMatched ? new ApiException(405, "method not allowed") : ApiException.notFound("no such endpoint");
    }

    private static String decode(String seg) {
        try {
            return java.net.URLDecoder.decode(seg.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("malformed path");
        }
    }

    private static Map<String, String> match(String[] pattern, String[] segs) {
        if (pattern.length != segs.length) {
            return null;
        }
        Map<String, String> params = new HashMap<>();
        for (int i = 0; i < pattern.length; i++) {
            String p = pattern[i];
            if (p.startsWith("{")) {
                params.put(p.substring(1, p.length() - 1), segs[i]);
            } else if (!p.equals(segs[i])) {
                return null;
            }
        }
        return params;
    }

    private void authenticate(Request r) {
        String h = r.ex.getRequestHeaders().getFirst("Authorization");
        if (h == null || !h.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw new ApiException(401, "missing bearer token");
        }
        Tokens.Verified v = tokens.verifyAccess(h.substring(7).strip());
        if (v == null) {
            throw new ApiException(401, "invalid or expired token");
        }
        User u = db.user(v.username()).orElse(null);
        if (u == null || !u.enabled() || !v.currentFor(u.passwordHash())) {
            throw new ApiException(401, "invalid or expired token");
        }
        r.user = u;
    }

    static ObjectNode readBody(HttpExchange ex) throws IOException {
        String len = ex.getRequestHeaders().getFirst("Content-Length");
        if (len != null) {
            try {
                if (Long.parseLong(len.strip()) > MAX_BODY) {
                    throw new ApiException(413, "request body larger than " + MAX_BODY + " bytes");
                }
            } catch (NumberFormatException e) {
                throw ApiException.badRequest("bad Content-Length");
            }
        }
        byte[] data;
        try (InputStream in = ex.getRequestBody()) {
            data = in.readNBytes(MAX_BODY + 1);
        }
        if (data.length > MAX_BODY) {
            throw new ApiException(413, "request body larger than " + MAX_BODY + " bytes");
        }
        if (data.length == 0) {
            throw ApiException.badRequest("a JSON object body is required");
        }
        JsonNode n;
        try {
            n = JSON.readTree(data);
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest("malformed JSON");
        }
        if (n == null || !n.isObject()) {
            throw ApiException.badRequest("the body must be a JSON object");
        }
        return (ObjectNode) n;
    }

    /** A JSON object in insertion order. */
    static Map<String, Object> obj(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    @Override
    public void close() {
        http.stop(1);
        executor.shutdownNow();
    }
}
