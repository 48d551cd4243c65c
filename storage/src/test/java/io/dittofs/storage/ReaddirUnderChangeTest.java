package io.dittofs.storage;

import io.dittofs.core.AuthContext;
import io.dittofs.core.FileSystem;
import io.dittofs.core.Results;
import io.dittofs.core.SetAttr;
import io.dittofs.core.spi.MetadataStore;
import io.dittofs.storage.block.memory.MemoryBlockStore;
import io.dittofs.storage.metadata.lmdb.LmdbMetadataStore;
import io.dittofs.storage.metadata.memory.MemoryMetadataStore;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A 100,000-entry directory listed in pages (as READDIR does, cookie by cookie) while other
 * entries are created and removed: every entry that exists throughout is listed exactly once,
 * and the listing terminates.
 */
@Timeout(180)
class ReaddirUnderChangeTest {
    private static final int ENTRIES = 100_000;

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"memory", "lmdb"})
    void shouldListEveryStableEntryExactlyOnceWhileTheDirectoryChanges(String kind) throws Exception {
        MetadataStore meta = kind.equals("memory") ? new MemoryMetadataStore() : new LmdbMetadataStore(dir.resolve("lmdb"));
        FileSystem fs = new FileSystem(meta, new MemoryBlockStore(), false);
        AuthContext root = AuthContext.ROOT;
        long d = fs.mkdir(root, fs.rootId(), "big", SetAttr.NONE).child().id();
        Thread[] fillers = new Thread[4];
        for (int t = 0; t < fillers.length; t++) {
            int from = t;
            fillers[t] = Thread.ofVirtual().start(() -> {
                for (int i = from; i < ENTRIES; i += fillers.length) {
                    fs.create(root, d, "stable-" + i, SetAttr.NONE, FileSystem.CreateMode.GUARDED, 0);
                }
            });
        }
        for (Thread t : fillers) {
            t.join();
        }
        AtomicBoolean done = new AtomicBoolean();
        Thread churn = Thread.ofVirtual().start(() -> {
            int n = 0;
            while (!done.get()) {
                fs.create(root, d, "churn-" + n, SetAttr.NONE, FileSystem.CreateMode.GUARDED, 0);
                if (n >= 10) {
                    fs.remove(root, d, "churn-" + (n - 10));
                }
                n++;
            }
        });
        Map<String, Integer> seen = new HashMap<>();
        long cookie = 0;
        int pages = 0;
        try {
            while (true) {
                Results.DirPage page = fs.readdir(root, d, cookie, 997, false);
                pages++;
                for (Results.Entry e : page.entries()) {
                    seen.merge(e.name(), 1, Integer::sum);
                    cookie = e.cookie();
                }
                if (page.eof()) {
                    break;
                }
                assertTrue(pages < 10_000, "listing does not terminate");
            }
        } finally {
            done.set(true);
            churn.join();
        }
        for (int i = 0; i < ENTRIES; i++) {
            assertEquals(1, seen.getOrDefault("stable-" + i, 0), "stable-" + i + " listed once");
        }
        seen.forEach((name, count) -> assertEquals(1, count, name + " listed more than once"));
        assertTrue(pages > 100, "listed in pages: " + pages);
        meta.close();
    }
}
