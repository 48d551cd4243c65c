package io.dittofs.controlplane.store;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;

/**
 * Versioned schema migrations of the control-plane database, the same SQL for SQLite and
 * PostgreSQL (booleans are INTEGER 0/1, times ISO-8601 TEXT). Applied in order, each in its own
 * transaction, recorded in {@code schema_version}. Never edit a released migration: add one.
 */
public final class Migrations {
    private static final Logger LOG = LoggerFactory.getLogger(Migrations.class);

    /** One schema step. */
    record Migration(int version, String description, List<String> statements) {
    }

    static final List<Migration> ALL = List.of(
            new Migration(1, "users, groups, stores, shares, permissions, adapters, settings", List.of(
                    """
                    CREATE TABLE users (
                      username TEXT PRIMARY KEY,
                      password_hash TEXT NOT NULL,
                      nt_hash TEXT NOT NULL,
                      role TEXT NOT NULL,
                      uid INTEGER,
                      gid INTEGER,
                      enabled INTEGER NOT NULL,
                      must_change_password INTEGER NOT NULL,
                      created_at TEXT NOT NULL)""",
                    "CREATE UNIQUE INDEX users_uid ON users (uid)",
                    """
                    CREATE TABLE user_groups (
                      name TEXT PRIMARY KEY,
                      gid INTEGER,
                      created_at TEXT NOT NULL)""",
                    """
                    CREATE TABLE group_members (
                      group_name TEXT NOT NULL REFERENCES user_groups (name) ON DELETE CASCADE,
                      username TEXT NOT NULL REFERENCES users (username) ON DELETE CASCADE,
                      PRIMARY KEY (group_name, username))""",
                    """
                    CREATE TABLE stores (
                      kind TEXT NOT NULL,
                      name TEXT NOT NULL,
                      type TEXT NOT NULL,
                      config TEXT NOT NULL,
                      created_at TEXT NOT NULL,
                      PRIMARY KEY (kind, name))""",
                    """
                    CREATE TABLE shares (
                      id INTEGER PRIMARY KEY,
                      name TEXT NOT NULL UNIQUE,
                      metadata_kind TEXT NOT NULL,
                      metadata_store TEXT NOT NULL,
                      block_kind TEXT NOT NULL,
                      block_store TEXT NOT NULL,
                      read_only INTEGER NOT NULL,
                      default_permission TEXT NOT NULL,
                      enabled INTEGER NOT NULL,
                      root_squash INTEGER NOT NULL,
                      created_at TEXT NOT NULL,
                      FOREIGN KEY (metadata_kind, metadata_store) REFERENCES stores (kind, name),
                      FOREIGN KEY (block_kind, block_store) REFERENCES stores (kind, name))""",
                    """
                    CREATE TABLE share_permissions (
                      share_id INTEGER NOT NULL REFERENCES shares (id) ON DELETE CASCADE,
                      principal_type TEXT NOT NULL,
                      principal TEXT NOT NULL,
                      permission TEXT NOT NULL,
                      PRIMARY KEY (share_id, principal_type, principal))""",
                    """
                    CREATE TABLE adapters (
                      type TEXT PRIMARY KEY,
                      enabled INTEGER NOT NULL,
                      port INTEGER NOT NULL,
                      settings TEXT NOT NULL)""",
                    """
                    CREATE TABLE settings (
                      name TEXT PRIMARY KEY,
                      value TEXT NOT NULL)""")),
            new Migration(2, "share export options: anonymous uid/gid, secure port, allowed clients", List.of(
                    "ALTER TABLE shares ADD COLUMN anon_uid INTEGER NOT NULL DEFAULT 65534",
                    "ALTER TABLE shares ADD COLUMN anon_gid INTEGER NOT NULL DEFAULT 65534",
                    "ALTER TABLE shares ADD COLUMN secure INTEGER NOT NULL DEFAULT 0",
                    "ALTER TABLE shares ADD COLUMN clients TEXT NOT NULL DEFAULT ''")),
            new Migration(3, "share ids from a high-water mark: never reused", List.of(
                    """
                    CREATE TABLE id_sequences (
                      name TEXT PRIMARY KEY,
                      last_value INTEGER NOT NULL)""",
                    "INSERT INTO id_sequences (name, last_value) SELECT 'share', COALESCE(MAX(id), 0) FROM shares")));

