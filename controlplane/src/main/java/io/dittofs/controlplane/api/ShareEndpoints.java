package io.dittofs.controlplane.api;

import io.dittofs.controlplane.model.ClientList;
import io.dittofs.controlplane.model.Permission;
import io.dittofs.controlplane.model.Role;
import io.dittofs.controlplane.model.ShareDef;
import io.dittofs.controlplane.model.SharePermission;
import io.dittofs.controlplane.model.StoreDef;
import io.dittofs.controlplane.runtime.StoreFactory;
import io.dittofs.storage.cache.WriteBackCache;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static io.dittofs.controlplane.api.ApiServer.obj;
import static io.dittofs.controlplane.api.Endpoints.V1;

/** Store definitions, shares and share permissions; every change is applied to the live runtime. Thread-safe. */
final class ShareEndpoints {
    private static final Logger LOG = LoggerFactory.getLogger(ShareEndpoints.class);
    private final Endpoints e;

    ShareEndpoints(Endpoints e) {
        this.e = e;
    }

    void register(ApiServer s) {
        s.route("GET", V1 + "/stores/{kind}", Role.OPERATOR, r -> {
            Map<String, WriteBackCache.Stats> caches = e.runtime.cacheStats();
            return e.db.stores(kind(r)).stream().map(d -> withCache(view(d), caches.get(d.name()), d)).toList();
        });
        s.route("POST", V1 + "/stores/{kind}", Role.OPERATOR, this::createStore);
        s.route("GET", V1 + "/stores/{kind}/{name}", Role.OPERATOR, r -> {
            StoreDef d = store(kind(r), r.param("name"));
            return withCache(view(d), e.runtime.cacheStats().get(d.name()), d);
        });
        s.route("DELETE", V1 + "/stores/{kind}/{name}", Role.OPERATOR, r -> {
            String kind = kind(r);
            StoreDef d = store(kind, r.param("name"));
            e.db.deleteStore(kind, d.name());
            e.runtime.removeStore(kind, d.name());
            return new ApiServer.Reply(204, null);
        });

        s.route("GET", V1 + "/shares", Role.USER, r -> e.db.shares().stream().map(this::view).toList());
        s.route("POST", V1 + "/shares", Role.OPERATOR, this::createShare);
        s.route("GET", V1 + "/shares/{name}", Role.USER, r -> view(share(r.param("name"))));
        s.route("PUT", V1 + "/shares/{name}", Role.OPERATOR, this::updateShare);
        s.route("DELETE", V1 + "/shares/{name}", Role.OPERATOR, r -> {
            ShareDef d = share(r.param("name"));
            e.db.deleteShare(d.name());
            e.runtime.removeShare(d.name());
            LOG.info("share {} deleted by {}", d.name(), r.user.username());
            return new ApiServer.Reply(204, null);
        });
        s.route("GET", V1 + "/shares/{name}/permissions", Role.OPERATOR,
                r -> e.db.permissions(share(r.param("name")).name()).stream().map(ShareEndpoints::view).toList());
        s.route("PUT", V1 + "/shares/{name}/permissions", Role.OPERATOR, this::grant);
        s.route("DELETE", V1 + "/shares/{name}/permissions/{type}/{principal}", Role.OPERATOR, r -> {
            ShareDef d = share(r.param("name"));
            String type = principalType(r.param("type"));
            e.db.removePermission(d.name(), type, Names.check(type, r.param("principal")));
            e.runtime.refreshAccess();
            return new ApiServer.Reply(204, null);
        });
    }

    private static String kind(ApiServer.Request r) {
        String k = r.param("kind");
        if (!"metadata".equals(k) && !"block".equals(k)) {
            throw ApiException.notFound("store kind must be metadata or block");
        }
        return k;
    }

    static Map<String, Object> view(StoreDef d) {
        return obj("name", d.name(), "kind", d.kind(), "type", d.type(), "config", d.visibleConfig());
    }

    /**
     * A block store's view plus the health of its live write-back cache (null without one): whether
     * the flusher reaches the store, since when it fails, the last error, dirty bytes, WAL segments.
     */
    static Map<String, Object> withCache(Map<String, Object> view, WriteBackCache.Stats c, StoreDef d) {
        if (!"block".equals(d.kind())) {
            return view;
        }
        view.put("cache", c == null ? null : obj("state", c.failing() ? "failing" : "ok",
                "failing_since", c.failing() ? Instant.ofEpochMilli(c.failingSinceMs()).toString() : null,
                "last_error", c.lastError().isEmpty() ? null : c.lastError(),
                "flush_errors", c.flushErrors(), "retry_delay_ms", c.retryDelayMs(),
                "dirty_bytes", c.dirtyBytes(), "wal_segments", c.walSegments()));
        return view;
    }

    private StoreDef store(String kind, String name) {
        return e.db.store(kind, Names.check("store", name))
                .orElseThrow(() -> ApiException.notFound(kind + " store " + name + " not found"));
    }

