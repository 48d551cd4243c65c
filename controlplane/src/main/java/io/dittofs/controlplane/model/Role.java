package io.dittofs.controlplane.model;

import java.util.Locale;

/** Control-plane roles: admin does everything, operator manages shares, stores and adapters, user manages itself. */
public enum Role {
    USER, OPERATOR, ADMIN;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Role parse(String s) {
        if (s != null) {
            for (Role r : values()) {
                if (r.wire().equals(s.toLowerCase(Locale.ROOT))) {
                    return r;
                }
            }
        }
        throw new IllegalArgumentException("role must be admin, operator or user, not '" + s + "'");
    }

    public boolean atLeast(Role r) {
        return ordinal() >= r.ordinal();
    }
}
