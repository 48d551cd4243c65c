package io.dittofs.controlplane.model;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A metadata or block store definition.
 *
 * @param kind   {@code metadata} or {@code block}
 * @param type   the backend: metadata {@code memory}, {@code lmdb}, {@code postgres}; block {@code memory}, {@code fs}, {@code s3}
 * @param config backend settings, e.g. {@code path}; secrets among them ({@link #SECRET_SETTINGS})
 *               never leave through {@link #visibleConfig()} or {@link #toString()}
 */
public record StoreDef(String name, String kind, String type, Map<String, String> config) {
    /** Settings whose values are secrets: stored, but shown and logged only as {@value #MASK}. */
    public static final Set<String> SECRET_SETTINGS = Set.of("secret_key", "password");
    public static final String MASK = "********";

    public StoreDef {
        config = Map.copyOf(config);
    }

    /** The settings with secret values masked: what the API returns and logs may show. */
    public Map<String, String> visibleConfig() {
        Map<String, String> v = new LinkedHashMap<>(new TreeMap<>(config));
        v.replaceAll((k, val) -> SECRET_SETTINGS.contains(k) ? MASK : val);
        return v;
    }

    @Override
    public String toString() {
        return "StoreDef[name=" + name + ", kind=" + kind + ", type=" + type + ", config=" + visibleConfig() + "]";
    }
}
