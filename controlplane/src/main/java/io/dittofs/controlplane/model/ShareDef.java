package io.dittofs.controlplane.model;

import java.util.List;

/**
 * A share definition. {@code id} is allocated once and kept: it is part of every file handle.
 * {@code name} is the export path, e.g. {@code /export}.
 *
 * @param rootSquash uid 0 becomes {@code anonUid}/{@code anonGid} (knfsd's {@code root_squash})
 * @param anonUid    the uid squashed root gets (knfsd's {@code anonuid}, 65534 by default)
 * @param anonGid    the gid squashed root gets (knfsd's {@code anongid}, 65534 by default)
 * @param secure     MOUNT and NFS calls must come from a privileged source port (below 1024;
 *                   knfsd's {@code secure})
 * @param clients    the client addresses and CIDR blocks allowed (normalized by {@link ClientList});
 *                   empty: every address
 */
public record ShareDef(int id, String name, String metadataStore, String blockStore, boolean readOnly,
                       Permission defaultPermission, boolean enabled, boolean rootSquash,
                       int anonUid, int anonGid, boolean secure, List<String> clients) {
    /** nobody/nogroup: what squashed root becomes unless configured. */
    public static final int NOBODY = 65534;

    public ShareDef {
        clients = List.copyOf(clients);
    }

    /** A share with anonymous 65534/65534, any source port and every client allowed. */
    public ShareDef(int id, String name, String metadataStore, String blockStore, boolean readOnly,
                    Permission defaultPermission, boolean enabled, boolean rootSquash) {
        this(id, name, metadataStore, blockStore, readOnly, defaultPermission, enabled, rootSquash,
                NOBODY, NOBODY, false, List.of());
    }

    /** This definition with another id (allocated by the store). */
    public ShareDef withId(int newId) {
        return new ShareDef(newId, name, metadataStore, blockStore, readOnly, defaultPermission, enabled, rootSquash,
                anonUid, anonGid, secure, clients);
    }
}
