package io.dittofs.controlplane.metrics;

import io.dittofs.controlplane.runtime.NfsServer;
import io.dittofs.core.FileSystem;
import io.dittofs.core.Share;
import io.dittofs.core.ShareRegistry;
import io.dittofs.protocols.mount.MountProgram;
import io.dittofs.protocols.nfs.FileHandles;
import io.dittofs.protocols.rpc.RpcServer;
import io.dittofs.storage.block.memory.MemoryBlockStore;
import io.dittofs.storage.cache.WriteBackCache;
import io.dittofs.storage.metadata.memory.MemoryMetadataStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

import static io.dittofs.controlplane.metrics.RpcSocket.MOUNT;
import static io.dittofs.controlplane.metrics.RpcSocket.NFS;
import static io.dittofs.controlplane.metrics.RpcSocket.concat;
import static io.dittofs.controlplane.metrics.RpcSocket.opaque;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Prometheus endpoint counts real RPC calls made over a socket, and reads the cache counters. */
@Timeout(60)
class MetricsServerTest {
    private static final int GETATTR = 1;
    private static final int REMOVE = 12;
    private static final int MNT = 1;

    @TempDir
    Path dir;

    private static void assertValue(Scrape s, double expected, String name, String... labels) {
        assertEquals(expected, s.value(name, labels), name + " " + String.join(",", labels) + " in:\n" + s.lines(name));
    }

    @Test
    void shouldExportFlushFailureWhileCachesBlockStoreFails() throws Exception {
        MemoryBlockStore gone = new MemoryBlockStore();
        gone.close(); // a store that refuses every call with an I/O error
        try (MetricsServer metrics = MetricsServer.start("127.0.0.1", 0);
             WriteBackCache cache = new WriteBackCache(gone,
                     new WriteBackCache.Options(dir.resolve("wal"), 4L << 20, 4, 5, 50, 200))) {
            metrics.registerCaches(() -> Map.of("down", cache.stats()));
            cache.write(3, 0, Arena.ofAuto().allocate(4096));
            long deadline = System.nanoTime() + 30_000_000_000L;
            Scrape s = Scrape.of(metrics.port());
            while (s.value("dittofs_cache_flush_errors_total", "store", "down") < 2 && System.nanoTime() < deadline) {
                Thread.sleep(20);
                s = Scrape.of(metrics.port());
            }
            assertTrue(s.value("dittofs_cache_flush_errors_total", "store", "down") >= 2, s.lines("flush_errors"));
            assertValue(s, 1, "dittofs_cache_flush_failing", "store", "down");
            double retry = s.value("dittofs_cache_flush_retry_seconds", "store", "down");
            assertTrue(retry >= 0.05 && retry <= 0.2, "backoff between base and cap: " + retry);
            assertValue(s, 4096, "dittofs_cache_dirty_bytes", "store", "down");
        }
    }

