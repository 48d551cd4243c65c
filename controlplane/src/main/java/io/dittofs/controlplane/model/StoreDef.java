package io.dittofs.controlplane.model;

import java.util.Map;

/**
 * A metadata or block store definition.
 *
 * @param kind   {@code metadata} or {@code block}
 * @param type   the backend: {@code memory} now; {@code lmdb}/{@code fs} when those land
 * @param config backend settings, e.g. {@code path}
 */
public record StoreDef(String name, String kind, String type, Map<String, String> config) {
    public StoreDef {
        config = Map.copyOf(config);
    }
}
