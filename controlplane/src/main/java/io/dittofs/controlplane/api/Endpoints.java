package io.dittofs.controlplane.api;

import io.dittofs.controlplane.model.Group;
import io.dittofs.controlplane.model.Role;
import io.dittofs.controlplane.model.User;
import io.dittofs.controlplane.runtime.ServerRuntime;
import io.dittofs.controlplane.runtime.StorePaths;
import io.dittofs.controlplane.store.ControlPlaneStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.dittofs.controlplane.api.ApiServer.obj;

/**
 * Health, authentication, users and groups; registers {@link ShareEndpoints} and
 * {@link AdminEndpoints} too. Thread-safe (state lives in the database and the runtime).
 */
public final class Endpoints {
    private static final Logger LOG = LoggerFactory.getLogger(Endpoints.class);
    static final String V1 = "/api/v1";

    final ControlPlaneStore db;
    final ServerRuntime runtime;
    final Tokens tokens;
    final LoginLimiter limiter;
    /** Login attempts per client address and minute (failed ones, and those still being checked). */
    static final int MAX_LOGINS_PER_CLIENT = 10;
    /** Login attempts per username and minute, over all addresses together. */
    static final int MAX_LOGINS_PER_USER = 30;

    final StorePaths storePaths;

    /**
     * @param storePaths where fs/lmdb store directories and WAL caches may be created
     */
    public Endpoints(ControlPlaneStore db, ServerRuntime runtime, Tokens tokens, boolean rateLimit, StorePaths storePaths) {
        this.db = db;
        this.storePaths = storePaths;
        this.runtime = runtime;
        this.tokens = tokens;
        this.limiter = new LoginLimiter(rateLimit, MAX_LOGINS_PER_CLIENT, MAX_LOGINS_PER_USER, TimeUnit.MINUTES.toNanos(1));
    }

    void register(ApiServer s) {
        s.route("GET", "/health", null, r -> obj("status", "ok"));
        s.route("GET", "/health/ready", null, this::ready);
        s.route("POST", V1 + "/auth/login", null, this::login);
        s.route("POST", V1 + "/auth/refresh", null, this::refresh);

        s.route("GET", V1 + "/users/me", Role.USER, true, r -> view(r.user));
        s.route("POST", V1 + "/users/me/password", Role.USER, true, this::changeOwnPassword);
        s.route("GET", V1 + "/users", Role.ADMIN, r -> db.users().stream().map(Endpoints::view).toList());
        s.route("POST", V1 + "/users", Role.ADMIN, this::createUser);
        s.route("GET", V1 + "/users/{name}", Role.ADMIN, r -> view(user(r.param("name"))));
        s.route("PUT", V1 + "/users/{name}", Role.ADMIN, this::updateUser);
        s.route("DELETE", V1 + "/users/{name}", Role.ADMIN, this::deleteUser);

        s.route("GET", V1 + "/groups", Role.ADMIN, r -> db.groups().stream().map(Endpoints::view).toList());
        s.route("POST", V1 + "/groups", Role.ADMIN, this::createGroup);
        s.route("GET", V1 + "/groups/{name}", Role.ADMIN, r -> view(group(r.param("name"))));
        s.route("PUT", V1 + "/groups/{name}", Role.ADMIN, this::updateGroup);
        s.route("DELETE", V1 + "/groups/{name}", Role.ADMIN, r -> {
            db.deleteGroup(Names.check("group", r.param("name")));
            runtime.refreshAccess();
            return new ApiServer.Reply(204, null);
        });
        s.route("POST", V1 + "/groups/{name}/members", Role.ADMIN, r -> {
            String g = Names.check("group", r.param("name"));
            db.addMember(g, Names.check("user", r.body().allow("username").str("username")));
            runtime.refreshAccess();
            return view(group(g));
        });
        s.route("DELETE", V1 + "/groups/{name}/members/{user}", Role.ADMIN, r -> {
            String g = Names.check("group", r.param("name"));
            db.removeMember(g, Names.check("user", r.param("user")));
            runtime.refreshAccess();
            return view(group(g));
        });
        new ShareEndpoints(this).register(s);
        new AdminEndpoints(this).register(s);
    }

