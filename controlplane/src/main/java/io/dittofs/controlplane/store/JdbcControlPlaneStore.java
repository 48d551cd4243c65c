package io.dittofs.controlplane.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dittofs.controlplane.model.AdapterDef;
import io.dittofs.controlplane.model.Group;
import io.dittofs.controlplane.model.Permission;
import io.dittofs.controlplane.model.Role;
import io.dittofs.controlplane.model.ShareDef;
import io.dittofs.controlplane.model.SharePermission;
import io.dittofs.controlplane.model.StoreDef;
import io.dittofs.controlplane.model.User;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * {@link ControlPlaneStore} over JDBC: the same SQL on SQLite and PostgreSQL. Thread-safe (each
 * call borrows a pooled connection and runs one transaction).
 */
public final class JdbcControlPlaneStore implements ControlPlaneStore {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, String>> STRING_MAP = new TypeReference<>() {
    };

    /** File handles carry the share id in 16 bits. */
    static final int MAX_SHARE_ID = 0xFFFF;

    private final DataSource ds;
    private final AutoCloseable owned;

    /**
     * @param ds          the database
     * @param autoMigrate apply pending migrations; false: fail if any are pending
     * @param owned       closed by {@link #close()} (the pool), or null
     */
    public JdbcControlPlaneStore(DataSource ds, boolean autoMigrate, AutoCloseable owned) {
        this.ds = ds;
        this.owned = owned;
        try (Connection c = ds.getConnection()) {
            Migrations.migrate(c, autoMigrate);
        } catch (SQLException e) {
            throw new StoreException(StoreException.Kind.DATABASE, "cannot migrate the control-plane database: "
                    + e.getMessage(), e);
        }
    }

    @FunctionalInterface
    private interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private <T> T tx(Work<T> w) {
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try {
                T t = w.run(c);
                c.commit();
                return t;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            if ((e.getSQLState() != null && e.getSQLState().startsWith("23")) || e.getErrorCode() == 19) {
                throw new StoreException(StoreException.Kind.CONFLICT, "conflicts with an existing entry", e);
            }
            throw new StoreException(StoreException.Kind.DATABASE, "control-plane database error: " + e.getMessage(), e);
        }
    }

    private static PreparedStatement prep(Connection c, String sql, Object... args) throws SQLException {
        PreparedStatement ps = c.prepareStatement(sql);
        for (int i = 0; i < args.length; i++) {
            Object a = args[i];
            switch (a) {
                case null -> ps.setNull(i + 1, Types.INTEGER);
                case Integer n -> ps.setInt(i + 1, n);
                case Boolean b -> ps.setInt(i + 1, b ? 1 : 0);
                default -> ps.setString(i + 1, a.toString());
            }
        }
        return ps;
    }

