package io.dittofs.core;

import io.dittofs.core.Results.Wcc;
import io.dittofs.core.spi.MetadataTxn;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.dittofs.core.Checks.require;

/**
 * Extended attributes of a share's objects: what NFSv4.2 GETXATTR, SETXATTR, LISTXATTRS and
 * REMOVEXATTR (RFC 8276) and SMB extended attributes (MS-FSCC 2.4.15) read and write, kept in
 * the metadata store beside the inode ({@link MetadataTxn#getXattr} and friends).
 *
 * <p>Names are the user namespace of Linux without its {@code user.} prefix, which is how the
 * Linux NFS and CIFS clients send them ({@code setfattr -n user.foo} arrives as {@code foo}); they
 * are compared exactly (case-sensitive). The limits are Linux's: a name of at most
 * {@value #NAME_MAX} UTF-8 bytes (XATTR_NAME_MAX), a value of at most {@value #VALUE_MAX} bytes
 * (XATTR_SIZE_MAX), a name list ({@code listxattr} form, each name plus a NUL) of at most
 * {@value #LIST_MAX} bytes (XATTR_LIST_MAX), and names plus values of one object of at most
 * {@value #TOTAL_MAX} bytes (the space one inode may use, ENOSPC past it).
 *
 * <p>Permissions follow Linux for the user namespace ({@code xattr_permission}): reading or
 * listing needs read permission, setting or removing needs write permission (the owner always
 * has it, as for NFS writes) on a regular file or directory, and in a sticky directory only its
 * owner (or root) may change them. Setting or removing moves the object's ctime (so its NFS
 * {@code change} attribute) and is durable before it returns.
 *
 * <p>Part of {@link FileSystem} ({@link FileSystem#xattrs()}); holds no state of its own beyond
 * the share's {@link FsBackend}. Thread-safe.
 */
public final class XattrOps {
    /** Longest name in UTF-8 bytes (Linux XATTR_NAME_MAX). */
    public static final int NAME_MAX = 255;
    /** Largest value in bytes (Linux XATTR_SIZE_MAX). */
    public static final int VALUE_MAX = 64 * 1024;
    /** Largest name list, each name counted with a terminating NUL (Linux XATTR_LIST_MAX). */
    public static final int LIST_MAX = 64 * 1024;
    /** Most bytes of names and values one object may hold. */
    public static final int TOTAL_MAX = 1024 * 1024;

    /** How a set treats an existing attribute (RFC 8276 section 8.3 {@code setxattr_option4}). */
    public enum SetMode {
        /** SETXATTR4_EITHER: create or replace. */
        EITHER,
        /** SETXATTR4_CREATE: EXISTS if the attribute is there. */
        CREATE,
        /** SETXATTR4_REPLACE: NO_XATTR if it is not. */
        REPLACE
    }

    /**
     * One change of a batch ({@link #update}).
     *
     * @param name  the attribute
     * @param value its new value, or null to remove it (nothing happens if it is absent)
     */
    public record Change(String name, byte[] value) {
    }

    private final FsBackend fs;

    XattrOps(FsBackend fs) {
        this.fs = fs;
    }

    /**
     * The value of attribute {@code name} of {@code id}.
     *
     * @throws FsException NO_XATTR if it has none of that name, ACCESS_DENIED without read permission
     */
    public byte[] get(AuthContext ctx, long id, String name) {
        checkName(name);
        byte[] v = fs.meta().read(t -> {
            requireReadable(ctx, require(t, id));
            return t.getXattr(id, name);
        });
        if (v == null) {
            throw new FsException(FsError.NO_XATTR, name);
        }
        return v;
    }

    /** The names of {@code id}'s attributes, in code-point order. Needs read permission. */
    public List<String> list(AuthContext ctx, long id) {
        return fs.meta().read(t -> {
            requireReadable(ctx, require(t, id));
            return t.listXattrs(id);
        });
    }

    /** Every attribute of {@code id} with its value, in name order, from one snapshot. Needs read permission. */
    public Map<String, byte[]> all(AuthContext ctx, long id) {
        return fs.meta().read(t -> {
            requireReadable(ctx, require(t, id));
            Map<String, byte[]> out = new LinkedHashMap<>();
            for (String n : t.listXattrs(id)) {
                byte[] v = t.getXattr(id, n);
                if (v != null) {
                    out.put(n, v);
                }
            }
            return out;
        });
    }

