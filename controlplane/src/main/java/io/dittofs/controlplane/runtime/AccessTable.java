package io.dittofs.controlplane.runtime;

import io.dittofs.controlplane.model.Group;
import io.dittofs.controlplane.model.Permission;
import io.dittofs.controlplane.model.ShareDef;
import io.dittofs.controlplane.model.SharePermission;
import io.dittofs.controlplane.model.User;
import io.dittofs.core.AuthContext;
import io.dittofs.core.ShareAccess;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Who may do what on each share, precomputed from the control-plane database for the per-call
 * decision ({@link #decide}). AUTH_SYS callers are matched to users by uid: a known user gets its
 * own grant, else the best grant of its groups; a caller whose uid maps to no grant gets the best
 * grant of groups whose gid it carries, else the share's default permission. A read-only share
 * caps everything at read; a disabled user gets none. Immutable; thread-safe.
 */
public final class AccessTable {
    /** The rules of one share. */
    record Rules(Permission defaultPermission, boolean readOnly, Map<Integer, Permission> byUid,
                 Map<Integer, Permission> byGid) {
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
            out.put(s.id(), new Rules(s.defaultPermission(), s.readOnly(), Map.copyOf(byUid), Map.copyOf(byGid)));
        }
        return new AccessTable(Map.copyOf(out));
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
