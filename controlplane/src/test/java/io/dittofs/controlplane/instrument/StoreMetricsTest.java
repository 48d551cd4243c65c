package io.dittofs.controlplane.instrument;

import io.dittofs.controlplane.metrics.MetricsServer;
import io.dittofs.controlplane.metrics.Scrape;
import io.dittofs.core.AuthContext;
import io.dittofs.core.FileSystem;
import io.dittofs.core.FsException;
import io.dittofs.core.SetAttr;
import io.dittofs.core.Stability;
import io.dittofs.core.spi.BlockStore;
import io.dittofs.core.spi.ContentRegion;
import io.dittofs.core.spi.MetadataStore;
import io.dittofs.storage.block.file.FileBlockStore;
import io.dittofs.storage.block.memory.MemoryBlockStore;
import io.dittofs.storage.cache.WriteBackCache;
import io.dittofs.storage.metadata.memory.MemoryMetadataStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Store, cache and share metrics counted by the decorators and exported on {@code /metrics}. */
@Timeout(60)
class StoreMetricsTest {
    @TempDir
    Path dir;

    private static void assertValue(Scrape s, double expected, String name, String... labels) {
        assertEquals(expected, s.value(name, labels), name + " " + String.join(",", labels) + "\n" + s.lines(name));
    }

    @Test
    void shouldExportS3RetriesEvictionsAndWalGroupSizes() throws Exception {
        try (MetricsServer metrics = MetricsServer.start("127.0.0.1", 0);
             WriteBackCache cache = new WriteBackCache(new MemoryBlockStore(),
                     new WriteBackCache.Options(dir.resolve("wal"), 2L << 20, 8, 3_600_000))) {
            StoreInstruments in = new StoreInstruments(metrics.registry(), null);
            metrics.registerCaches(() -> java.util.Map.of("blocks3", cache.stats()));
            in.s3Retries("bucket1").retried("put", new RuntimeException("503"));
            in.s3Retries("bucket1").retried("put", new RuntimeException("503"));
            in.s3Retries("bucket1").retried("list", new RuntimeException("reset"));
            cache.write(1, 0, Arena.ofAuto().allocate(4096));
            cache.sync(1);
            Scrape s = Scrape.of(metrics.port());
            assertValue(s, 2, "dittofs_blockstore_retries_total", "store", "bucket1", "kind", "s3", "op", "put");
            assertValue(s, 1, "dittofs_blockstore_retries_total", "store", "bucket1", "kind", "s3", "op", "list");
            assertValue(s, 0, "dittofs_cache_evictions_total", "store", "blocks3");
            assertValue(s, 1, "dittofs_cache_wal_group_size_count", "store", "blocks3");
            assertValue(s, 1, "dittofs_cache_wal_group_size_sum", "store", "blocks3");
            assertValue(s, 1, "dittofs_cache_wal_group_size_bucket", "store", "blocks3", "le", "1.0");
            assertValue(s, 1, "dittofs_cache_wal_group_size_bucket", "store", "blocks3", "le", "+Inf");
        }
    }

    @Test
    void shouldKeepTheStoresZeroCopyRegionsAndCountThemAsReadsWhenDecorated() throws Exception {
        try (MetricsServer metrics = MetricsServer.start("127.0.0.1", 0);
             FileBlockStore files = new FileBlockStore(dir.resolve("files"))) {
            StoreInstruments in = new StoreInstruments(metrics.registry(), null);
            BlockStore share = in.share("/export", in.block("blocks2", "store", true, files));
            MemorySegment data = Arena.ofAuto().allocate(65536).fill((byte) 7);
            share.write(42, 0, data);
            try (ContentRegion r = share.region(42, 0, 65536)) {
                assertNotNull(r, "the decorators must forward region(), or READ loses its zero-copy path");
                assertEquals(65536, r.length());
            }
            assertNull(share.region(43, 0, 4096), "nothing stored for the file: no region");
            Scrape s = Scrape.of(metrics.port());
            assertValue(s, 65536, "dittofs_share_read_bytes_total", "share", "/export");
            assertValue(s, 1, "dittofs_blockstore_operation_duration_seconds_count",
                    "store", "blocks2", "layer", "store", "op", "read");
        }
    }

