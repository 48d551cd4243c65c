package io.dittofs.storage.metadata.postgres;

import io.dittofs.core.FsError;
import io.dittofs.core.FsException;

import java.sql.SQLException;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The SQL of one store, with its table prefix filled in once. Identifiers are checked against
 * {@link #PREFIX} so they never need quoting (and never carry injected SQL).
 */
final class PgSql {
    /** Table prefixes: a lower-case identifier, short enough for index names to fit in 63 bytes. */
    static final Pattern PREFIX = Pattern.compile("[a-z_][a-z0-9_]{0,39}");

    /** The schema version this code writes and understands (2 added the xattrs table; 1 is upgraded). */
    static final int SCHEMA_VERSION = 2;

    static final String INODE_COLUMNS = "type, mode, nlink, uid, gid, size, atime, mtime, ctime, rdev, parent, verifier, symlink";

    final String prefix;
    final String versionTable;
    final String inodes;
    final String entries;
    final String cookies;
    final String ids;
    final String xattrs;

    final String get;
    final String getForUpdate;
    final String put;
    final String delete;
    final String deleteCookieCounter;
    final String allocateId;
    final String lookup;
    final String addEntry;
    final String removeEntry;
    final String list;
    final String isEmpty;
    final String countFiles;
    final String estimateFiles;

    PgSql(String prefix) {
        if (prefix == null || !PREFIX.matcher(prefix).matches()) {
            throw new IllegalArgumentException("table prefix must match " + PREFIX.pattern() + ": '" + prefix + "'");
        }
        this.prefix = prefix;
        versionTable = prefix + "_schema_version";
        inodes = prefix + "_inodes";
        entries = prefix + "_entries";
        cookies = prefix + "_dir_cookies";
        ids = prefix + "_ids";
        xattrs = prefix + "_xattrs";

        get = "SELECT " + INODE_COLUMNS + " FROM " + inodes + " WHERE id = ?";
        getForUpdate = get + " FOR UPDATE";
        put = "INSERT INTO " + inodes + " (id, " + INODE_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                + " ON CONFLICT (id) DO UPDATE SET type = EXCLUDED.type, mode = EXCLUDED.mode, nlink = EXCLUDED.nlink,"
                + " uid = EXCLUDED.uid, gid = EXCLUDED.gid, size = EXCLUDED.size, atime = EXCLUDED.atime,"
                + " mtime = EXCLUDED.mtime, ctime = EXCLUDED.ctime, rdev = EXCLUDED.rdev, parent = EXCLUDED.parent,"
                + " verifier = EXCLUDED.verifier, symlink = EXCLUDED.symlink";
        delete = "DELETE FROM " + inodes + " WHERE id = ? RETURNING type";
        // ids are never reused, so an empty deleted directory's counter is garbage
        deleteCookieCounter = "DELETE FROM " + cookies + " WHERE dir = ? AND NOT EXISTS (SELECT 1 FROM " + entries
                + " WHERE dir = ?)";
        allocateId = "SELECT nextval('" + ids + "')";
        lookup = "SELECT child, cookie FROM " + entries + " WHERE dir = ? AND name = ?";
        // one round trip: bump the directory's counter (its row lock orders concurrent adders), then
        // insert; a taken name inserts nothing (and burns a cookie, which is harmless)
        addEntry = "WITH c AS (INSERT INTO " + cookies + " AS k (dir, last) VALUES (?, 1)"
                + " ON CONFLICT (dir) DO UPDATE SET last = k.last + 1 RETURNING last)"
                + " INSERT INTO " + entries + " (dir, name, child, cookie) SELECT ?, ?, ?, last FROM c"
                + " ON CONFLICT DO NOTHING RETURNING cookie";
        removeEntry = "DELETE FROM " + entries + " WHERE dir = ? AND name = ?";
        list = "SELECT name, child, cookie FROM " + entries + " WHERE dir = ? AND cookie > ? ORDER BY cookie LIMIT ?";
        isEmpty = "SELECT 1 FROM " + entries + " WHERE dir = ? LIMIT 1";
        countFiles = "SELECT count(*) FROM " + inodes;
        estimateFiles = "SELECT reltuples::bigint FROM pg_class WHERE oid = to_regclass('" + inodes + "')";
    }

    /** The statements that create the current schema. */
    List<String> createSchema() {
        List<String> all = new java.util.ArrayList<>(createSchemaV1());
        all.addAll(upgradeFrom1());
        return all;
    }

    /** Version 1 to 2: extended attributes, deleted with their inode by the foreign key. */
    List<String> upgradeFrom1() {
        return List.of("CREATE TABLE " + xattrs + " (id bigint NOT NULL REFERENCES " + inodes + " (id) ON DELETE CASCADE,"
                + " name text COLLATE \"C\" NOT NULL, value bytea NOT NULL, PRIMARY KEY (id, name))");
    }

    /** The statements that create schema version 1. */
    private List<String> createSchemaV1() {
        return List.of(
                "CREATE TABLE " + inodes + " (id bigint PRIMARY KEY, type smallint NOT NULL, mode integer NOT NULL,"
                        + " nlink integer NOT NULL, uid integer NOT NULL, gid integer NOT NULL, size bigint NOT NULL,"
                        + " atime bigint NOT NULL, mtime bigint NOT NULL, ctime bigint NOT NULL, rdev bigint NOT NULL,"
                        + " parent bigint NOT NULL, verifier bigint NOT NULL, symlink text)",
                "CREATE TABLE " + entries + " (dir bigint NOT NULL, name text COLLATE \"C\" NOT NULL,"
                        + " child bigint NOT NULL, cookie bigint NOT NULL, PRIMARY KEY (dir, name))",
                "CREATE UNIQUE INDEX " + entries + "_cookie ON " + entries + " (dir, cookie)",
                "CREATE TABLE " + cookies + " (dir bigint PRIMARY KEY, last bigint NOT NULL)",
                // CACHE 1: ids increase in allocation order even across servers sharing the database
                "CREATE SEQUENCE " + ids + " START WITH 2 MINVALUE 2 CACHE 1");
    }

    // ---------------------------------------------------------------- errors

    static final String SERIALIZATION_FAILURE = "40001";
    static final String DEADLOCK = "40P01";
    static final String DISK_FULL = "53100";

    /** An SQL failure as the file system reports it; the SQLException stays the cause. */
    static FsException failed(String what, SQLException e) {
        FsError error = DISK_FULL.equals(e.getSQLState()) ? FsError.NO_SPACE : FsError.IO;
        return new FsException(error, "PostgreSQL " + what + ": " + e.getMessage(), e);
    }

    /** True if {@code t} (or a cause) is a serialization failure or deadlock that a retry may clear. */
    static boolean retryable(Throwable t) {
        for (int depth = 0; t != null && depth < 8; depth++, t = t.getCause()) {
            if (t instanceof SQLException s) {
                for (SQLException n = s; n != null; n = n.getNextException()) {
                    String state = n.getSQLState();
                    if (SERIALIZATION_FAILURE.equals(state) || DEADLOCK.equals(state)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }
}