    private static int update(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = prep(c, sql, args)) {
            return ps.executeUpdate();
        }
    }

    @FunctionalInterface
    private interface Row<T> {
        T map(ResultSet rs) throws SQLException;
    }

    private static <T> List<T> query(Connection c, Row<T> row, String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = prep(c, sql, args); ResultSet rs = ps.executeQuery()) {
            List<T> out = new ArrayList<>();
            while (rs.next()) {
                out.add(row.map(rs));
            }
            return out;
        }
    }

    private static Integer intOrNull(ResultSet rs, String col) throws SQLException {
        int v = rs.getInt(col);
        return rs.wasNull() ? null : v;
    }

    private static String now() {
        return Instant.now().toString();
    }

    private static String json(Map<String, String> m) {
        try {
            return JSON.writeValueAsString(new TreeMap<>(m));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, String> map(String s) {
        try {
            return JSON.readValue(s, STRING_MAP);
        } catch (JsonProcessingException e) {
            throw new StoreException(StoreException.Kind.DATABASE, "corrupt settings in the database", e);
        }
    }

    @Override
    public boolean ping() {
        try (Connection c = ds.getConnection()) {
            return c.isValid(2);
        } catch (SQLException e) {
            return false;
        }
    }

    @Override
    public int schemaVersion() {
        return tx(Migrations::current);
    }

    // ------------------------------------------------------------------ users

    private static User user(ResultSet rs) throws SQLException {
        return new User(rs.getString("username"), Role.parse(rs.getString("role")), intOrNull(rs, "uid"),
                intOrNull(rs, "gid"), rs.getInt("enabled") != 0, rs.getInt("must_change_password") != 0,
                rs.getString("password_hash"), rs.getString("nt_hash"));
    }

    @Override
    public void createUser(User u) {
        tx(c -> update(c, "INSERT INTO users (username, password_hash, nt_hash, role, uid, gid, enabled, "
                        + "must_change_password, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", u.username(),
                u.passwordHash(), u.ntHash(), u.role().wire(), u.uid(), u.gid(), u.enabled(), u.mustChangePassword(), now()));
    }

    @Override
    public Optional<User> user(String username) {
        return tx(c -> query(c, JdbcControlPlaneStore::user, "SELECT * FROM users WHERE username = ?", username))
                .stream().findFirst();
    }

    @Override
    public List<User> users() {
        return tx(c -> query(c, JdbcControlPlaneStore::user, "SELECT * FROM users ORDER BY username"));
    }

    @Override
    public void updateUser(User u) {
        int n = tx(c -> update(c, "UPDATE users SET password_hash = ?, nt_hash = ?, role = ?, uid = ?, gid = ?, "
                        + "enabled = ?, must_change_password = ? WHERE username = ?", u.passwordHash(), u.ntHash(),
                u.role().wire(), u.uid(), u.gid(), u.enabled(), u.mustChangePassword(), u.username()));
        if (n == 0) {
            throw StoreException.notFound("user " + u.username());
        }
    }

    @Override
    public void deleteUser(String username) {
        int n = tx(c -> {
            update(c, "DELETE FROM share_permissions WHERE principal_type = 'user' AND principal = ?", username);
            update(c, "DELETE FROM group_members WHERE username = ?", username);
            return update(c, "DELETE FROM users WHERE username = ?", username);
        });
        if (n == 0) {
            throw StoreException.notFound("user " + username);
        }
    }

    // ------------------------------------------------------------------ groups

    private static List<Group> groups(Connection c, String where, Object... args) throws SQLException {
        List<Object[]> rows = query(c, rs -> new Object[] {rs.getString("name"), intOrNull(rs, "gid")},
                "SELECT name, gid FROM user_groups " + where + " ORDER BY name", args);
        List<Group> out = new ArrayList<>();
        for (Object[] r : rows) {
            List<String> members = query(c, rs -> rs.getString(1),
                    "SELECT username FROM group_members WHERE group_name = ? ORDER BY username", r[0]);
            out.add(new Group((String) r[0], (Integer) r[1], members));
        }
        return out;
    }

    @Override
    public void createGroup(String name, Integer gid) {
        tx(c -> update(c, "INSERT INTO user_groups (name, gid, created_at) VALUES (?, ?, ?)", name, gid, now()));
    }

    @Override
    public Optional<Group> group(String name) {
        return tx(c -> groups(c, "WHERE name = ?", name)).stream().findFirst();
    }

    @Override
    public List<Group> groups() {
        return tx(c -> groups(c, ""));
    }

    @Override
    public void updateGroup(String name, Integer gid) {
        if (tx(c -> update(c, "UPDATE user_groups SET gid = ? WHERE name = ?", gid, name)) == 0) {
            throw StoreException.notFound("group " + name);
        }
    }

    @Override
    public void deleteGroup(String name) {
        int n = tx(c -> {
            update(c, "DELETE FROM share_permissions WHERE principal_type = 'group' AND principal = ?", name);
            update(c, "DELETE FROM group_members WHERE group_name = ?", name);
            return update(c, "DELETE FROM user_groups WHERE name = ?", name);
        });
        if (n == 0) {
            throw StoreException.notFound("group " + name);
        }
    }

    @Override
    public void addMember(String group, String username) {
        tx(c -> {
            if (query(c, rs -> 1, "SELECT 1 FROM user_groups WHERE name = ?", group).isEmpty()) {
                throw StoreException.notFound("group " + group);
            }
            if (query(c, rs -> 1, "SELECT 1 FROM users WHERE username = ?", username).isEmpty()) {
                throw StoreException.notFound("user " + username);
            }
            if (query(c, rs -> 1, "SELECT 1 FROM group_members WHERE group_name = ? AND username = ?", group, username)
                    .isEmpty()) {
                update(c, "INSERT INTO group_members (group_name, username) VALUES (?, ?)", group, username);
            }
            return null;
        });
    }

    @Override
    public void removeMember(String group, String username) {
        if (tx(c -> update(c, "DELETE FROM group_members WHERE group_name = ? AND username = ?", group, username)) == 0) {
            throw StoreException.notFound("member " + username + " of group " + group);
        }
    }

    // ------------------------------------------------------------------ stores

    private static StoreDef storeDef(ResultSet rs) throws SQLException {
        return new StoreDef(rs.getString("name"), rs.getString("kind"), rs.getString("type"), map(rs.getString("config")));
    }

    @Override
    public void createStore(StoreDef s) {
        tx(c -> update(c, "INSERT INTO stores (kind, name, type, config, created_at) VALUES (?, ?, ?, ?, ?)",
                s.kind(), s.name(), s.type(), json(s.config()), now()));
    }

    @Override
    public Optional<StoreDef> store(String kind, String name) {
        return tx(c -> query(c, JdbcControlPlaneStore::storeDef, "SELECT * FROM stores WHERE kind = ? AND name = ?",
                kind, name)).stream().findFirst();
    }

    @Override
    public List<StoreDef> stores(String kind) {
        return tx(c -> query(c, JdbcControlPlaneStore::storeDef, "SELECT * FROM stores WHERE kind = ? ORDER BY name", kind));
    }

    @Override
    public void deleteStore(String kind, String name) {
        tx(c -> {
            List<String> users = query(c, rs -> rs.getString(1), "SELECT name FROM shares WHERE "
                    + ("metadata".equals(kind) ? "metadata_store" : "block_store") + " = ?", name);
            if (!users.isEmpty()) {
                throw StoreException.conflict(kind + " store " + name + " is used by share(s) " + String.join(", ", users));
            }
            if (update(c, "DELETE FROM stores WHERE kind = ? AND name = ?", kind, name) == 0) {
                throw StoreException.notFound(kind + " store " + name);
            }
            return null;
        });
    }

    // ------------------------------------------------------------------ shares

    private static ShareDef shareDef(ResultSet rs) throws SQLException {
        return new ShareDef(rs.getInt("id"), rs.getString("name"), rs.getString("metadata_store"),
                rs.getString("block_store"), rs.getInt("read_only") != 0, Permission.parse(rs.getString("default_permission")),
                rs.getInt("enabled") != 0, rs.getInt("root_squash") != 0, rs.getInt("anon_uid"), rs.getInt("anon_gid"),
                rs.getInt("secure") != 0, clientList(rs.getString("clients")));
    }

    /** The allowed clients are kept as one comma-separated column (normalized entries contain no comma). */
    private static List<String> clientList(String column) {
        return column == null || column.isEmpty() ? List.of() : List.of(column.split(","));
    }

    @Override
    public ShareDef createShare(ShareDef s) {
        return tx(c -> {
            if (query(c, rs -> 1, "SELECT 1 FROM stores WHERE kind = 'metadata' AND name = ?", s.metadataStore()).isEmpty()) {
                throw StoreException.notFound("metadata store " + s.metadataStore());
            }
            if (query(c, rs -> 1, "SELECT 1 FROM stores WHERE kind = 'block' AND name = ?", s.blockStore()).isEmpty()) {
                throw StoreException.notFound("block store " + s.blockStore());
            }
            if (!query(c, rs -> 1, "SELECT 1 FROM shares WHERE name = ?", s.name()).isEmpty()) {
                throw StoreException.conflict("share " + s.name() + " already exists");
            }
            // ids come from a persisted high-water mark and are never reused, so a file handle of a
            // deleted share (it carries the share id) can never resolve in a share created later
            if (update(c, "UPDATE id_sequences SET last_value = last_value + 1 WHERE name = 'share'") != 1) {
                throw new StoreException(StoreException.Kind.DATABASE, "the share id sequence is missing");
            }
            int id = query(c, rs -> rs.getInt(1), "SELECT last_value FROM id_sequences WHERE name = 'share'").getFirst();
            if (id > MAX_SHARE_ID) {
                throw StoreException.conflict("all " + MAX_SHARE_ID + " share ids have been used (ids are never reused)");
            }
            update(c, "INSERT INTO shares (id, name, metadata_kind, metadata_store, block_kind, block_store, read_only, "
                            + "default_permission, enabled, root_squash, anon_uid, anon_gid, secure, clients, created_at) "
                            + "VALUES (?, ?, 'metadata', ?, 'block', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    id, s.name(), s.metadataStore(), s.blockStore(), s.readOnly(), s.defaultPermission().wire(),
                    s.enabled(), s.rootSquash(), s.anonUid(), s.anonGid(), s.secure(), String.join(",", s.clients()), now());
            return s.withId(id);
        });
    }

    @Override
    public Optional<ShareDef> share(String name) {
        return tx(c -> query(c, JdbcControlPlaneStore::shareDef, "SELECT * FROM shares WHERE name = ?", name))
                .stream().findFirst();
    }

    @Override
    public List<ShareDef> shares() {
        return tx(c -> query(c, JdbcControlPlaneStore::shareDef, "SELECT * FROM shares ORDER BY name"));
    }

    @Override
    public void updateShare(ShareDef s) {
        int n = tx(c -> update(c, "UPDATE shares SET read_only = ?, default_permission = ?, enabled = ?, root_squash = ?, "
                + "anon_uid = ?, anon_gid = ?, secure = ?, clients = ? WHERE id = ?", s.readOnly(), s.defaultPermission().wire(),
                s.enabled(), s.rootSquash(), s.anonUid(), s.anonGid(), s.secure(), String.join(",", s.clients()), s.id()));
        if (n == 0) {
            throw StoreException.notFound("share " + s.name());
        }
    }

    @Override
    public void deleteShare(String name) {
        int n = tx(c -> {
            update(c, "DELETE FROM share_permissions WHERE share_id IN (SELECT id FROM shares WHERE name = ?)", name);
            return update(c, "DELETE FROM shares WHERE name = ?", name);
        });
        if (n == 0) {
            throw StoreException.notFound("share " + name);
        }
    }

    private static int shareId(Connection c, String share) throws SQLException {
        List<Integer> ids = query(c, rs -> rs.getInt(1), "SELECT id FROM shares WHERE name = ?", share);
        if (ids.isEmpty()) {
            throw StoreException.notFound("share " + share);
        }
        return ids.getFirst();
    }

    @Override
    public void setPermission(String share, SharePermission p) {
        tx(c -> {
            int id = shareId(c, share);
            String table = "user".equals(p.principalType()) ? "users WHERE username = ?" : "user_groups WHERE name = ?";
            if (query(c, rs -> 1, "SELECT 1 FROM " + table, p.principal()).isEmpty()) {
                throw StoreException.notFound(p.principalType() + " " + p.principal());
            }
            update(c, "DELETE FROM share_permissions WHERE share_id = ? AND principal_type = ? AND principal = ?",
                    id, p.principalType(), p.principal());
            return update(c, "INSERT INTO share_permissions (share_id, principal_type, principal, permission) "
                    + "VALUES (?, ?, ?, ?)", id, p.principalType(), p.principal(), p.permission().wire());
        });
    }

    @Override
    public void removePermission(String share, String principalType, String principal) {
        tx(c -> {
            int id = shareId(c, share);
            if (update(c, "DELETE FROM share_permissions WHERE share_id = ? AND principal_type = ? AND principal = ?",
                    id, principalType, principal) == 0) {
                throw StoreException.notFound("permission of " + principalType + " " + principal + " on share " + share);
            }
            return null;
        });
    }

    private static SharePermission perm(ResultSet rs) throws SQLException {
        return new SharePermission(rs.getString("principal_type"), rs.getString("principal"),
                Permission.parse(rs.getString("permission")));
    }

    @Override
    public List<SharePermission> permissions(String share) {
        return tx(c -> query(c, JdbcControlPlaneStore::perm, "SELECT * FROM share_permissions WHERE share_id = ? "
                + "ORDER BY principal_type, principal", shareId(c, share)));
    }

    @Override
    public Map<Integer, List<SharePermission>> allPermissions() {
        return tx(c -> {
            Map<Integer, List<SharePermission>> out = new LinkedHashMap<>();
            for (Object[] r : query(c, rs -> new Object[] {rs.getInt("share_id"), perm(rs)},
                    "SELECT * FROM share_permissions ORDER BY share_id")) {
                out.computeIfAbsent((Integer) r[0], k -> new ArrayList<>()).add((SharePermission) r[1]);
            }
            return out;
        });
    }

    // ------------------------------------------------------------------ adapters

    private static AdapterDef adapter(ResultSet rs) throws SQLException {
        return new AdapterDef(rs.getString("type"), rs.getInt("enabled") != 0, rs.getInt("port"), map(rs.getString("settings")));
    }

    @Override
    public void putAdapter(AdapterDef a) {
        tx(c -> {
            if (update(c, "UPDATE adapters SET enabled = ?, port = ?, settings = ? WHERE type = ?",
                    a.enabled(), a.port(), json(a.settings()), a.type()) == 0) {
                update(c, "INSERT INTO adapters (type, enabled, port, settings) VALUES (?, ?, ?, ?)",
                        a.type(), a.enabled(), a.port(), json(a.settings()));
            }
            return null;
        });
    }

    @Override
    public Optional<AdapterDef> adapter(String type) {
        return tx(c -> query(c, JdbcControlPlaneStore::adapter, "SELECT * FROM adapters WHERE type = ?", type))
                .stream().findFirst();
    }

    @Override
    public List<AdapterDef> adapters() {
        return tx(c -> query(c, JdbcControlPlaneStore::adapter, "SELECT * FROM adapters ORDER BY type"));
    }

    // ------------------------------------------------------------------ settings

    @Override
    public void putSetting(String name, String value) {
        tx(c -> {
            if (update(c, "UPDATE settings SET value = ? WHERE name = ?", value, name) == 0) {
                update(c, "INSERT INTO settings (name, value) VALUES (?, ?)", name, value);
            }
            return null;
        });
    }

    @Override
    public Optional<String> setting(String name) {
        return tx(c -> query(c, rs -> rs.getString(1), "SELECT value FROM settings WHERE name = ?", name))
                .stream().findFirst();
    }

    @Override
    public Map<String, String> settings() {
        return tx(c -> {
            Map<String, String> out = new TreeMap<>();
            for (String[] r : query(c, rs -> new String[] {rs.getString(1), rs.getString(2)},
                    "SELECT name, value FROM settings")) {
                out.put(r[0], r[1]);
            }
            return out;
        });
    }

    @Override
    public void deleteSetting(String name) {
        if (tx(c -> update(c, "DELETE FROM settings WHERE name = ?", name)) == 0) {
            throw StoreException.notFound("setting " + name);
        }
    }

    @Override
    public void close() {
        if (owned != null) {
            try {
                owned.close();
            } catch (Exception e) {
                throw new StoreException(StoreException.Kind.DATABASE, "closing the database: " + e.getMessage(), e);
            }
        }
    }
}