    private Object createStore(ApiServer.Request r) throws IOException {
        String kind = kind(r);
        Body b = r.body().allow("name", "type", "config");
        StoreDef d = new StoreDef(Names.check("store", b.str("name")), kind, b.str("type"), b.strings("config"));
        StoreFactory.validate(d);
        e.storePaths.check(d);
        e.db.createStore(d);
        LOG.info("{} store {} ({}) created by {}", kind, d.name(), d.type(), r.user.username());
        return new ApiServer.Reply(201, view(d));
    }

    Map<String, Object> view(ShareDef d) {
        return obj("id", d.id(), "name", d.name(), "metadata_store", d.metadataStore(), "block_store", d.blockStore(),
                "read_only", d.readOnly(), "default_permission", d.defaultPermission().wire(), "enabled", d.enabled(),
                "root_squash", d.rootSquash(), "anon_uid", d.anonUid(), "anon_gid", d.anonGid(), "secure", d.secure(),
                "clients", d.clients(), "active", e.runtime.registry().byId(d.id()) != null);
    }

    static Map<String, Object> view(SharePermission p) {
        return obj("type", p.principalType(), "name", p.principal(), "permission", p.permission().wire());
    }

    private ShareDef share(String name) {
        String n = Names.share(name);
        return e.db.share(n).orElseThrow(() -> ApiException.notFound("share " + n + " not found"));
    }

    private Object createShare(ApiServer.Request r) throws IOException {
        Body b = r.body().allow("name", "metadata_store", "block_store", "read_only", "default_permission",
                "enabled", "root_squash", "anon_uid", "anon_gid", "secure", "clients");
        // root squash is on unless asked otherwise, as in knfsd and Ganesha
        ShareDef want = new ShareDef(0, Names.share(b.str("name")), Names.check("store", b.str("metadata_store")),
                Names.check("store", b.str("block_store")), b.bool("read_only", false),
                Permission.parse(b.str("default_permission", "none")), b.bool("enabled", true), b.bool("root_squash", true),
                id(b, "anon_uid", ShareDef.NOBODY), id(b, "anon_gid", ShareDef.NOBODY), b.bool("secure", false),
                clients(b, List.of()));
        ShareDef d = e.db.createShare(want);
        try {
            e.runtime.applyShare(d);
        } catch (RuntimeException ex) {
            e.db.deleteShare(d.name());
            e.runtime.removeShare(d.name());
            throw ex;
        }
        LOG.info("share {} (id {}) created by {}", d.name(), d.id(), r.user.username());
        return new ApiServer.Reply(201, view(d));
    }

    private Object updateShare(ApiServer.Request r) throws IOException {
        ShareDef d = share(r.param("name"));
        Body b = r.body().allow("read_only", "default_permission", "enabled", "root_squash", "anon_uid", "anon_gid",
                "secure", "clients");
        ShareDef n = new ShareDef(d.id(), d.name(), d.metadataStore(), d.blockStore(), b.bool("read_only", d.readOnly()),
                b.has("default_permission") ? Permission.parse(b.str("default_permission")) : d.defaultPermission(),
                b.bool("enabled", d.enabled()), b.bool("root_squash", d.rootSquash()), id(b, "anon_uid", d.anonUid()),
                id(b, "anon_gid", d.anonGid()), b.bool("secure", d.secure()), clients(b, d.clients()));
        e.db.updateShare(n);
        e.runtime.applyShare(n);
        return view(n);
    }

    /** A uid or gid field: 0 to 2^31-1. */
    private static int id(Body b, String field, int dflt) {
        int v = b.optInt(field, dflt);
        if (v < 0) {
            throw ApiException.badRequest("field '" + field + "' must be 0 or more");
        }
        return v;
    }

    /** The allowed clients, parsed strictly and normalized (a bad address or CIDR is a 400). */
    private static List<String> clients(Body b, List<String> dflt) {
        List<String> raw = b.stringList("clients", ClientList.MAX_ENTRIES, dflt);
        try {
            return ClientList.parse(raw).entries();
        } catch (IllegalArgumentException ex) {
            throw ApiException.badRequest(ex.getMessage());
        }
    }

    private static String principalType(String t) {
        if (!"user".equals(t) && !"group".equals(t)) {
            throw ApiException.badRequest("permission type must be user or group");
        }
        return t;
    }

    private Object grant(ApiServer.Request r) throws IOException {
        ShareDef d = share(r.param("name"));
        Body b = r.body().allow("type", "name", "permission");
        String type = principalType(b.str("type"));
        SharePermission p = new SharePermission(type, Names.check(type, b.str("name")), Permission.parse(b.str("permission")));
        e.db.setPermission(d.name(), p);
        e.runtime.refreshAccess();
        LOG.info("share {}: {} {} granted {} by {}", d.name(), type, p.principal(), p.permission().wire(), r.user.username());
        return view(p);
    }
}
