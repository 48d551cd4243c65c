package io.dittofs.controlplane.api;

import io.dittofs.controlplane.model.AdapterDef;
import io.dittofs.controlplane.model.Role;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;

import static io.dittofs.controlplane.api.ApiServer.obj;
import static io.dittofs.controlplane.api.Endpoints.V1;

/** Protocol adapters and server settings. Thread-safe. */
final class AdminEndpoints {
    private static final Logger LOG = LoggerFactory.getLogger(AdminEndpoints.class);
    private final Endpoints e;

    AdminEndpoints(Endpoints e) {
        this.e = e;
    }

    void register(ApiServer s) {
        s.route("GET", V1 + "/adapters", Role.OPERATOR, r -> e.db.adapters().stream().map(this::view).toList());
        s.route("GET", V1 + "/adapters/{type}", Role.OPERATOR, r -> view(adapter(r.param("type"))));
        s.route("PUT", V1 + "/adapters/{type}", Role.OPERATOR, this::updateAdapter);

        s.route("GET", V1 + "/settings", Role.ADMIN, r -> visible(e.db.settings()));
        s.route("GET", V1 + "/settings/{name}", Role.ADMIN, r -> {
            String n = Names.check("setting", r.param("name"));
            return obj("name", n, "value", e.db.setting(n).orElseThrow(() -> ApiException.notFound("setting " + n + " not found")));
        });
        s.route("PUT", V1 + "/settings/{name}", Role.ADMIN, r -> {
            String n = Names.check("setting", r.param("name"));
            String v = Names.value(r.body().allow("value").str("value"));
            e.db.putSetting(n, v);
            return obj("name", n, "value", v);
        });
        s.route("DELETE", V1 + "/settings/{name}", Role.ADMIN, r -> {
            e.db.deleteSetting(Names.check("setting", r.param("name")));
            return new ApiServer.Reply(204, null);
        });
    }

    /** Settings whose names start with '_' are the server's own bookkeeping. */
    private static Map<String, String> visible(Map<String, String> all) {
        Map<String, String> out = new TreeMap<>(all);
        out.keySet().removeIf(k -> k.startsWith("_"));
        return out;
    }

    private Map<String, Object> view(AdapterDef a) {
        int bound = "nfs".equals(a.type()) ? e.runtime.nfsPort() : "smb".equals(a.type()) ? e.runtime.smbPort() : -1;
        return obj("type", a.type(), "enabled", a.enabled(), "port", a.port(), "settings", a.settings(),
                "running", bound > 0, "bound_port", bound);
    }

    private AdapterDef adapter(String type) {
        return e.db.adapter(Names.check("adapter", type))
                .orElseThrow(() -> ApiException.notFound("adapter " + type + " not found"));
    }

    private Object updateAdapter(ApiServer.Request r) throws IOException {
        AdapterDef a = adapter(r.param("type"));
        Body b = r.body().allow("enabled", "port", "settings");
        int port = b.optInt("port", a.port());
        if (port < 1 || port > 65535) {
            throw ApiException.badRequest("port must be 1-65535");
        }
        AdapterDef n = new AdapterDef(a.type(), b.bool("enabled", a.enabled()), port,
                b.has("settings") ? b.strings("settings") : a.settings());
        try {
            e.runtime.applyAdapter(n);
        } catch (IOException ex) {
            throw new ApiException(409, "cannot listen on port " + port + ": " + ex.getMessage());
        } catch (IllegalArgumentException ex) {
            throw ApiException.badRequest(ex.getMessage());
        }
        e.db.putAdapter(n);
        LOG.info("adapter {} set to enabled={} port={} by {}", n.type(), n.enabled(), n.port(), r.user.username());
        return view(n);
    }
}
