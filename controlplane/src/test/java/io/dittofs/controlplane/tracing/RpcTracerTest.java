package io.dittofs.controlplane.tracing;

import io.dittofs.controlplane.metrics.MetricsServer;
import io.dittofs.controlplane.metrics.RpcSocket;
import io.dittofs.controlplane.metrics.Scrape;
import io.dittofs.controlplane.runtime.NfsServer;
import io.dittofs.controlplane.runtime.Observability;
import io.dittofs.core.FileSystem;
import io.dittofs.core.Share;
import io.dittofs.core.ShareRegistry;
import io.dittofs.protocols.mount.MountProgram;
import io.dittofs.protocols.nfs.FileHandles;
import io.dittofs.protocols.rpc.RpcObserver;
import io.dittofs.protocols.rpc.RpcServer;
import io.dittofs.storage.block.memory.MemoryBlockStore;
import io.dittofs.storage.metadata.memory.MemoryMetadataStore;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static io.dittofs.controlplane.metrics.RpcSocket.NFS;
import static io.dittofs.controlplane.metrics.RpcSocket.opaque;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every answered RPC call becomes one server span with the RPC attributes. */
@Timeout(60)
class RpcTracerTest {
    private static final int GETATTR = 1;

    private static ShareRegistry shares(FileSystem fs) {
        ShareRegistry shares = new ShareRegistry();
        shares.add(new Share(1, "/export", fs, false, 65534, 65534));
        return shares;
    }

    private static NfsServer serve(ShareRegistry shares, RpcObserver observer) throws IOException {
        return NfsServer.start("127.0.0.1", 0, -1, shares, MountProgram.MountPolicy.ALLOW_ALL,
                RpcServer.Options.defaults().withDrainTimeoutMillis(1_000), observer);
    }

    private static SpanData only(List<SpanData> spans, String name) {
        List<SpanData> found = spans.stream().filter(s -> s.getName().equals(name)).toList();
        assertEquals(1, found.size(), name + " in " + spans.stream().map(SpanData::getName).toList());
        return found.getFirst();
    }

    @Test
    void shouldProduceOneServerSpanPerCallWithRpcAttributes() throws Exception {
        InMemorySpanExporter exporter = InMemorySpanExporter.create();
        FileSystem fs = new FileSystem(new MemoryMetadataStore(), new MemoryBlockStore(), false);
        List<SpanData> spans;
        try (Tracing tracing = Tracing.create(SimpleSpanProcessor.create(exporter), 1.0, "test");
             NfsServer nfs = serve(shares(fs), tracing.rpcObserver());
             RpcSocket c = new RpcSocket(nfs.nfsPort())) {
            c.call(NFS, 3, 0, new byte[0]);
            c.call(NFS, 3, GETATTR, opaque(FileHandles.encode(1, fs.rootId())));
            c.call(NFS, 3, 99, new byte[0]);
            spans = exporter.getFinishedSpanItems(); // before close: the in-memory exporter forgets at shutdown
        }
        assertEquals(3, spans.size(), spans.toString());
        SpanData getattr = only(spans, "NFS3/GETATTR");
        assertEquals(SpanKind.SERVER, getattr.getKind());
        assertEquals("onc_rpc", getattr.getAttributes().get(RpcTracer.RPC_SYSTEM));
        assertEquals("NFS3", getattr.getAttributes().get(RpcTracer.RPC_SERVICE));
        assertEquals("GETATTR", getattr.getAttributes().get(RpcTracer.RPC_METHOD));
        assertEquals(3L, getattr.getAttributes().get(RpcTracer.RPC_VERSION));
        assertEquals("SUCCESS", getattr.getAttributes().get(RpcTracer.RPC_OUTCOME));
        assertEquals("NFS3_OK", getattr.getAttributes().get(RpcTracer.STATUS));
        assertEquals("127.0.0.1", getattr.getAttributes().get(RpcTracer.PEER_ADDRESS));
        assertEquals(StatusCode.UNSET, getattr.getStatus().getStatusCode());
        assertTrue(getattr.getEndEpochNanos() >= getattr.getStartEpochNanos());
        assertEquals("dittofs", getattr.getResource().getAttribute(
                io.opentelemetry.api.common.AttributeKey.stringKey("service.name")));
        assertNull(only(spans, "NFS3/NULL").getAttributes().get(RpcTracer.STATUS), "NULL has no status");
        SpanData bad = only(spans, "NFS3/unknown");
        assertEquals("PROC_UNAVAIL", bad.getAttributes().get(RpcTracer.RPC_OUTCOME));
        assertEquals(StatusCode.ERROR, bad.getStatus().getStatusCode());
    }

