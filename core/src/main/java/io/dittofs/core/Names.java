package io.dittofs.core;

import java.nio.charset.StandardCharsets;

/** Validation of directory entry names. Stateless and thread-safe. */
public final class Names {
    /** The longest name in bytes (UTF-8), as for POSIX NAME_MAX. */
    public static final int NAME_MAX = 255;
    /** The longest symlink target in bytes. */
    public static final int PATH_MAX = 4096;

    private Names() {
    }

    /**
     * Checks a name that is about to be created or looked up: not empty, at most
     * {@link #NAME_MAX} bytes, no '/' and no NUL.
     */
    public static void check(String name) {
        if (name == null || name.isEmpty()) {
            throw new FsException(FsError.INVALID, "empty name");
        }
        if (name.length() > NAME_MAX || name.getBytes(StandardCharsets.UTF_8).length > NAME_MAX) {
            throw new FsException(FsError.NAME_TOO_LONG, "name longer than " + NAME_MAX + " bytes");
        }
        if (name.indexOf('/') >= 0 || name.indexOf('\0') >= 0) {
            throw new FsException(FsError.INVALID, "name contains '/' or NUL");
        }
    }

    /** {@link #check} plus: "." and ".." cannot be created, removed or renamed. */
    public static void checkNew(String name) {
        check(name);
        if (isDot(name)) {
            throw new FsException(FsError.EXISTS, "'" + name + "' always exists");
        }
    }

    public static boolean isDot(String name) {
        return ".".equals(name) || "..".equals(name);
    }
}