    // ------------------------------------------------------------------ health and auth

    private Object ready(ApiServer.Request r) {
        boolean dbOk = db.ping();
        Map<String, Object> body = obj("status", dbOk ? "ready" : "unavailable", "database", dbOk ? "ok" : "down",
                "nfs_port", runtime.nfsPort(), "shares", runtime.registry().all().size());
        return dbOk ? body : new ApiServer.Reply(503, body);
    }

    private Object login(ApiServer.Request r) throws IOException {
        Body b = r.body().allow("username", "password");
        String name = b.str("username");
        String password = b.str("password");
        LoginLimiter.Attempt attempt;
        try {
            // the slot is taken before the (slow) password check: parallel guesses are counted at once
            attempt = limiter.reserve(r.client, name.length() <= 64 ? name : name.substring(0, 64));
        } catch (LoginLimiter.Limited e) {
            throw new ApiException(429, "retry after " + e.retryAfterSeconds() + " s: too many failed logins");
        }
        User u = name.length() <= 64 ? db.user(name).orElse(null) : null;
        boolean ok = Passwords.verify(u == null ? null : u.passwordHash(), password);
        if (!ok || !u.enabled()) {
            LOG.info("failed login for '{}' from {}", Names.printable(name), r.client);
            throw new ApiException(401, "wrong username or password");
        }
        attempt.succeeded();
        LOG.info("user {} logged in from {}", u.username(), r.client);
        return tokens(u);
    }

    private Map<String, Object> tokens(User u) {
        Tokens.Pair p = tokens.issue(u.username(), u.passwordHash());
        return obj("access_token", p.accessToken(), "refresh_token", p.refreshToken(), "token_type", "Bearer",
                "expires_in", p.expiresIn(), "username", u.username(), "role", u.role().wire(),
                "must_change_password", u.mustChangePassword());
    }

    private Object refresh(ApiServer.Request r) throws IOException {
        Tokens.Verified v = tokens.verifyRefresh(r.body().allow("refresh_token").str("refresh_token"));
        User u = v == null ? null : db.user(v.username()).orElse(null);
        if (u == null || !u.enabled() || !v.currentFor(u.passwordHash())) {
            throw new ApiException(401, "invalid or expired refresh token");
        }
        return tokens(u);
    }

    // ------------------------------------------------------------------ users

    static Map<String, Object> view(User u) {
        return obj("username", u.username(), "role", u.role().wire(), "uid", u.uid(), "gid", u.gid(),
                "enabled", u.enabled(), "must_change_password", u.mustChangePassword());
    }

    private User user(String name) {
        return db.user(Names.check("user", name)).orElseThrow(() -> ApiException.notFound("user " + name + " not found"));
    }

    private static String password(String p) {
        String problem = Passwords.problem(p);
        if (problem != null) {
            throw ApiException.badRequest(problem);
        }
        return p;
    }

    private Object changeOwnPassword(ApiServer.Request r) throws IOException {
        Body b = r.body().allow("current_password", "new_password");
        String current = b.str("current_password");
        String fresh = password(b.str("new_password"));
        if (!Passwords.verify(r.user.passwordHash(), current)) {
            throw ApiException.forbidden("current password is wrong");
        }
        if (fresh.equals(current)) {
            throw ApiException.badRequest("the new password must differ from the current one");
        }
        User u = r.user;
        db.updateUser(new User(u.username(), u.role(), u.uid(), u.gid(), u.enabled(), false,
                Passwords.hash(fresh), Passwords.ntHash(fresh)));
        LOG.info("user {} changed its password", u.username());
        // every earlier token of this user is void now; the caller gets fresh ones to carry on
        User changed = db.user(u.username()).orElseThrow();
        Map<String, Object> reply = new java.util.LinkedHashMap<>(view(changed));
        reply.putAll(tokens(changed));
        return reply;
    }

