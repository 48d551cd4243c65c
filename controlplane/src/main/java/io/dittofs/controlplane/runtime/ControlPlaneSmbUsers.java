package io.dittofs.controlplane.runtime;

import io.dittofs.controlplane.model.Group;
import io.dittofs.controlplane.model.User;
import io.dittofs.controlplane.store.ControlPlaneStore;
import io.dittofs.core.AuthContext;
import io.dittofs.protocols.smb.SmbUsers;
import io.dittofs.protocols.smb.auth.NtAccount;
import io.dittofs.protocols.smb.auth.NtAccounts;

import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * SMB users from the control-plane database: a user's NT hash (MD4 of the UTF-16LE password,
 * stored hex beside the bcrypt hash) is what NTLMv2 checks against, matched by name without
 * regard to case (the domain is ignored: this server is its own domain); a logged-on user acts on
 * shares with its uid/gid and the gids of its groups, so the share permissions and POSIX
 * permissions are the same as over NFS. A user without uid acts as nobody. Read through to the
 * database on every logon, so a new password, a disabled user or a deleted one applies at once.
 * Thread-safe.
 */
public final class ControlPlaneSmbUsers implements SmbUsers {
    private final ControlPlaneStore db;

    public ControlPlaneSmbUsers(ControlPlaneStore db) {
        this.db = db;
    }

    @Override
    public NtAccounts accounts() {
        return (user, domain) -> find(user).flatMap(u -> {
            if (u.ntHash() == null || u.ntHash().length() != 32) {
                return Optional.empty();
            }
            return Optional.of(new NtAccount(u.username(), HexFormat.of().parseHex(u.ntHash()), u.enabled()));
        });
    }

    private Optional<User> find(String name) {
        if (name == null || name.isEmpty()) {
            return Optional.empty();
        }
        Optional<User> exact = db.user(name);
        if (exact.isPresent()) {
            return exact;
        }
        String lower = name.toLowerCase(Locale.ROOT);
        return db.users().stream().filter(u -> u.username().toLowerCase(Locale.ROOT).equals(lower)).findFirst();
    }

    @Override
    public AuthContext identity(String name) {
        Optional<User> u = find(name);
        if (u.isEmpty() || !u.get().enabled()) {
            return AuthContext.ANONYMOUS;
        }
        User user = u.get();
        int uid = user.uid() == null ? AuthContext.NOBODY : user.uid();
        int gid = user.gid() == null ? AuthContext.NOBODY : user.gid();
        List<Group> groups = db.groups();
        int[] gids = groups.stream().filter(g -> g.gid() != null && g.members().contains(user.username()))
                .mapToInt(Group::gid).toArray();
        return new AuthContext(uid, gid, gids, "smb:" + user.username());
    }
}
