package io.dittofs.controlplane.instrument;

import io.dittofs.controlplane.metrics.RpcSocket;
import io.dittofs.controlplane.runtime.NfsServer;
import io.dittofs.controlplane.tracing.Tracing;
import io.dittofs.core.AuthContext;
import io.dittofs.core.FileSystem;
import io.dittofs.core.SetAttr;
import io.dittofs.core.Share;
import io.dittofs.core.ShareRegistry;
import io.dittofs.core.Stability;
import io.dittofs.core.spi.BlockStore;
import io.dittofs.core.spi.MetadataStore;
import io.dittofs.protocols.mount.MountProgram;
import io.dittofs.protocols.nfs.FileHandles;
import io.dittofs.protocols.rpc.RpcServer;
import io.dittofs.storage.block.memory.MemoryBlockStore;
import io.dittofs.storage.cache.WriteBackCache;
import io.dittofs.storage.metadata.memory.MemoryMetadataStore;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static io.dittofs.controlplane.metrics.RpcSocket.NFS;
import static io.dittofs.controlplane.metrics.RpcSocket.concat;
import static io.dittofs.controlplane.metrics.RpcSocket.opaque;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The stores' work under an NFS call becomes child spans of the call's span (metadata, cache,
 * block store below the cache), exported over OTLP/HTTP to an in-process receiver; unsampled
 * calls record no children.
 */
@Timeout(60)
class StoreSpansTest {
    private static final int GETATTR = 1;
    private static final int READ = 6;
    private static final int WRITE = 7;
    private static final int FILE_SYNC = 2;
    private static final int SPAN_KIND_INTERNAL = 1;

    @TempDir
    Path dir;

    /** A share whose stores are instrumented by {@code in}: metadata, a WAL cache over a memory store. */
    private record Setup(FileSystem fs, long cold, BlockStore cache) implements AutoCloseable {
        @Override
        public void close() {
            cache.close();
        }
    }

    /**
     * Builds the traced file system on {@code meta}/{@code blocks}; file {@code cold} was written
     * straight to {@code blocks} before, so the cache must read it from the store below.
     */
    private Setup setup(StoreInstruments in, MetadataStore meta, BlockStore blocks) {
        FileSystem plain = new FileSystem(meta, blocks, false);
        long cold = plain.create(AuthContext.ROOT, plain.rootId(), "cold", SetAttr.NONE, FileSystem.CreateMode.GUARDED, 0)
                .child().id();
        plain.write(AuthContext.ROOT, cold, 0, Arena.ofAuto().allocate(4096).fill((byte) 7), Stability.FILE_SYNC);
        BlockStore below = in.block("blocks", "store", true, blocks);
        BlockStore cache = in.block("blocks", "cache", false,
                new WriteBackCache(below, new WriteBackCache.Options(dir.resolve("wal"), 4L << 20, 4, 60_000)));
        return new Setup(new FileSystem(in.metadata("meta", meta), cache, false), cold, cache);
    }

    private static NfsServer serve(FileSystem fs, Tracing tracing) throws Exception {
        ShareRegistry shares = new ShareRegistry();
        shares.add(new Share(1, "/export", fs, false, 65534, 65534));
        return NfsServer.start("127.0.0.1", 0, -1, shares, MountProgram.MountPolicy.ALLOW_ALL,
                RpcServer.Options.defaults().withDrainTimeoutMillis(1_000), tracing.rpcObserver());
    }

    private static Tracing tracing(OtlpReceiver receiver, double rate) {
        // batched, as in production (one HTTP request per span would overrun the exporter's 5 senders)
        return Tracing.create(BatchSpanProcessor.builder(OtlpHttpSpanExporter.builder()
                .setEndpoint(receiver.endpoint()).build()).build(), rate, "test");
    }

    private static byte[] hyper(long v) {
        return ByteBuffer.allocate(8).putLong(v).array();
    }

    private static byte[] uint(int v) {
        return ByteBuffer.allocate(4).putInt(v).array();
    }

    private static void assertNfsOk(ByteBuffer reply) {
        assertEquals(0, reply.getInt(), "accepted");
        assertEquals(0, reply.getInt(), "NFS3_OK");
    }

    private static OtlpReceiver.Received only(List<OtlpReceiver.Received> spans, String name) {
        List<OtlpReceiver.Received> found = spans.stream().filter(s -> s.name().equals(name)).toList();
        assertEquals(1, found.size(), name + " in " + spans);
        return found.getFirst();
    }

    private static void assertChildOf(OtlpReceiver.Received parent, OtlpReceiver.Received child) {
        assertEquals(parent.traceId(), child.traceId(), child.name() + " in the trace of " + parent.name());
        assertEquals(parent.spanId(), child.parentSpanId(), child.name() + " is a child of " + parent.name());
        assertEquals(SPAN_KIND_INTERNAL, child.kind(), child.name());
    }