    /** Key of the PostgreSQL advisory lock that serializes migrations ("DFSMIGR" in ASCII). */
    static final long PG_LOCK_KEY = 0x44_4653_4d49_4752L;

    private Migrations() {
    }

    /** The newest schema version this build knows. */
    public static int latest() {
        return ALL.getLast().version();
    }

    /** The schema version of the database, 0 when it has none. */
    static int current(Connection c) throws SQLException {
        DatabaseMetaData md = c.getMetaData();
        boolean exists;
        try (ResultSet rs = md.getTables(null, null, "schema_version", null)) {
            exists = rs.next();
        }
        if (!exists) {
            return 0;
        }
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT MAX(version) FROM schema_version")) {
            return rs.next() ? rs.getInt(1) : 0;
        }
    }

    /**
     * Brings the schema up to date, or checks it is. Servers sharing one database migrate one at a
     * time: on PostgreSQL under a session advisory lock ({@link #PG_LOCK_KEY}), on SQLite inside
     * one {@code BEGIN IMMEDIATE} transaction (the database's write lock); either way the version
     * is read again once the lock is held, so a server that waited finds the work done.
     *
     * @param apply false: only check, and fail if migrations are pending (auto-migrate off)
     */
    static void migrate(Connection c, boolean apply) throws SQLException {
        if (!check(current(c), apply)) {
            return; // up to date
        }
        if (c.getMetaData().getDatabaseProductName().toLowerCase(java.util.Locale.ROOT).contains("postgres")) {
            try (Statement s = c.createStatement()) {
                s.execute("SELECT pg_advisory_lock(" + PG_LOCK_KEY + ")");
            }
            try {
                migrateLocked(c, null);
            } finally {
                try (Statement s = c.createStatement()) {
                    s.execute("SELECT pg_advisory_unlock(" + PG_LOCK_KEY + ")");
                }
            }
        } else {
            migrateLocked(c, "BEGIN IMMEDIATE");
        }
    }

    /** Fails unless the schema is current, or older and {@code apply} is on; true when there is work. */
    private static boolean check(int cur, boolean apply) {
        if (cur > latest()) {
            throw new StoreException(StoreException.Kind.DATABASE, "the control-plane database has schema version "
                    + cur + ", newer than this server knows (" + latest() + "); upgrade the server");
        }
        if (cur == latest()) {
            return false;
        }
        if (!apply) {
            throw new StoreException(StoreException.Kind.DATABASE, "the control-plane database has schema version "
                    + cur + " but this server needs " + latest() + " and database.auto_migrate is off");
        }
        return true;
    }

    /**
     * Applies the pending migrations while holding the lock. With {@code begin} (SQLite) everything
     * runs in one explicitly begun transaction; without (PostgreSQL, already locked) each migration
     * commits on its own.
     */
    private static void migrateLocked(Connection c, String begin) throws SQLException {
        boolean auto = c.getAutoCommit();
        if (begin != null) {
            c.setAutoCommit(true);
            try (Statement s = c.createStatement()) {
                s.execute(begin);
            }
        } else {
            c.setAutoCommit(false);
        }
        try {
            int cur = current(c);
            if (check(cur, true)) {
                apply(c, cur, begin == null);
            }
            if (begin != null) {
                try (Statement s = c.createStatement()) {
                    s.execute("COMMIT");
                }
            }
        } catch (SQLException | RuntimeException e) {
            if (begin != null) {
                try (Statement s = c.createStatement()) {
                    s.execute("ROLLBACK");
                }
            } else {
                c.rollback();
            }
            throw e;
        } finally {
            c.setAutoCommit(auto);
        }
    }

    private static void apply(Connection c, int cur, boolean commitEach) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, "
                    + "description TEXT NOT NULL, applied_at TEXT NOT NULL)");
        }
        for (Migration m : ALL) {
            if (m.version() <= cur) {
                continue;
            }
            try (Statement s = c.createStatement()) {
                for (String sql : m.statements()) {
                    s.execute(sql);
                }
            }
            try (var ps = c.prepareStatement("INSERT INTO schema_version VALUES (?, ?, ?)")) {
                ps.setInt(1, m.version());
                ps.setString(2, m.description());
                ps.setString(3, Instant.now().toString());
                ps.executeUpdate();
            }
            if (commitEach) {
                c.commit();
            }
            LOG.info("control-plane schema migrated to version {}: {}", m.version(), m.description());
        }
    }
}
