package io.dittofs.storage.metadata.postgres;

import io.dittofs.core.DirEntry;
import io.dittofs.core.FileType;
import io.dittofs.core.FsError;
import io.dittofs.core.FsException;
import io.dittofs.core.Inode;
import io.dittofs.core.spi.MetadataTxn;
import io.dittofs.core.spi.ReadOnlyMetadataTxn;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;

/**
 * The readers of a transaction on one JDBC connection; {@link Read} and {@link Write} add the
 * (refusing or real) mutators. Not thread-safe; unusable once the transaction has ended.
 */
abstract sealed class PgTxn implements MetadataTxn permits PgTxn.Read, PgTxn.Write {
    /** Rows fetched per round trip for large listings. */
    private static final int FETCH = 512;

    final PgSql sql;
    final Connection c;
    private boolean ended;

    PgTxn(PgSql sql, Connection c) {
        this.sql = sql;
        this.c = c;
    }

    void end() {
        ended = true;
    }

    void checkActive() {
        if (ended) {
            throw new IllegalStateException("transaction has ended");
        }
    }

    /** The statement that reads an inode: write transactions lock the row they may write back. */
    abstract String getSql();

    @Override
    public Inode get(long id) {
        checkActive();
        try (PreparedStatement ps = c.prepareStatement(getSql())) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                return new Inode(id, FileType.fromOrdinal(rs.getShort(1)), rs.getInt(2), rs.getInt(3), rs.getInt(4),
                        rs.getInt(5), rs.getLong(6), rs.getLong(7), rs.getLong(8), rs.getLong(9), rs.getLong(10),
                        rs.getLong(11), rs.getLong(12), rs.getString(13));
            }
        } catch (SQLException e) {
            throw PgSql.failed("get inode", e);
        }
    }

    @Override
    public DirEntry lookup(long dir, String name) {
        checkActive();
        if (name.indexOf('\0') >= 0) {
            return null; // no stored name has one (text cannot hold NUL)
        }
        try (PreparedStatement ps = c.prepareStatement(sql.lookup)) {
            ps.setLong(1, dir);
            ps.setString(2, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new DirEntry(name, rs.getLong(1), rs.getLong(2)) : null;
            }
        } catch (SQLException e) {
            throw PgSql.failed("lookup", e);
        }
    }

    @Override
    public List<DirEntry> list(long dir, long afterCookie, int max) {
        checkActive();
        if (max <= 0) {
            return List.of();
        }
        try (PreparedStatement ps = c.prepareStatement(sql.list)) {
            ps.setLong(1, dir);
            ps.setLong(2, afterCookie);
            ps.setInt(3, max);
            ps.setFetchSize(Math.min(max, FETCH)); // a cursor: a huge directory is not read in one piece
            List<DirEntry> out = new ArrayList<>(Math.min(max, 64));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new DirEntry(rs.getString(1), rs.getLong(2), rs.getLong(3)));
                }
            }
            return out;
        } catch (SQLException e) {
            throw PgSql.failed("list", e);
        }
    }

    @Override
    public boolean isEmpty(long dir) {
        checkActive();
        try (PreparedStatement ps = c.prepareStatement(sql.isEmpty)) {
            ps.setLong(1, dir);
            try (ResultSet rs = ps.executeQuery()) {
                return !rs.next();
            }
        } catch (SQLException e) {
            throw PgSql.failed("isEmpty", e);
        }
    }

    @Override
    public byte[] getXattr(long id, String name) {
        checkActive();
        return PgXattrs.get(sql, c, id, name);
    }

    @Override
    public List<String> listXattrs(long id) {
        checkActive();
        return PgXattrs.list(sql, c, id);
    }

    /** A read-only transaction in a REPEATABLE READ snapshot. */
    static final class Read extends PgTxn implements ReadOnlyMetadataTxn {
        Read(PgSql sql, Connection c) {
            super(sql, c);
        }

        @Override
        String getSql() {
            return sql.get;
        }
    }

    /**
     * A READ COMMITTED transaction whose reads of inodes lock them ({@code FOR UPDATE}), so a
     * read-modify-write of an inode never loses a concurrent update; entries are protected by
     * their keys and the directory's cookie counter row.
     */
    static final class Write extends PgTxn {
        Write(PgSql sql, Connection c) {
            super(sql, c);
        }

        @Override
        String getSql() {
            return sql.getForUpdate;
        }

        @Override
        public void put(Inode n) {
            checkActive();
            if (n.symlink() != null && n.symlink().indexOf('\0') >= 0) {
                throw new FsException(FsError.INVALID, "symlink target contains NUL");
            }
            try (PreparedStatement ps = c.prepareStatement(sql.put)) {
                ps.setLong(1, n.id());
                ps.setShort(2, (short) n.type().ordinal());
                ps.setInt(3, n.mode());
                ps.setInt(4, n.nlink());
                ps.setInt(5, n.uid());
                ps.setInt(6, n.gid());
                ps.setLong(7, n.size());
                ps.setLong(8, n.atimeNs());
                ps.setLong(9, n.mtimeNs());
                ps.setLong(10, n.ctimeNs());
                ps.setLong(11, n.rdev());
                ps.setLong(12, n.parent());
                ps.setLong(13, n.verifier());
                if (n.symlink() == null) {
                    ps.setNull(14, Types.VARCHAR);
                } else {
                    ps.setString(14, n.symlink());
                }
                ps.executeUpdate();
            } catch (SQLException e) {
                throw PgSql.failed("put inode", e);
            }
        }

        @Override
        public void delete(long id) {
            checkActive();
            try {
                boolean dir;
                try (PreparedStatement ps = c.prepareStatement(sql.delete)) {
                    ps.setLong(1, id);
                    try (ResultSet rs = ps.executeQuery()) {
                        if (!rs.next()) {
                            return;
                        }
                        dir = rs.getShort(1) == FileType.DIRECTORY.ordinal();
                    }
                }
                if (dir) {
                    try (PreparedStatement ps = c.prepareStatement(sql.deleteCookieCounter)) {
                        ps.setLong(1, id);
                        ps.setLong(2, id);
                        ps.executeUpdate();
                    }
                }
            } catch (SQLException e) {
                throw PgSql.failed("delete inode", e);
            }
        }

        @Override
        public void setXattr(long id, String name, byte[] value) {
            checkActive();
            PgXattrs.set(sql, c, id, name, value);
        }

        @Override
        public boolean removeXattr(long id, String name) {
            checkActive();
            return PgXattrs.remove(sql, c, id, name);
        }

        @Override
        public long allocateId() {
            checkActive();
            try (PreparedStatement ps = c.prepareStatement(sql.allocateId); ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            } catch (SQLException e) {
                throw PgSql.failed("allocate id", e);
            }
        }

        @Override
        public DirEntry addEntry(long dir, String name, long child) {
            checkActive();
            if (name.indexOf('\0') >= 0) {
                throw new FsException(FsError.INVALID, "name contains NUL");
            }
            try (PreparedStatement ps = c.prepareStatement(sql.addEntry)) {
                ps.setLong(1, dir);
                ps.setLong(2, dir);
                ps.setString(3, name);
                ps.setLong(4, child);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        throw new FsException(FsError.EXISTS, name);
                    }
                    return new DirEntry(name, child, rs.getLong(1));
                }
            } catch (SQLException e) {
                throw PgSql.failed("add entry", e);
            }
        }

        @Override
        public boolean removeEntry(long dir, String name) {
            checkActive();
            if (name.indexOf('\0') >= 0) {
                return false;
            }
            try (PreparedStatement ps = c.prepareStatement(sql.removeEntry)) {
                ps.setLong(1, dir);
                ps.setString(2, name);
                return ps.executeUpdate() > 0;
            } catch (SQLException e) {
                throw PgSql.failed("remove entry", e);
            }
        }
    }
}
