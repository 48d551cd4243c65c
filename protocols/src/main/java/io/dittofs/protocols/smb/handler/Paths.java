package io.dittofs.protocols.smb.handler;

import io.dittofs.core.AuthContext;
import io.dittofs.core.FileSystem;
import io.dittofs.core.FsError;
import io.dittofs.core.FsException;
import io.dittofs.core.Inode;
import io.dittofs.protocols.smb.NtStatus;
import io.dittofs.protocols.smb.SmbStatusException;

/**
 * Resolves share-relative SMB paths ({@code dir\sub\name}, MS-SMB2 2.2.13 "relative to the
 * share") to a parent directory and a last component. Names are taken as given (case-sensitive,
 * like the NFS view of the same files). Stateless; thread-safe.
 */
final class Paths {
    static final int MAX_PATH_CHARS = 32_767;

    /** A resolved path: the parent directory, the last component ("" for the root itself). */
    record Resolved(long parent, String name, String path) {
        boolean isRoot() {
            return name.isEmpty();
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
        long dir = fs.rootId();
        for (int i = 0; i < parts.length - 1; i++) {
            check(parts[i]);
            Inode n;
            try {
                n = fs.lookup(ctx, dir, parts[i]);
            } catch (FsException e) {
                if (e.error() == FsError.NOT_FOUND || e.error() == FsError.NOT_DIRECTORY) {
                    throw new SmbStatusException(NtStatus.OBJECT_PATH_NOT_FOUND, "no directory " + parts[i]);
                }
                throw e;
            }
            if (!n.isDirectory()) {
                throw new SmbStatusException(NtStatus.OBJECT_PATH_NOT_FOUND, parts[i] + " is not a directory");
            }
            dir = n.id();
        }
        String last = parts[parts.length - 1];
        check(last);
        return new Resolved(dir, last, p);
    }

    /** Windows name rules (MS-FSCC 2.1.5.2): no empty, "." or ".." components, no reserved characters. */
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
        if (c.length() > 255) {
            throw new SmbStatusException(NtStatus.OBJECT_NAME_INVALID, "name too long");
        }
    }

    /** The entry, or null when the name does not exist. */
    static Inode lookupOrNull(FileSystem fs, AuthContext ctx, long dir, String name) {
        try {
            return fs.lookup(ctx, dir, name);
        } catch (FsException e) {
            if (e.error() == FsError.NOT_FOUND) {
                return null;
            }
            throw e;
        }
    }
}
