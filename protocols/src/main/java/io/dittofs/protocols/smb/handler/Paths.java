package io.dittofs.protocols.smb.handler;

import io.dittofs.core.AuthContext;
import io.dittofs.core.FileSystem;
import io.dittofs.core.FsError;
import io.dittofs.core.FsException;
import io.dittofs.core.Inode;
import io.dittofs.core.Results;
import io.dittofs.protocols.smb.NtStatus;
import io.dittofs.protocols.smb.SmbStatusException;

/**
 * Resolves share-relative SMB paths ({@code dir\sub\name}, MS-SMB2 2.2.13 "relative to the
 * share") to a parent directory and a last component, with Windows name rules and
 * case-insensitive matching.
 *
 * <p>Case: a component is first looked up exactly (the NFS view of the same files stays
 * case-sensitive and two names that differ only in case, made over NFS, both stay reachable);
 * only when there is no exact entry is the directory scanned for a name equal ignoring case (the
 * first in directory order wins), as Samba does with {@code case sensitive = auto}. So SMB never
 * creates a second name that differs from an existing one only in case, and the resolved path
 * carries the names as stored (FileNormalizedNameInformation). The scan costs one directory
 * listing per miss. Stateless; thread-safe.
 */
final class Paths {
    static final int MAX_PATH_CHARS = 32_767;
    private static final int SCAN_PAGE = 512;

    /** A resolved path: the parent directory, the last component ("" for the root itself). */
    record Resolved(long parent, String name, String path) {
        boolean isRoot() {
            return name.isEmpty();
        }

        /** The same path with the last component spelled as stored. */
        Resolved withName(String stored) {
            return new Resolved(parent, stored, path.substring(0, path.length() - name.length()) + stored);
        }
    }

    private Paths() {
    }

    static String normalize(String raw) {
        String p = raw.replace('/', '\\');
        while (p.startsWith("\\")) {
            p = p.substring(1);
        }
        while (p.endsWith("\\")) {
            p = p.substring(0, p.length() - 1);
        }
        return p;
    }

    /** Walks every component but the last; a missing or non-directory one is OBJECT_PATH_NOT_FOUND. */
    static Resolved resolve(FileSystem fs, AuthContext ctx, String raw) {
        String p = normalize(raw);
        if (p.isEmpty()) {
            return new Resolved(fs.rootId(), "", "");
        }
        String[] parts = p.split("\\\\", -1);
        for (String part : parts) {
            check(part);
        }
        long dir = fs.rootId();
        StringBuilder path = new StringBuilder(p.length());
        for (int i = 0; i < parts.length - 1; i++) {
            Found f;
            try {
                f = find(fs, ctx, dir, parts[i]);
            } catch (FsException e) {
                if (e.error() == FsError.NOT_DIRECTORY) {
                    throw notFound(parts[i]);
                }
                throw e;
            }
            if (f == null || !f.inode().isDirectory()) {
                throw notFound(parts[i]);
            }
            path.append(f.name()).append('\\');
            dir = f.inode().id();
        }
        String last = parts[parts.length - 1];
        return new Resolved(dir, last, path.append(last).toString());
    }

    private static SmbStatusException notFound(String component) {
        return new SmbStatusException(NtStatus.OBJECT_PATH_NOT_FOUND, "no directory " + component);
    }

    /**
     * Windows name rules (MS-FSCC 2.1.5.2, 2.1.5.3): no empty, "." or ".." components, no control
     * characters or {@code " * : < > ? |} (so {@code name:stream} is OBJECT_NAME_INVALID: there are
     * no alternate data streams), no trailing space, at most 255 characters.
     */
    static void check(String c) {
        if (c.isEmpty() || c.equals(".") || c.equals("..")) {
            throw new SmbStatusException(NtStatus.OBJECT_NAME_INVALID, "bad path component");
        }
        for (int i = 0; i < c.length(); i++) {
            char ch = c.charAt(i);
            if (ch < 0x20 || "\"*:<>?|".indexOf(ch) >= 0) {
                throw new SmbStatusException(NtStatus.OBJECT_NAME_INVALID, "bad character in a name");
            }
        }
        if (c.endsWith(" ")) {
            throw new SmbStatusException(NtStatus.OBJECT_NAME_INVALID, "trailing space in a name");
        }
        if (c.length() > 255) {
            throw new SmbStatusException(NtStatus.OBJECT_NAME_INVALID, "name too long");
        }
    }

    /** An entry found by {@link #find}: its name as stored and its attributes. */
    record Found(String name, Inode inode) {
    }

    /** The entry, exact name first, else the first entry equal ignoring case; null when none. */
    static Inode lookupOrNull(FileSystem fs, AuthContext ctx, long dir, String name) {
        Found f = find(fs, ctx, dir, name);
        return f == null ? null : f.inode();
    }

    /** {@link #lookupOrNull} with the stored name. */
    static Found find(FileSystem fs, AuthContext ctx, long dir, String name) {
        try {
            return new Found(name, fs.lookup(ctx, dir, name));
        } catch (FsException e) {
            if (e.error() != FsError.NOT_FOUND) {
                throw e;
            }
        }
        String stored = caseMatch(fs, ctx, dir, name);
        if (stored == null) {
            return null;
        }
        try {
            return new Found(stored, fs.lookup(ctx, dir, stored));
        } catch (FsException e) {
            if (e.error() == FsError.NOT_FOUND) {
                return null; // removed meanwhile
            }
            throw e;
        }
    }

    /** The first name in {@code dir} equal to {@code name} ignoring case (Unicode simple case folding), or null. */
    private static String caseMatch(FileSystem fs, AuthContext ctx, long dir, String name) {
        long cookie = 0;
        while (true) {
            Results.DirPage page = fs.readdir(ctx, dir, cookie, SCAN_PAGE, false);
            for (Results.Entry e : page.entries()) {
                cookie = e.cookie();
                if (e.name().equalsIgnoreCase(name) && !e.name().equals(".") && !e.name().equals("..")) {
                    return e.name();
                }
            }
            if (page.eof() || page.entries().isEmpty()) {
                return null;
            }
        }
    }
}
