package io.dittofs.storage.metadata.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.dittofs.core.FsError;
import io.dittofs.core.FsException;
import io.dittofs.core.spi.MetadataStore;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;

/**
 * A {@link MetadataStore} in PostgreSQL, so that several servers (or a standby taking over) can
 * serve one share: the "HA" metadata backend.
 *
 * <h2>Layout</h2>
 * Every table of a store is named with the store's prefix, so many shares can live in one
 * database (or put them in different schemas with the JDBC URL's {@code currentSchema}):
 * <pre>
 *   &lt;p&gt;_schema_version  (version)                       one row; this code writes 2 and upgrades 1
 *   &lt;p&gt;_inodes          (id pk, type, mode, nlink, uid, gid, size, atime, mtime, ctime [ns],
 *                        rdev, parent, verifier, symlink null)
 *   &lt;p&gt;_entries         (dir, name COLLATE "C", child, cookie) pk (dir, name), unique (dir, cookie)
 *   &lt;p&gt;_dir_cookies     (dir pk, last)                  last cookie each directory handed out
 *   &lt;p&gt;_ids             sequence starting at 2          inode numbers
 *   &lt;p&gt;_xattrs          (id fk inodes ON DELETE CASCADE, name COLLATE "C", value bytea) pk (id, name)
 * </pre>
 * The schema is created when a store first opens a prefix (under an advisory lock, so servers
 * starting together do not race). Ids come from a sequence: never handed out twice, not even
 * after a rollback or a restart. A directory's cookie counter is a row bumped in the same
 * transaction as the entry it numbers, so cookies strictly increase per directory and survive
 * restarts; the row lock also orders concurrent adders.
 *
 * <h2>Transactions</h2>
 * {@link #read} runs in a {@code REPEATABLE READ, READ ONLY} transaction: one snapshot for the
 * whole work. {@link #write} runs in one {@code READ COMMITTED} transaction whose inode reads
 * lock the row ({@code SELECT ... FOR UPDATE}), so read-modify-write of inodes loses no
 * concurrent update; it commits if the work returns and rolls back if it throws (the exception
 * propagates unchanged). A deadlock or serialization failure (SQLSTATE 40P01/40001) rolls back
 * and runs the work again, a few times, so a work may run more than once. Other SQL failures
 * become {@link FsError#IO} ({@link FsError#NO_SPACE} for disk full, 53100) with the
 * {@link SQLException} as cause. JDBC blocks the calling thread, which is fine for virtual
 * threads; transactions are kept short and no state is held per thread.
 *
 * <h2>Durability</h2>
 * A commit returns once PostgreSQL has made it durable (with its default
 * {@code synchronous_commit = on}; with synchronous replication, once the standby has it too),
 * so {@link #sync()} has nothing left to do.
 *
 * <p>Thread-safe.
 */
public final class PostgresMetadataStore implements MetadataStore {
    /** Times a work runs at most when PostgreSQL keeps reporting deadlocks or serialization failures. */
    static final int MAX_ATTEMPTS = 10;
    /** Above this many inodes (by the planner's estimate) stats() reports the estimate instead of counting. */
    private static final long EXACT_COUNT_LIMIT = 100_000;

    private final DataSource ds;
    /** The pool this store made and must close; null for a caller's data source. */
    private final HikariDataSource ownPool;
    private final PgSql sql;
    private final String description;
    private volatile boolean closed;

    /** Opens the store with table prefix {@code dittofs} at {@code url} (a {@code jdbc:postgresql:} URL). */
    public PostgresMetadataStore(String url, String user, String password) {
        this(url, user, password, "dittofs", 10);
    }

    /**
     * Opens (creating the tables if needed) the store with table prefix {@code prefix}, through a
     * pool of at most {@code poolSize} connections.
     *
     * @param password may be null (e.g. trust or certificate authentication)
     */
    public PostgresMetadataStore(String url, String user, String password, String prefix, int poolSize) {
        this.sql = new PgSql(prefix);
        if (url == null || !url.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException("not a jdbc:postgresql: URL");
        }
        HikariConfig hc = new HikariConfig();
        hc.setJdbcUrl(url);
        hc.setUsername(user);
        if (password != null) {
            hc.setPassword(password);
        }
        hc.setMaximumPoolSize(Math.max(1, poolSize));
        hc.setMinimumIdle(1);
        hc.setAutoCommit(false);
        hc.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
        hc.setPoolName("dittofs-meta-" + prefix);
        hc.setInitializationFailTimeout(-1); // report connection failures from open(), below
        this.ownPool = new HikariDataSource(hc);
        this.ds = ownPool;
        this.description = "PostgresMetadataStore[" + stripCredentials(url) + ", " + prefix + "]";
        try {
            createSchema();
        } catch (RuntimeException e) {
            ownPool.close();
            throw e;
        }
    }

    /** Opens the store with table prefix {@code prefix} on a caller's data source, which the caller closes. */
    public PostgresMetadataStore(DataSource ds, String prefix) {
        this.sql = new PgSql(prefix);
        this.ds = ds;
        this.ownPool = null;
        this.description = "PostgresMetadataStore[" + prefix + "]";
        createSchema();
    }