    @Test
    void shouldCountCallsConnectionsAndCacheActivityWhenScraped() throws Exception {
        FileSystem fs = new FileSystem(new MemoryMetadataStore(), new MemoryBlockStore(), false);
        ShareRegistry shares = new ShareRegistry();
        shares.add(new Share(1, "/export", fs, false, 65534, 65534));
        byte[] root = FileHandles.encode(1, fs.rootId());
        try (MetricsServer metrics = MetricsServer.start("127.0.0.1", 0);
             WriteBackCache cache = new WriteBackCache(new MemoryBlockStore(),
                     new WriteBackCache.Options(dir.resolve("wal"), 4L << 20, 4, 60_000));
             NfsServer nfs = NfsServer.start("127.0.0.1", 0, -1, shares, MountProgram.MountPolicy.ALLOW_ALL,
                     RpcServer.Options.defaults().withDrainTimeoutMillis(1_000), metrics.rpcObserver())) {
            metrics.registerCaches(() -> Map.of("blocks1", cache.stats()));
            cache.write(9, 0, Arena.ofAuto().allocate(8192));
            cache.sync(9);

            try (RpcSocket c = new RpcSocket(nfs.nfsPort())) {
                assertEquals(0, c.call(NFS, 3, 0, new byte[0]).getInt(), "NULL accepted");
                ByteBuffer mnt = c.call(MOUNT, 3, MNT, opaque("/export".getBytes(StandardCharsets.US_ASCII)));
                assertEquals(0, mnt.getInt(), "MNT accepted");
                assertEquals(0, mnt.getInt(), "MNT3_OK");
                c.call(NFS, 3, GETATTR, opaque(root));
                c.call(NFS, 3, GETATTR, opaque(root));
                c.call(NFS, 3, GETATTR, opaque(new byte[] {1, 2, 3, 4}));
                c.call(NFS, 3, GETATTR, new byte[0]); // no handle: GARBAGE_ARGS
                c.call(200_000, 1, 0, new byte[0]); // PROG_UNAVAIL
                int xid = RpcSocket.nextXid();
                byte[] remove = concat(opaque(root), opaque("nothing".getBytes(StandardCharsets.US_ASCII)));
                c.call(xid, NFS, 3, REMOVE, remove);
                c.call(xid, NFS, 3, REMOVE, remove); // a retransmission: answered from the DRC

                Scrape s = Scrape.of(metrics.port());
                assertValue(s, 1, "dittofs_rpc_calls_total", "program", "NFS3", "procedure", "NULL", "status", "SUCCESS");
                assertValue(s, 1, "dittofs_rpc_calls_total", "program", "MOUNT3", "procedure", "MNT", "status", "MNT3_OK");
                assertValue(s, 2, "dittofs_rpc_calls_total", "program", "NFS3", "procedure", "GETATTR", "status", "NFS3_OK");
                assertValue(s, 1, "dittofs_rpc_calls_total", "procedure", "GETATTR", "status", "NFS3ERR_BADHANDLE");
                assertValue(s, 1, "dittofs_rpc_calls_total", "procedure", "GETATTR", "status", "GARBAGE_ARGS");
                assertValue(s, 1, "dittofs_rpc_calls_total", "program", "unknown", "status", "PROG_UNAVAIL");
                assertValue(s, 1, "dittofs_rpc_calls_total", "procedure", "REMOVE", "status", "NFS3ERR_NOENT");
                assertValue(s, 4, "dittofs_rpc_call_duration_seconds_count", "program", "NFS3", "procedure", "GETATTR");
                assertValue(s, 4, "dittofs_rpc_call_duration_seconds_bucket", "procedure", "GETATTR", "le", "+Inf");
                assertValue(s, 1, "dittofs_rpc_garbage_args_total", "program", "NFS3");
                assertValue(s, 1, "dittofs_rpc_drc_hits_total", "procedure", "REMOVE", "action", "replay");
                assertValue(s, 0, "dittofs_rpc_calls_in_flight");
                assertValue(s, 1, "dittofs_connections_active", "server", "nfs");
                assertValue(s, 1, "dittofs_connections_accepted_total", "server", "nfs");
                assertValue(s, 8192, "dittofs_cache_dirty_bytes", "store", "blocks1");
                assertTrue(s.value("dittofs_cache_wal_forces_total", "store", "blocks1") >= 1, s.lines("wal_forces"));
                assertValue(s, 1, "dittofs_cache_wal_segments", "store", "blocks1");
                assertValue(s, 0, "dittofs_cache_flushes_total", "store", "blocks1");
                assertValue(s, 0, "dittofs_cache_flush_errors_total", "store", "blocks1");
                assertValue(s, 0, "dittofs_cache_flush_failing", "store", "blocks1");
                assertValue(s, 0, "dittofs_cache_flush_retry_seconds", "store", "blocks1");
                assertTrue(s.value("jvm_memory_used_bytes", "area", "heap") > 0, "JVM metrics are exported");
            }
            cache.sync(9);
            long deadline = System.nanoTime() + 10_000_000_000L;
            Scrape s = Scrape.of(metrics.port());
            while (s.value("dittofs_connections_closed_total", "server", "nfs") < 1 && System.nanoTime() < deadline) {
                Thread.sleep(20);
                s = Scrape.of(metrics.port());
            }
            assertValue(s, 1, "dittofs_connections_closed_total", "server", "nfs");
            assertValue(s, 0, "dittofs_connections_active", "server", "nfs");
        }
    }
}