    private Object createUser(ApiServer.Request r) throws IOException {
        Body b = r.body().allow("username", "password", "role", "uid", "gid", "enabled");
        String name = Names.check("user", b.str("username"));
        if (name.equals("me")) {
            throw ApiException.badRequest("'me' is reserved");
        }
        String pw = password(b.str("password"));
        Role role = Role.parse(b.str("role", "user"));
        Integer uid = b.optInt("uid", null);
        Integer gid = b.optInt("gid", null);
        checkIds(uid, gid);
        db.createUser(new User(name, role, uid, gid, b.bool("enabled", true), false, Passwords.hash(pw), Passwords.ntHash(pw)));
        runtime.refreshAccess();
        LOG.info("user {} created by {} (role {}, uid {})", name, r.user.username(), role.wire(), uid);
        return new ApiServer.Reply(201, view(user(name)));
    }

    private static void checkIds(Integer uid, Integer gid) {
        if (uid != null) {
            Names.id("uid", uid, false);
        }
        if (gid != null) {
            Names.id("gid", gid, false);
        }
    }

    private Object updateUser(ApiServer.Request r) throws IOException {
        User u = user(r.param("name"));
        Body b = r.body().allow("password", "role", "uid", "gid", "enabled");
        Role role = b.has("role") ? Role.parse(b.str("role")) : u.role();
        boolean enabled = b.bool("enabled", u.enabled());
        Integer uid = b.optInt("uid", u.uid());
        Integer gid = b.optInt("gid", u.gid());
        checkIds(uid, gid);
        if (u.role() == Role.ADMIN && (role != Role.ADMIN || !enabled) && otherAdmins(u.username()) == 0) {
            throw new ApiException(409, "cannot demote or disable the last admin");
        }
        String hash = u.passwordHash();
        String nt = u.ntHash();
        boolean mustChange = u.mustChangePassword();
        if (b.has("password")) {
            String pw = password(b.str("password"));
            hash = Passwords.hash(pw);
            nt = Passwords.ntHash(pw);
            mustChange = !u.username().equals(r.user.username()); // an admin-set password is temporary
        }
        db.updateUser(new User(u.username(), role, uid, gid, enabled, mustChange, hash, nt));
        runtime.refreshAccess();
        return view(user(u.username()));
    }

    private long otherAdmins(String except) {
        return db.users().stream().filter(x -> x.role() == Role.ADMIN && x.enabled() && !x.username().equals(except)).count();
    }

    private Object deleteUser(ApiServer.Request r) {
        User u = user(r.param("name"));
        if (u.role() == Role.ADMIN && otherAdmins(u.username()) == 0) {
            throw new ApiException(409, "cannot delete the last admin");
        }
        db.deleteUser(u.username());
        runtime.refreshAccess();
        return new ApiServer.Reply(204, null);
    }

    // ------------------------------------------------------------------ groups

    static Map<String, Object> view(Group g) {
        return obj("name", g.name(), "gid", g.gid(), "members", g.members());
    }

    private Group group(String name) {
        return db.group(Names.check("group", name)).orElseThrow(() -> ApiException.notFound("group " + name + " not found"));
    }

    private Object createGroup(ApiServer.Request r) throws IOException {
        Body b = r.body().allow("name", "gid");
        String name = Names.check("group", b.str("name"));
        Integer gid = b.optInt("gid", null);
        checkIds(null, gid);
        db.createGroup(name, gid);
        runtime.refreshAccess();
        return new ApiServer.Reply(201, view(group(name)));
    }

    private Object updateGroup(ApiServer.Request r) throws IOException {
        Group g = group(r.param("name"));
        Integer gid = r.body().allow("gid").optInt("gid", null);
        checkIds(null, gid);
        db.updateGroup(g.name(), gid);
        runtime.refreshAccess();
        return view(group(g.name()));
    }
}
