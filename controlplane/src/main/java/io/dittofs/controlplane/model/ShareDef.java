package io.dittofs.controlplane.model;

/**
 * A share definition. {@code id} is allocated once and kept: it is part of every file handle.
 * {@code name} is the export path, e.g. {@code /export}.
 */
public record ShareDef(int id, String name, String metadataStore, String blockStore, boolean readOnly,
                       Permission defaultPermission, boolean enabled, boolean rootSquash) {
}