    @Test
    void shouldExportStoreWorkAsChildSpansOfTheRpcSpan() throws Exception {
        MemoryMetadataStore meta = new MemoryMetadataStore();
        MemoryBlockStore blocks = new MemoryBlockStore();
        try (OtlpReceiver receiver = new OtlpReceiver()) {
            Tracing tracing = tracing(receiver, 1.0);
            long cold;
            try (Setup s = setup(new StoreInstruments(null, tracing.storeTracer()), meta, blocks);
                 NfsServer nfs = serve(s.fs(), tracing); RpcSocket c = new RpcSocket(nfs.nfsPort())) {
                cold = s.cold();
                byte[] fh = opaque(FileHandles.encode(1, cold));
                assertNfsOk(c.call(NFS, 3, READ, concat(fh, hyper(0), uint(4096))));
                assertNfsOk(c.call(NFS, 3, WRITE, concat(fh, hyper(4096), uint(512), uint(FILE_SYNC),
                        opaque(new byte[512]))));
            }
            tracing.close(); // exports the queued spans
            List<OtlpReceiver.Received> all = List.copyOf(receiver.spans);

            OtlpReceiver.Received read = only(all, "NFS3/READ");
            List<OtlpReceiver.Received> readKids = all.stream()
                    .filter(x -> x.parentSpanId().equals(read.spanId())).toList();
            assertFalse(readKids.isEmpty(), "children of READ in " + all);
            OtlpReceiver.Received cacheRead = only(readKids, "cache.read");
            assertChildOf(read, cacheRead);
            assertEquals("blocks", cacheRead.attributes().get("dittofs.store"));
            assertEquals("cache", cacheRead.attributes().get("dittofs.store.layer"));
            assertEquals(Long.toString(cold), cacheRead.attributes().get("dittofs.file"));
            OtlpReceiver.Received storeRead = only(all, "blockstore.read");
            assertChildOf(cacheRead, storeRead);
            assertEquals("memory", storeRead.attributes().get("dittofs.store.kind"));
            assertEquals("store", storeRead.attributes().get("dittofs.store.layer"));
            assertTrue(readKids.stream().anyMatch(x -> x.name().equals("metadata.read")), "metadata under READ: " + all);
            readKids.stream().filter(x -> x.name().startsWith("metadata.")).forEach(x -> {
                assertChildOf(read, x);
                assertEquals("meta", x.attributes().get("dittofs.store"));
            });

            OtlpReceiver.Received write = only(all, "NFS3/WRITE");
            Set<String> writeKids = all.stream().filter(x -> x.parentSpanId().equals(write.spanId()))
                    .map(OtlpReceiver.Received::name).collect(Collectors.toSet());
            assertTrue(writeKids.containsAll(Set.of("cache.write", "cache.sync", "metadata.sync")),
                    "children of WRITE (FILE_SYNC): " + writeKids);
            OtlpReceiver.Received cacheWrite = all.stream().filter(x -> x.name().equals("cache.write")).findFirst()
                    .orElseThrow();
            assertChildOf(write, cacheWrite);
            assertEquals("512", cacheWrite.attributes().get("dittofs.bytes"));
            assertTrue(all.stream().filter(x -> !x.name().startsWith("NFS3/"))
                    .allMatch(x -> x.traceId().equals(read.traceId()) || x.traceId().equals(write.traceId())),
                    "no store span outside the calls' traces: " + all);
        }
    }

    @Test
    void shouldRecordChildSpansOnlyUnderSampledCalls() throws Exception {
        MemoryMetadataStore meta = new MemoryMetadataStore();
        MemoryBlockStore blocks = new MemoryBlockStore();
        int calls = 64;
        try (OtlpReceiver receiver = new OtlpReceiver()) {
            Tracing tracing = tracing(receiver, 0.5);
            try (Setup s = setup(new StoreInstruments(null, tracing.storeTracer()), meta, blocks);
                 NfsServer nfs = serve(s.fs(), tracing); RpcSocket c = new RpcSocket(nfs.nfsPort())) {
                byte[] fh = opaque(FileHandles.encode(1, s.cold()));
                for (int i = 0; i < calls; i++) {
                    assertNfsOk(c.call(NFS, 3, GETATTR, fh));
                }
            }
            tracing.close(); // exports the queued spans
            List<OtlpReceiver.Received> all = List.copyOf(receiver.spans);
            List<OtlpReceiver.Received> roots = all.stream().filter(x -> x.name().equals("NFS3/GETATTR")).toList();
            List<OtlpReceiver.Received> kids = all.stream().filter(x -> !x.name().equals("NFS3/GETATTR")).toList();
            assertTrue(roots.size() > 0 && roots.size() < calls, "about half the calls sampled: " + roots.size());
            Set<String> sampled = roots.stream().map(OtlpReceiver.Received::spanId).collect(Collectors.toSet());
            assertFalse(kids.isEmpty(), "sampled calls have children: " + all);
            for (OtlpReceiver.Received k : kids) {
                assertTrue(sampled.contains(k.parentSpanId()), "a child of a call that was not exported: " + k);
            }
            assertEquals(sampled, kids.stream().map(OtlpReceiver.Received::parentSpanId).collect(Collectors.toSet()),
                    "every sampled call has its children");
        }
    }

    @Test
    void shouldLeaveStoresUndecoratedWhenNothingIsObserved() {
        MemoryMetadataStore meta = new MemoryMetadataStore();
        MemoryBlockStore blocks = new MemoryBlockStore();
        assertTrue(StoreInstruments.NONE.metadata("m", meta) == meta);
        assertTrue(StoreInstruments.NONE.block("b", "store", false, blocks) == blocks);
        assertTrue(StoreInstruments.NONE.share("s", blocks) == blocks);
    }
}
