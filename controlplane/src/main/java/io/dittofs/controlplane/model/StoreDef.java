package io.dittofs.controlplane.model;

import java.util.Map;

/**
 * A metadata or block store definition.
 *
 * @param kind   {@code metadata} or {@code block}
 * @param type   the backend: metadata {@code memory}, {@code lmdb}, {@code postgres}; block {@code memory}, {@code fs}
 * @param config backend settings, e.g. {@code path}
 */
public record StoreDef(String name, String kind, String type, Map<String, String> config) {
    public StoreDef {
        config = Map.copyOf(config);
    }

    /** Without secret settings (a PostgreSQL store's "password"), so logs and exceptions never show them. */
    @Override
    public String toString() {
        java.util.Map<String, String> shown = new java.util.TreeMap<>(config);
        shown.computeIfPresent("password", (k, v) -> "********");
        return "StoreDef[name=" + name + ", kind=" + kind + ", type=" + type + ", config=" + shown + "]";
    }
}