    /**
     * Sets attribute {@code name} of {@code id} to {@code value} (SETXATTR).
     *
     * @return the object before and after (its ctime moved)
     * @throws FsException EXISTS (CREATE and present), NO_XATTR (REPLACE and absent),
     *                     XATTR_TOO_BIG (value over {@link #VALUE_MAX}), NO_SPACE (object over its limits)
     */
    public Wcc set(AuthContext ctx, long id, String name, byte[] value, SetMode mode) {
        checkName(name);
        checkValue(value);
        fs.checkWritable();
        return fs.mutate(t -> {
            Inode before = requireWritable(ctx, require(t, id));
            boolean present = t.getXattr(id, name) != null;
            if (mode == SetMode.CREATE && present) {
                throw new FsException(FsError.EXISTS, "xattr " + name);
            }
            if (mode == SetMode.REPLACE && !present) {
                throw new FsException(FsError.NO_XATTR, name);
            }
            t.setXattr(id, name, value);
            checkLimits(t, id);
            return touched(t, before);
        });
    }

    /**
     * Removes attribute {@code name} of {@code id} (REMOVEXATTR).
     *
     * @throws FsException NO_XATTR if it has none of that name
     */
    public Wcc remove(AuthContext ctx, long id, String name) {
        checkName(name);
        fs.checkWritable();
        return fs.mutate(t -> {
            Inode before = requireWritable(ctx, require(t, id));
            if (!t.removeXattr(id, name)) {
                throw new FsException(FsError.NO_XATTR, name);
            }
            return touched(t, before);
        });
    }

    /**
     * Applies {@code changes} in order in one transaction (all or none): a null value removes
     * the attribute if present, anything else sets it. For SMB, which sets a list of EAs at once.
     */
    public Wcc update(AuthContext ctx, long id, List<Change> changes) {
        for (Change c : changes) {
            checkName(c.name());
            if (c.value() != null) {
                checkValue(c.value());
            }
        }
        fs.checkWritable();
        return fs.mutate(t -> {
            Inode before = requireWritable(ctx, require(t, id));
            for (Change c : changes) {
                if (c.value() == null) {
                    t.removeXattr(id, c.name());
                } else {
                    t.setXattr(id, c.name(), c.value());
                }
            }
            checkLimits(t, id);
            return touched(t, before);
        });
    }

    /** Checks a name: not empty, no NUL, at most {@link #NAME_MAX} UTF-8 bytes. */
    public static void checkName(String name) {
        if (name == null || name.isEmpty() || name.indexOf('\0') >= 0) {
            throw new FsException(FsError.INVALID, "xattr name empty or holding NUL");
        }
        if (name.length() > NAME_MAX || utf8Length(name) > NAME_MAX) {
            throw new FsException(FsError.NAME_TOO_LONG, "xattr name longer than " + NAME_MAX + " bytes");
        }
    }

    private static void checkValue(byte[] value) {
        if (value == null) {
            throw new FsException(FsError.INVALID, "no xattr value");
        }
        if (value.length > VALUE_MAX) {
            throw new FsException(FsError.XATTR_TOO_BIG, "xattr value of " + value.length + " bytes");
        }
    }

    static int utf8Length(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    /** After a change inside {@code t}: the object's name list and total size must stay within the limits. */
    private static void checkLimits(MetadataTxn t, long id) {
        long list = 0;
        long total = 0;
        for (String n : t.listXattrs(id)) {
            int len = utf8Length(n);
            byte[] v = t.getXattr(id, n);
            list += len + 1;
            total += len + (v == null ? 0 : v.length);
        }
        if (list > LIST_MAX || total > TOTAL_MAX) {
            throw new FsException(FsError.NO_SPACE, "extended attributes of " + id + " over their limit");
        }
    }

    private Wcc touched(MetadataTxn t, Inode before) {
        Inode after = before.withTimes(before.atimeNs(), before.mtimeNs(), fs.now());
        t.put(after);
        return new Wcc(before, after);
    }

    private static void requireReadable(AuthContext ctx, Inode n) {
        Permissions.require(ctx, n, Permissions.READ);
    }

    /** Linux xattr_permission for the user namespace, with the NFS owner override for write. */
    private static Inode requireWritable(AuthContext ctx, Inode n) {
        if (n.type() != FileType.REGULAR && !n.isDirectory()) {
            throw new FsException(FsError.NOT_OWNER, "user xattrs only on files and directories (EPERM)");
        }
        if (n.isDirectory() && (n.mode() & Inode.S_ISVTX) != 0 && !ctx.isRoot() && ctx.uid() != n.uid()) {
            throw new FsException(FsError.NOT_OWNER, "sticky directory: only its owner sets xattrs (EPERM)");
        }
        if (!Checks.ownerOverride(ctx, n, Permissions.WRITE)) {
            throw new FsException(FsError.ACCESS_DENIED, "xattr change needs write permission");
        }
        return n;
    }
}
