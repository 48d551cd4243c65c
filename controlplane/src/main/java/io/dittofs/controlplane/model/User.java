package io.dittofs.controlplane.model;

/**
 * A control-plane user. {@code passwordHash} (bcrypt) and {@code ntHash} (MD4 of the UTF-16LE
 * password, hex, for SMB) never leave the server. {@code uid}/{@code gid} map AUTH_SYS callers
 * to this user; null when the user only uses the API.
 */
public record User(String username, Role role, Integer uid, Integer gid, boolean enabled,
                   boolean mustChangePassword, String passwordHash, String ntHash) {
    @Override
    public String toString() {
        return "User[" + username + ", role=" + role + ", uid=" + uid + "]"; // no hashes
    }
}