    /** URLs may carry {@code password=}; keep only what is before the query for messages. */
    private static String stripCredentials(String url) {
        int q = url.indexOf('?');
        return q < 0 ? url : url.substring(0, q);
    }

    // ---------------------------------------------------------------- schema

    private void createSchema() {
        try (Connection c = connection()) {
            try (Statement s = c.createStatement()) {
                s.execute("SELECT pg_advisory_xact_lock(hashtext('dittofs-metadata:" + sql.prefix + "'))");
                s.execute("CREATE TABLE IF NOT EXISTS " + sql.versionTable + " (version integer NOT NULL)");
                Integer version = null;
                try (ResultSet rs = s.executeQuery("SELECT max(version) FROM " + sql.versionTable)) {
                    if (rs.next()) {
                        int v = rs.getInt(1);
                        version = rs.wasNull() ? null : v;
                    }
                }
                if (version == null) {
                    for (String ddl : sql.createSchema()) {
                        s.execute(ddl);
                    }
                    s.execute("INSERT INTO " + sql.versionTable + " (version) VALUES (" + PgSql.SCHEMA_VERSION + ")");
                } else if (version == 1) {
                    for (String ddl : sql.upgradeFrom1()) {
                        s.execute(ddl);
                    }
                    s.execute("UPDATE " + sql.versionTable + " SET version = " + PgSql.SCHEMA_VERSION);
                } else if (version != PgSql.SCHEMA_VERSION) {
                    throw new FsException(FsError.SERVER_FAULT, "metadata tables '" + sql.prefix + "' have schema version "
                            + version + "; this server understands " + PgSql.SCHEMA_VERSION);
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(c);
                throw e;
            }
        } catch (SQLException e) {
            throw PgSql.failed("schema setup of '" + sql.prefix + "'", e);
        }
    }

    /** A pooled connection in manual-commit mode. */
    private Connection connection() throws SQLException {
        Connection c = ds.getConnection();
        try {
            if (c.getAutoCommit()) {
                c.setAutoCommit(false);
            }
        } catch (SQLException e) {
            c.close();
            throw e;
        }
        return c;
    }

    // ---------------------------------------------------------------- transactions

    @Override
    public <T> T read(TxnWork<T> work) {
        return inTransaction("read transaction", true, work);
    }

    @Override
    public <T> T write(TxnWork<T> work) {
        return inTransaction("write transaction", false, work);
    }

    /**
     * Runs {@code work} in one JDBC transaction (a REPEATABLE READ, READ ONLY snapshot for reads),
     * commits if it returns, rolls back if it throws, and runs it again after a deadlock or
     * serialization failure (up to {@code MAX_ATTEMPTS}).
     */
    private <T> T inTransaction(String what, boolean readOnly, TxnWork<T> work) {
        checkOpen();
        for (int attempt = 1; ; attempt++) {
            try (Connection c = connection()) {
                PgTxn t = readOnly ? new PgTxn.Read(sql, c) : new PgTxn.Write(sql, c);
                try {
                    if (readOnly) {
                        try (Statement st = c.createStatement()) {
                            st.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
                        }
                    }
                    T result = work.run(t);
                    t.end();
                    c.commit();
                    return result;
                } catch (Throwable e) {
                    t.end();
                    rollbackQuietly(c);
                    if (attempt < MAX_ATTEMPTS && PgSql.retryable(e)) {
                        backoff(attempt);
                        continue;
                    }
                    throw e;
                }
            } catch (SQLException e) {
                throw PgSql.failed(what, e);
            }
        }
    }

    /** A short random pause that grows with the attempt, so retrying writers do not collide again. */
    private static void backoff(int attempt) {
        long maxMicros = 200L << Math.min(attempt, 6);
        LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(50, maxMicros) * 1000);
    }

    private static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // the connection is broken; the pool discards it and the server aborts the transaction
        }
    }

    // ---------------------------------------------------------------- durability, stats, life cycle

    /** Nothing to do: every commit is durable when it returns (synchronous_commit = on). */
    @Override
    public void sync() {
        checkOpen();
    }

    /**
     * Files are the inodes: counted exactly up to {@value #EXACT_COUNT_LIMIT}, above that the
     * planner's estimate (a count would scan the table on every FSSTAT). Free files are unknown.
     */
    @Override
    public StoreStats stats() {
        checkOpen();
        try (Connection c = connection()) {
            try {
                long files = -1;
                try (PreparedStatement ps = c.prepareStatement(sql.estimateFiles); ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        files = rs.getLong(1);
                    }
                }
                if (files < EXACT_COUNT_LIMIT) {
                    try (PreparedStatement ps = c.prepareStatement(sql.countFiles); ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        files = rs.getLong(1);
                    }
                }
                c.commit();
                return new StoreStats(files, -1);
            } catch (SQLException e) {
                rollbackQuietly(c);
                throw e;
            }
        } catch (SQLException e) {
            throw PgSql.failed("stats", e);
        }
    }

    @Override
    public String kind() {
        return "postgres";
    }

    /** Closes the pool this store opened (a caller's data source stays open). Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (ownPool != null) {
            ownPool.close();
        }
    }

    private void checkOpen() {
        if (closed) {
            throw MetadataStore.closed();
        }
    }

    @Override
    public String toString() {
        return description;
    }
}
