package io.dittofs.e2e;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The store, cache and share metrics of the packaged server (WAL cache in front of the default
 * share's local block store) after a libnfs workload: N writes of M bytes and a COMMIT, then reading
 * the file back, must show at least N·M bytes written and read on the share, N·M bytes through the
 * cache's write operation, metadata transactions and syncs, WAL force requests, and (once the
 * flusher has run) at least N·M bytes written to the block store below the cache.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class StoreMetricsIT {
    private static final int N = 16;
    private static final int M = 64 * 1024;

    @TempDir
    Path tmp;

    @Test
    void shouldCountStoreCacheAndShareActivityOfALibNfsWorkload() throws Exception {
        E2eEnvironment.requireAptPackage("libnfs13", "the libnfs NFSv3 client");
        int metricsPort = freePort();
        try (ServerProcess server = ServerProcess.start("StoreMetricsIT",
                Map.of("DITTOFS_METRICS_ENABLED", "true", "DITTOFS_METRICS_PORT", Integer.toString(metricsPort),
                        "DITTOFS_CACHE_PATH", tmp.resolve("wal").toString()));
             LibNfs nfs = LibNfs.mount(server.port(), "/export", 0, 0);
             Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(M, 4096).fill((byte) 0x5a);
            try (NfsFile f = nfs.creat("/metrics.bin", 0644)) {
                for (int i = 0; i < N; i++) {
                    f.pwriteFully((long) i * M, buf);
                }
                f.fsync(); // COMMIT
                for (int i = 0; i < N; i++) {
                    assertEquals(M, f.preadFully((long) i * M, buf));
                }
            }
            long nm = (long) N * M;
            String s = scrape(metricsPort);
            assertAtLeast(s, nm, "dittofs_share_written_bytes_total", "share=\"/export\"");
            assertAtLeast(s, nm, "dittofs_share_read_bytes_total", "share=\"/export\"");
            assertAtLeast(s, nm, "dittofs_blockstore_bytes_total", "layer=\"cache\"", "op=\"write\"");
            assertAtLeast(s, N, "dittofs_blockstore_operation_duration_seconds_count", "layer=\"cache\"", "op=\"write\"");
            assertAtLeast(s, 1, "dittofs_metadata_operation_duration_seconds_count", "op=\"write\"");
            assertAtLeast(s, 1, "dittofs_metadata_operation_duration_seconds_count", "op=\"read\"");
            assertAtLeast(s, 1, "dittofs_metadata_operation_duration_seconds_count", "op=\"sync\"");
            assertAtLeast(s, 1, "dittofs_cache_wal_force_requests_total");
            assertAtLeast(s, 1, "dittofs_cache_wal_forces_total");
            assertAtLeast(s, 1, "dittofs_cache_wal_group_size_count");
            assertTrue(s.contains("dittofs_cache_evictions_total{"), "the eviction counter is exported");
            // each read is a hit (still in the WAL) or, if the flusher got to it first, a miss
            double reads = sum(s, "dittofs_cache_read_hits_total") + sum(s, "dittofs_cache_read_misses_total");
            assertTrue(reads >= N, "cache reads counted: " + reads);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (sum(s, "dittofs_blockstore_bytes_total", "layer=\"store\"", "op=\"write\"") < nm
                    && System.nanoTime() < deadline) {
                Thread.sleep(200);
                s = scrape(metricsPort);
            }
            assertAtLeast(s, nm, "dittofs_blockstore_bytes_total", "layer=\"store\"", "op=\"write\"");
            assertAtLeast(s, 1, "dittofs_blockstore_operation_duration_seconds_count", "layer=\"store\"", "op=\"sync\"");
        }
    }

    private static void assertAtLeast(String scrape, double min, String name, String... labels) {
        double v = sum(scrape, name, labels);
        assertTrue(v >= min, name + " " + String.join(",", labels) + " = " + v + ", expected at least " + min + "\n"
                + String.join("\n", scrape.lines().filter(l -> l.startsWith(name)).toList()));
    }

    /** The sum of the samples of {@code name} whose label text contains every one of {@code labels}. */
    static double sum(String scrape, String name, String... labels) {
        double total = 0;
        for (String line : scrape.lines().toList()) {
            if (line.startsWith("#") || !(line.startsWith(name + "{") || line.startsWith(name + " "))) {
                continue;
            }
            boolean all = true;
            for (String l : labels) {
                all &= line.contains(l);
            }
            if (all) {
                total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return total;
    }

    private static String scrape(int port) throws IOException, InterruptedException {
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode());
            return r.body();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }
}
