package io.dittofs.controlplane.model;

import io.dittofs.core.ShareAccess;

import java.util.Locale;

/** What a user or group may do on a share. Wire names: {@code none}, {@code read}, {@code read-write}. */
public enum Permission {
    NONE("none"), READ("read"), READ_WRITE("read-write");

    private final String wire;

    Permission(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }

    /** Parses a wire name (also {@code read_write}, {@code rw}); throws {@link IllegalArgumentException}. */
    public static Permission parse(String s) {
        if (s != null) {
            switch (s.toLowerCase(Locale.ROOT)) {
                case "none" -> {
                    return NONE;
                }
                case "read", "ro", "read-only" -> {
                    return READ;
                }
                case "read-write", "read_write", "rw" -> {
                    return READ_WRITE;
                }
                default -> {
                }
            }
        }
        throw new IllegalArgumentException("permission must be none, read or read-write, not '" + s + "'");
    }

    public ShareAccess toAccess() {
        return switch (this) {
            case NONE -> ShareAccess.NONE;
            case READ -> ShareAccess.READ;
            case READ_WRITE -> ShareAccess.READ_WRITE;
        };
    }

    public Permission max(Permission o) {
        return o.ordinal() > ordinal() ? o : this;
    }
}