    /** Keeps what it exported after shutdown (the SDK's in-memory exporter clears itself then). */
    private static final class Collecting implements SpanExporter {
        final List<SpanData> spans = new CopyOnWriteArrayList<>();
        volatile boolean shutDown;

        @Override
        public CompletableResultCode export(Collection<SpanData> batch) {
            spans.addAll(batch);
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode flush() {
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode shutdown() {
            shutDown = true;
            return CompletableResultCode.ofSuccess();
        }
    }

    @Test
    void shouldExportQueuedSpansWhenClosed() throws Exception {
        Collecting exporter = new Collecting();
        FileSystem fs = new FileSystem(new MemoryMetadataStore(), new MemoryBlockStore(), false);
        // a batch processor that would wait an hour: only the shutdown flush can export the spans
        Tracing tracing = Tracing.create(BatchSpanProcessor.builder(exporter).setScheduleDelay(Duration.ofHours(1))
                .build(), 1.0, "test");
        try (NfsServer nfs = serve(shares(fs), tracing.rpcObserver()); RpcSocket c = new RpcSocket(nfs.nfsPort())) {
            for (int i = 0; i < 5; i++) {
                c.call(NFS, 3, 0, new byte[0]);
            }
        }
        assertEquals(0, exporter.spans.size(), "nothing exported before shutdown");
        tracing.close();
        assertEquals(5, exporter.spans.size());
        assertTrue(exporter.shutDown, "the exporter is shut down after the flush");
    }

    @Test
    void shouldRecordNoSpanWhenSampleRateIsZero() throws Exception {
        InMemorySpanExporter exporter = InMemorySpanExporter.create();
        FileSystem fs = new FileSystem(new MemoryMetadataStore(), new MemoryBlockStore(), false);
        try (Tracing tracing = Tracing.create(SimpleSpanProcessor.create(exporter), 0.0, "test");
             NfsServer nfs = serve(shares(fs), tracing.rpcObserver());
             RpcSocket c = new RpcSocket(nfs.nfsPort())) {
            c.call(NFS, 3, 0, new byte[0]);
        }
        assertEquals(0, exporter.getFinishedSpanItems().size());
    }

    @Test
    void shouldFeedMetricsAndTracingTogether() throws Exception {
        InMemorySpanExporter exporter = InMemorySpanExporter.create();
        FileSystem fs = new FileSystem(new MemoryMetadataStore(), new MemoryBlockStore(), false);
        try (Observability o = new Observability(MetricsServer.start("127.0.0.1", 0),
                Tracing.create(SimpleSpanProcessor.create(exporter), 1.0, "test"));
             NfsServer nfs = serve(shares(fs), o.rpcObserver());
             RpcSocket c = new RpcSocket(nfs.nfsPort())) {
            c.call(NFS, 3, 0, new byte[0]);
            c.call(NFS, 3, 0, new byte[0]);
            assertEquals(2.0, Scrape.of(o.metricsPort()).value("dittofs_rpc_calls_total", "procedure", "NULL"));
            assertEquals(2, exporter.getFinishedSpanItems().size());
        }
    }

    @Test
    void shouldObserveNothingWhenBothAreOff() {
        try (Observability o = new Observability(null, null)) {
            assertTrue(o.rpcObserver() == RpcObserver.NONE, "the no-op observer: the RPC layer skips timing");
            assertEquals(-1, o.metricsPort());
        }
    }
}
