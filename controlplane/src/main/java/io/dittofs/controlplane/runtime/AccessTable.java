package io.dittofs.controlplane.runtime;

import io.dittofs.controlplane.model.ClientList;
import io.dittofs.controlplane.model.Group;
import io.dittofs.controlplane.model.Permission;
import io.dittofs.controlplane.model.ShareDef;
import io.dittofs.controlplane.model.SharePermission;
import io.dittofs.controlplane.model.User;
import io.dittofs.core.AuthContext;
import io.dittofs.core.FsError;
import io.dittofs.core.ShareAccess;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Who may do what on each share, precomputed from the control-plane database for the per-call
 * decision ({@link #decide}). AUTH_SYS callers are matched to users by uid: a known user gets its
 * own grant, else the best grant of its groups; a caller whose uid maps to no grant gets the best
 * grant of groups whose gid it carries, else the share's default permission. A read-only share
 * caps everything at read; a disabled user gets none. Before that, {@link #refusal} applies the
 * share's export options to the caller's address: its allowed clients and the privileged source
 * port ({@code secure}). Immutable; thread-safe.
 */
public final class AccessTable {
    private static final Logger LOG = LoggerFactory.getLogger(AccessTable.class);
    /** Source ports below this are privileged (IPPORT_RESERVED). */
    static final int RESERVED_PORTS = 1024;

    /**
     * The rules of one share.
     *
     * @param clients the allowed clients; null when the stored list no longer parses (nobody)
     */
    record Rules(Permission defaultPermission, boolean readOnly, Map<Integer, Permission> byUid,
                 Map<Integer, Permission> byGid, ClientList clients, boolean secure) {
    }

    static final AccessTable EMPTY = new AccessTable(Map.of());

    private final Map<Integer, Rules> byShare;

    private AccessTable(Map<Integer, Rules> byShare) {
        this.byShare = byShare;
    }

    public static AccessTable build(List<ShareDef> shares, List<User> users, List<Group> groups,
                                    Map<Integer, List<SharePermission>> grants) {
        Map<Integer, Rules> out = new HashMap<>();
        for (ShareDef s : shares) {
            Map<String, Permission> userGrant = new HashMap<>();
            Map<String, Permission> groupGrant = new HashMap<>();
            for (SharePermission p : grants.getOrDefault(s.id(), List.of())) {
                ("user".equals(p.principalType()) ? userGrant : groupGrant).put(p.principal(), p.permission());
            }
            Map<Integer, Permission> byGid = new HashMap<>();
            for (Group g : groups) {
                Permission p = groupGrant.get(g.name());
                if (g.gid() != null && p != null) {
                    byGid.merge(g.gid(), p, Permission::max);
                }
            }
            Map<Integer, Permission> byUid = new HashMap<>();
            for (User u : users) {
                if (u.uid() == null) {
                    continue;
                }
                if (!u.enabled()) {
                    byUid.put(u.uid(), Permission.NONE);
                    continue;
                }
                Permission p = userGrant.get(u.username());
                if (p == null) {
                    for (Group g : groups) {
                        Permission gp = groupGrant.get(g.name());
                        if (gp != null && g.members().contains(u.username())) {
                            p = p == null ? gp : p.max(gp);
                        }
                    }
                }
                if (p != null) {
                    byUid.put(u.uid(), p);
                }
            }
            out.put(s.id(), new Rules(s.defaultPermission(), s.readOnly(), Map.copyOf(byUid), Map.copyOf(byGid),
                    clients(s), s.secure()));
        }
        return new AccessTable(Map.copyOf(out));
    }

    private static ClientList clients(ShareDef s) {
        try {
            return ClientList.parse(s.clients());
        } catch (IllegalArgumentException e) {
            LOG.error("share {}: stored client list is invalid ({}); refusing every client until it is fixed",
                    s.name(), e.getMessage());
            return null;
        }
    }

    /**
     * Why a call from {@code client} may not use the share with this id at all, or null if it may.
     * A client outside the share's list gets {@link FsError#ACCESS_DENIED} (MNT3ERR_ACCES,
     * NFS3ERR_ACCES); on a {@code secure} share a source port of 1024 or above gets
     * {@link FsError#NOT_OWNER}, which is NFS3ERR_PERM as knfsd returns it
     * ({@code fs/nfsd/nfsfh.c}, {@code nfsd_setuser_and_check_port}); MOUNT refuses it with
     * MNT3ERR_ACCES as mountd does ({@code support/export/auth.c}, {@code illegal_port}).
     */
    public FsError refusal(int shareId, InetSocketAddress client) {
        Rules r = byShare.get(shareId);
        if (r == null || r.clients() == null) {
            return FsError.ACCESS_DENIED;
        }
        if (!r.clients().isAny() && (client == null || !r.clients().allows(client.getAddress()))) {
            return FsError.ACCESS_DENIED;
        }
        if (r.secure() && (client == null || client.getPort() >= RESERVED_PORTS)) {
            return FsError.NOT_OWNER;
        }
        return null;
    }

    /** What {@code caller} may do on the share with this id; NONE for unknown shares. */
    public ShareAccess decide(int shareId, AuthContext caller) {
        Rules r = byShare.get(shareId);
        if (r == null) {
            return ShareAccess.NONE;
        }
        Permission p = r.byUid().get(caller.uid());
        if (p == null) {
            p = r.byGid().get(caller.gid());
            for (int g : caller.gids()) {
                Permission gp = r.byGid().get(g);
                if (gp != null) {
                    p = p == null ? gp : p.max(gp);
                }
            }
        }
        if (p == null) {
            p = r.defaultPermission();
        }
        if (r.readOnly() && p == Permission.READ_WRITE) {
            p = Permission.READ;
        }
        return p.toAccess();
    }
}
