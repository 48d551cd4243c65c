package io.dittofs.storage.metadata.postgres;

import io.dittofs.core.FsError;
import io.dittofs.core.FsException;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The extended attributes of {@link PostgresMetadataStore}: rows of {@code <prefix>_xattrs}
 * {@code (id, name COLLATE "C", value bytea)}, listed in name byte order; the foreign key
 * deletes them with their inode ({@code ON DELETE CASCADE}). Names cannot hold NUL (text
 * cannot), so such a name is never found and cannot be set.
 *
 * <p>Stateless: each call runs on the connection (and transaction) it is handed.
 */
final class PgXattrs {
    private PgXattrs() {
    }

    static byte[] get(PgSql sql, Connection c, long id, String name) {
        if (name.indexOf('\0') >= 0) {
            return null;
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT value FROM " + sql.xattrs + " WHERE id = ? AND name = ?")) {
            ps.setLong(1, id);
            ps.setString(2, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getBytes(1) : null;
            }
        } catch (SQLException e) {
            throw PgSql.failed("get xattr", e);
        }
    }

    static List<String> list(PgSql sql, Connection c, long id) {
        try (PreparedStatement ps = c.prepareStatement("SELECT name FROM " + sql.xattrs + " WHERE id = ? ORDER BY name")) {
            ps.setLong(1, id);
            List<String> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
            return out;
        } catch (SQLException e) {
            throw PgSql.failed("list xattrs", e);
        }
    }

    static void set(PgSql sql, Connection c, long id, String name, byte[] value) {
        if (name.indexOf('\0') >= 0) {
            throw new FsException(FsError.INVALID, "xattr name contains NUL");
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + sql.xattrs + " (id, name, value) VALUES (?, ?, ?)"
                + " ON CONFLICT (id, name) DO UPDATE SET value = EXCLUDED.value")) {
            ps.setLong(1, id);
            ps.setString(2, name);
            ps.setBytes(3, value);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw PgSql.failed("set xattr", e);
        }
    }

    static boolean remove(PgSql sql, Connection c, long id, String name) {
        if (name.indexOf('\0') >= 0) {
            return false;
        }
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + sql.xattrs + " WHERE id = ? AND name = ?")) {
            ps.setLong(1, id);
            ps.setString(2, name);
            return ps.executeUpdate() > 0;
        } catch (SQLException e) {
            throw PgSql.failed("remove xattr", e);
        }
    }
}
