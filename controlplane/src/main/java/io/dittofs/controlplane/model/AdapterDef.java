package io.dittofs.controlplane.model;

import java.util.Map;

/** A protocol adapter ({@code nfs}, {@code smb}): enabled, its port and free-form settings. */
public record AdapterDef(String type, boolean enabled, int port, Map<String, String> settings) {
    public AdapterDef {
        settings = Map.copyOf(settings);
    }
}
