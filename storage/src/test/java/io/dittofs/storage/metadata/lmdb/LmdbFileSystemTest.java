package io.dittofs.storage.metadata.lmdb;

import io.dittofs.core.AuthContext;
import io.dittofs.core.FileSystem;
import io.dittofs.core.FileSystem.CreateMode;
import io.dittofs.core.FileType;
import io.dittofs.core.FsError;
import io.dittofs.core.FsException;
import io.dittofs.core.Inode;
import io.dittofs.core.Results.DirPage;
import io.dittofs.core.Results.Entry;
import io.dittofs.core.SetAttr;
import io.dittofs.storage.block.memory.MemoryBlockStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link FileSystem} over the LMDB store: namespace operations and their survival of a restart. */
class LmdbFileSystemTest {
    private static final AuthContext ROOT = AuthContext.ROOT;

    @TempDir
    Path tmp;

    private static List<String> names(FileSystem fs, long dir) {
        List<String> out = new ArrayList<>();
        long cookie = 0;
        while (true) {
            DirPage p = fs.readdir(ROOT, dir, cookie, 7, true);
            for (Entry e : p.entries()) {
                out.add(e.name());
                cookie = e.cookie();
            }
            if (p.eof()) {
                return out;
            }
        }
    }

    @Test
    void shouldServeNamespaceOperationsAndKeepThemAcrossRestart() {
        Path where = tmp.resolve("share");
        long docs;
        long file;
        try (LmdbMetadataStore meta = new LmdbMetadataStore(where, 1L << 20, 1L << 30)) {
            FileSystem fs = new FileSystem(meta, new MemoryBlockStore(), false);
            long root = fs.rootId();
            docs = fs.mkdir(ROOT, root, "docs", SetAttr.NONE).child().id();
            long tmpDir = fs.mkdir(ROOT, root, "tmp", SetAttr.NONE).child().id();
            for (int i = 0; i < 20; i++) {
                fs.create(ROOT, docs, "f" + i, SetAttr.mode(0600), CreateMode.GUARDED, 0);
            }
            file = fs.lookup(ROOT, docs, "f3").id();
            assertEquals(FsError.EXISTS, assertThrows(FsException.class,
                    () -> fs.create(ROOT, docs, "f3", SetAttr.NONE, CreateMode.GUARDED, 0)).error());
            fs.rename(ROOT, docs, "f3", tmpDir, "moved");
            fs.rename(ROOT, root, "tmp", docs, "sub");
            fs.symlink(ROOT, docs, "link", "f1", SetAttr.NONE);
            fs.remove(ROOT, docs, "f4");
            assertEquals(FsError.NOT_EMPTY, assertThrows(FsException.class, () -> fs.rmdir(ROOT, docs, "sub")).error());
            assertEquals(3, fs.getattr(docs).nlink()); // 2 + the subdirectory "sub"
            List<String> listed = names(fs, docs);
            assertEquals(".", listed.get(0));
            assertEquals("..", listed.get(1));
            assertEquals(2 + 18 + 1 + 1, listed.size());
            assertTrue(listed.contains("sub") && listed.contains("link") && !listed.contains("f4"));
            assertEquals(List.of(".", "..", "moved"), names(fs, fs.lookup(ROOT, docs, "sub").id()));
            meta.sync();
            assertTrue(fs.fsstat().totalFiles() > 20);
        }
        try (LmdbMetadataStore meta = new LmdbMetadataStore(where, 1L << 20, 1L << 30)) {
            FileSystem fs = new FileSystem(meta, new MemoryBlockStore(), false);
            assertEquals(docs, fs.lookup(ROOT, fs.rootId(), "docs").id());
            long sub = fs.lookup(ROOT, docs, "sub").id();
            Inode moved = fs.lookup(ROOT, sub, "moved");
            assertEquals(file, moved.id()); // handles stay valid across the restart
            assertEquals(0600, moved.mode());
            assertEquals(docs, fs.getattr(sub).parent());
            assertEquals(FileType.SYMLINK, fs.lookup(ROOT, docs, "link").type());
            assertEquals("f1", fs.readlink(ROOT, fs.lookup(ROOT, docs, "link").id()));
            assertEquals(22, names(fs, docs).size());
            long again = fs.create(ROOT, docs, "new", SetAttr.NONE, CreateMode.GUARDED, 0).child().id();
            assertTrue(again > file);
            fs.remove(ROOT, sub, "moved");
            fs.rmdir(ROOT, docs, "sub");
            assertEquals(FsError.STALE, assertThrows(FsException.class, () -> fs.getattr(sub)).error());
        }
    }

    /**
     * CREATE, RENAME and REMOVE from many callers at once: each is durable before it returns, and
     * callers whose commits overlap share one flush (group commit through {@code sync()}).
     */
    @Test
    void shouldShareFlushesAmongConcurrentNamespaceChanges() throws Exception {
        int callers = 16;
        try (LmdbMetadataStore meta = new LmdbMetadataStore(tmp.resolve("gc"), 1L << 20, 1L << 30)) {
            FileSystem fs = new FileSystem(meta, new MemoryBlockStore(), false);
            long root = fs.rootId();
            meta.sync();
            long before = meta.flushes();
            meta.beforeFlush = () -> LockSupport.parkNanos(2_000_000); // a disk that takes 2 ms per flush
            try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<?>> fs2 = new ArrayList<>();
                for (int i = 0; i < callers; i++) {
                    String n = "c" + i;
                    fs2.add(ex.submit(() -> {
                        fs.create(ROOT, root, n, SetAttr.NONE, CreateMode.GUARDED, 0);
                        fs.rename(ROOT, root, n, root, n + "-r");
                        fs.create(ROOT, root, n + "-x", SetAttr.NONE, CreateMode.GUARDED, 0);
                        fs.remove(ROOT, root, n + "-x");
                        return null;
                    }));
                }
                for (Future<?> f : fs2) {
                    f.get();
                }
            }
            long flushes = meta.flushes() - before;
            System.out.printf("%d namespace changes from %d callers: %d flushes%n", 4 * callers, callers, flushes);
            assertTrue(flushes >= 1 && flushes < 4 * callers, "flushes " + flushes + " for " + 4 * callers + " changes");
            assertEquals(callers + 2, names(fs, root).size()); // ".", ".." and the renamed files
        }
    }
}
