package io.dittofs.controlplane.runtime;

import io.dittofs.controlplane.model.Group;
import io.dittofs.controlplane.model.User;
import io.dittofs.controlplane.store.ControlPlaneStore;
import io.dittofs.protocols.nfs.v4.IdMapper;

/**
 * NFSv4 owner strings through the control plane's users and groups (RFC 8881 section 5.9).
 * Outgoing owners are numeric strings, as the Linux client expects with AUTH_SYS (its default
 * {@code nfs4_disable_idmapping}); incoming ones may be numeric, {@code n@domain}, or
 * {@code name@domain} / {@code name}, where {@code name} is a control-plane user (or group) with a
 * uid (gid); the domain is not checked. Read through to the database on every lookup. Thread-safe.
 */
public final class ControlPlaneIdMapper implements IdMapper {
    private final ControlPlaneStore db;

    public ControlPlaneIdMapper(ControlPlaneStore db) {
        this.db = db;
    }

    @Override
    public String owner(int uid) {
        return NUMERIC.owner(uid);
    }

    @Override
    public String group(int gid) {
        return NUMERIC.group(gid);
    }

    private static String local(String s) {
        int at = s.indexOf('@');
        return at < 0 ? s : s.substring(0, at);
    }

    @Override
    public int uid(String owner) {
        int n = NUMERIC.uid(owner);
        if (n >= 0) {
            return n;
        }
        String name = local(owner);
        for (User u : db.users()) {
            if (u.username().equalsIgnoreCase(name) && u.uid() != null) {
                return u.uid();
            }
        }
        return -1;
    }

    @Override
    public int gid(String group) {
        int n = NUMERIC.gid(group);
        if (n >= 0) {
            return n;
        }
        String name = local(group);
        for (Group g : db.groups()) {
            if (g.name().equalsIgnoreCase(name) && g.gid() != null) {
                return g.gid();
            }
        }
        return -1;
    }
}