    @Test
    void shouldCountStoreOperationsCacheReadsAndShareBytesWhenFilesAreWritten() throws Exception {
        try (MetricsServer metrics = MetricsServer.start("127.0.0.1", 0)) {
            StoreInstruments in = new StoreInstruments(metrics.registry(), null);
            MetadataStore meta = in.metadata("meta1", new MemoryMetadataStore());
            BlockStore below = in.block("blocks1", "store", true, new MemoryBlockStore());
            try (BlockStore cache = in.block("blocks1", "cache", false, new WriteBackCache(below,
                    new WriteBackCache.Options(dir.resolve("wal"), 4L << 20, 4, 60_000)))) {
                FileSystem fs = new FileSystem(meta, in.share("/export", cache), false);
                long id = fs.create(AuthContext.ROOT, fs.rootId(), "f", SetAttr.NONE, FileSystem.CreateMode.GUARDED, 0)
                        .child().id();
                MemorySegment data = Arena.ofAuto().allocate(8192).fill((byte) 1);
                for (int i = 0; i < 4; i++) {
                    fs.write(AuthContext.ROOT, id, i * 8192L, data, Stability.UNSTABLE);
                }
                fs.commit(AuthContext.ROOT, id);
                fs.read(AuthContext.ROOT, id, 0, Arena.ofAuto().allocate(8192)); // dirty in the WAL: a hit
                cache.read(id + 1000, 0, Arena.ofAuto().allocate(4096)); // nothing cached: a miss
                assertThrows(FsException.class, () -> cache.write(id, Long.MAX_VALUE - 10, data));

                Scrape s = Scrape.of(metrics.port());
                assertValue(s, 4 * 8192, "dittofs_share_written_bytes_total", "share", "/export");
                assertValue(s, 8192, "dittofs_share_read_bytes_total", "share", "/export");
                assertValue(s, 5, "dittofs_blockstore_operation_duration_seconds_count",
                        "store", "blocks1", "layer", "cache", "op", "write");
                assertValue(s, 4 * 8192, "dittofs_blockstore_bytes_total",
                        "store", "blocks1", "layer", "cache", "kind", "wal", "op", "write");
                assertValue(s, 1, "dittofs_blockstore_errors_total",
                        "store", "blocks1", "layer", "cache", "op", "write", "error", "FILE_TOO_LARGE");
                assertValue(s, 1, "dittofs_blockstore_operation_duration_seconds_count",
                        "store", "blocks1", "layer", "store", "kind", "memory", "op", "read");
                assertValue(s, 1, "dittofs_cache_read_hits_total", "store", "blocks1");
                assertValue(s, 1, "dittofs_cache_read_misses_total", "store", "blocks1");
                assertTrue(s.value("dittofs_cache_wal_force_requests_total", "store", "blocks1") >= 1,
                        s.lines("force_requests"));
                assertTrue(s.value("dittofs_metadata_operation_duration_seconds_count",
                        "store", "meta1", "kind", "memory", "op", "write") >= 1, s.lines("dittofs_metadata"));
                assertTrue(s.value("dittofs_metadata_operation_duration_seconds_count",
                        "store", "meta1", "op", "read") >= 1, s.lines("dittofs_metadata"));
                assertTrue(s.value("dittofs_metadata_operation_duration_seconds_count",
                        "store", "meta1", "op", "sync") >= 1, s.lines("dittofs_metadata"));
                assertValue(s, 0, "dittofs_blockstore_operation_duration_seconds_count",
                        "store", "blocks1", "layer", "store", "op", "write"); // the flusher has not run yet
            }
            Scrape after = Scrape.of(metrics.port());
            assertTrue(after.value("dittofs_blockstore_bytes_total", "store", "blocks1", "layer", "store", "op", "write")
                    >= 4 * 8192, "closing the cache flushes it to the store below: " + after.lines("bytes_total"));
        }
    }
}
