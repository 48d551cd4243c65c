package io.dittofs.controlplane.instrument;

import io.dittofs.core.spi.BlockStore;
import io.dittofs.core.spi.MetadataStore;
import io.dittofs.storage.block.s3.S3RetryListener;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Tracer;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Decorates the stores the runtime builds with metrics and child spans, at the SPI boundaries
 * (nothing inside a store changes): {@link #metadata} wraps a metadata store, {@link #block} one
 * layer of a block store (the write-back cache, {@code layer=cache}, or the store below it or
 * without one, {@code layer=store}: {@code fs}, {@code s3}, {@code memory}), {@link #share} a
 * share's view of its block store (bytes per share). With neither metrics nor tracing
 * ({@link #NONE}) every method returns the store it was given.
 *
 * <p>Label values are store and share names and fixed operation names, bound once per store when
 * it is decorated. Thread-safe.
 */
public final class StoreInstruments {
    /** Instruments nothing. */
    public static final StoreInstruments NONE = new StoreInstruments(null, null);
    /** Latency buckets in seconds: 5 µs (a memory-store call) to 10 s (a stalled S3 PUT). */
    private static final double[] BUCKETS = {0.000005, 0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001,
        0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

    private final Tracer tracer;
    private final Histogram blockLatency;
    private final Counter blockBytes;
    private final Counter blockErrors;
    private final Histogram metaLatency;
    private final Counter metaErrors;
    private final Counter shareRead;
    private final Counter shareWritten;
    private final Counter forceRequests;
    private final Counter retries;
    /** Per block store name: reads seen at the cache layer and below it (misses), for the hit ratio. */
    private final Map<String, CacheReads> cacheReads = new ConcurrentHashMap<>();

    /** Reads of one cached store: at the cache layer, and at the store below (each one a miss). */
    private record CacheReads(LongAdder reads, LongAdder misses, AtomicLong lastHits) {
        /** Reads minus misses; a read is counted before the store answers, so never report less than before. */
        long hits() {
            long m = misses.sum();
            return lastHits.accumulateAndGet(reads.sum() - m, Math::max);
        }
    }

    /**
     * @param registry where the store metrics are registered, or null for no metrics
     * @param tracer   the tracer of the stores' child spans, or null for no tracing
     */
    public StoreInstruments(PrometheusRegistry registry, Tracer tracer) {
        this.tracer = tracer;
        if (registry == null) {
            blockLatency = null;
            blockBytes = null;
            blockErrors = null;
            metaLatency = null;
            metaErrors = null;
            shareRead = null;
            shareWritten = null;
            forceRequests = null;
            retries = null;
            return;
        }
        blockLatency = Histogram.builder().name("dittofs_blockstore_operation_duration_seconds").unit(Unit.SECONDS)
                .help("block-store operations by store name, layer (cache: the write-back cache; store: fs, s3 or "
                        + "memory, below the cache or alone), kind and operation (read, write, truncate, delete, sync)")
                .labelNames("store", "layer", "kind", "op")
                .classicOnly().classicUpperBounds(BUCKETS).withoutExemplars().register(registry);
        blockBytes = Counter.builder().name("dittofs_blockstore_bytes").unit(Unit.BYTES)
                .help("bytes read and written by block-store operations that succeeded")
                .labelNames("store", "layer", "kind", "op").withoutExemplars().register(registry);
        blockErrors = Counter.builder().name("dittofs_blockstore_errors")
                .help("block-store operations that failed, by error (an FsError name, OTHER for anything else)")
                .labelNames("store", "layer", "kind", "op", "error").withoutExemplars().register(registry);
        metaLatency = Histogram.builder().name("dittofs_metadata_operation_duration_seconds").unit(Unit.SECONDS)
                .help("metadata-store operations by store name, kind and operation (read and write transactions, "
                        + "note_write: a batched size/mtime update, sync: making committed transactions durable)")
                .labelNames("store", "kind", "op")
                .classicOnly().classicUpperBounds(BUCKETS).withoutExemplars().register(registry);
        metaErrors = Counter.builder().name("dittofs_metadata_errors")
                .help("metadata-store operations that threw, by error (an FsError name such as EXISTS or NOT_FOUND "
                        + "for answers the file system passes on, IO for failures; OTHER for anything else)")
                .labelNames("store", "kind", "op", "error").withoutExemplars().register(registry);
        shareRead = Counter.builder().name("dittofs_share_read_bytes").unit(Unit.BYTES)
                .help("bytes the share's file system read from its block store (NFS READ, SMB READ)")
                .labelNames("share").withoutExemplars().register(registry);
        shareWritten = Counter.builder().name("dittofs_share_written_bytes").unit(Unit.BYTES)
                .help("bytes the share's file system wrote to its block store (NFS WRITE, SMB WRITE)")
                .labelNames("share").withoutExemplars().register(registry);
        forceRequests = Counter.builder().name("dittofs_cache_wal_force_requests")
                .help("calls that need the WAL forced (sync for COMMIT and stable writes, truncate); divided by "
                        + "dittofs_cache_wal_forces_total it gives the mean group-commit size")
                .labelNames("store").withoutExemplars().register(registry);
        retries = Counter.builder().name("dittofs_blockstore_retries")
                .help("requests a block store sent again after a retryable failure (S3: throttling, 5xx, transport "
                        + "errors), by store name, kind and request (get, put, list, delete)")
                .labelNames("store", "kind", "op").withoutExemplars().register(registry);
        CounterWithCallback.builder().name("dittofs_cache_read_hits")
                .help("reads the write-back cache answered without reading the store below it").labelNames("store")
                .callback(cb -> cacheReads.forEach((n, c) -> {
                    if (c.reads.sum() > 0 || c.misses.sum() > 0) {
                        cb.call(c.hits(), n);
                    }
                }))
                .register(registry);
        CounterWithCallback.builder().name("dittofs_cache_read_misses")
                .help("reads the write-back cache passed to the store below it").labelNames("store")
                .callback(cb -> cacheReads.forEach((n, c) -> {
                    if (c.reads.sum() > 0 || c.misses.sum() > 0) {
                        cb.call(c.misses.sum(), n);
                    }
                }))
                .register(registry);
    }

    /** Whether anything is measured (else every method returns its argument). */
    public boolean enabled() {
        return blockLatency != null || tracer != null;
    }

    /** {@code store}, timed and traced as metadata store {@code name}. */
    public MetadataStore metadata(String name, MetadataStore store) {
        if (!enabled()) {
            return store;
        }
        String kind = store.kind();
        Attributes a = Attributes.of(Probe.STORE, name, Probe.KIND, kind);
        return new InstrumentedMetadataStore(store, metaProbe(name, kind, "read", a),
                metaProbe(name, kind, "write", a), metaProbe(name, kind, "note_write", a),
                metaProbe(name, kind, "sync", a));
    }

    private Probe metaProbe(String name, String kind, String op, Attributes a) {
        return new Probe(metaLatency == null ? null : metaLatency.labelValues(name, kind, op), null, metaErrors,
                new String[]{name, kind, op}, tracer, "metadata." + op, a);
    }

    /**
     * {@code store}, timed and traced as one layer of block store {@code name}.
     *
     * @param layer  {@code cache} for the write-back cache, {@code store} for the store holding the data
     * @param cached for {@code layer=store}: whether a cache sits above it (its reads are then cache misses)
     */
    public BlockStore block(String name, String layer, boolean cached, BlockStore store) {
        if (!enabled()) {
            return store;
        }
        boolean cache = "cache".equals(layer);
        String kind = cache ? "wal" : store.kind();
        Attributes a = Attributes.of(Probe.STORE, name, Probe.KIND, kind, Probe.LAYER, layer);
        String prefix = cache ? "cache." : "blockstore.";
        CacheReads reads = cache || cached ? cacheReads.computeIfAbsent(name,
                n -> new CacheReads(new LongAdder(), new LongAdder(), new AtomicLong())) : null;
        return new InstrumentedBlockStore(store,
                blockProbe(name, layer, kind, "read", prefix, a, true),
                blockProbe(name, layer, kind, "write", prefix, a, true),
                blockProbe(name, layer, kind, "truncate", prefix, a, false),
                blockProbe(name, layer, kind, "delete", prefix, a, false),
                blockProbe(name, layer, kind, "sync", prefix, a, false),
                reads == null ? null : cache ? reads.reads : reads.misses,
                cache && forceRequests != null ? forceRequests.labelValues(name) : null);
    }

    private Probe blockProbe(String name, String layer, String kind, String op, String prefix, Attributes a,
                             boolean data) {
        return new Probe(blockLatency == null ? null : blockLatency.labelValues(name, layer, kind, op),
                blockBytes == null || !data ? null : blockBytes.labelValues(name, layer, kind, op), blockErrors,
                new String[]{name, layer, kind, op}, tracer, prefix + op, a);
    }

    /** What S3 block store {@code name} reports its retries to (counted per request kind; nothing without metrics). */
    public S3RetryListener s3Retries(String name) {
        if (retries == null) {
            return S3RetryListener.NONE;
        }
        return (op, cause) -> retries.labelValues(name, "s3", op).inc();
    }

    /** {@code store} as share {@code share} sees it: its bytes read and written are counted (metrics only). */
    public BlockStore share(String share, BlockStore store) {
        if (shareRead == null) {
            return store;
        }
        return new ShareBlockStore(store, shareRead.labelValues(share), shareWritten.labelValues(share));
    }

    /** The store under any decorators of this class. */
    public static BlockStore unwrap(BlockStore b) {
        while (true) {
            if (b instanceof InstrumentedBlockStore i) {
                b = i.delegate();
            } else if (b instanceof ShareBlockStore s) {
                b = s.delegate();
            } else {
                return b;
            }
        }
    }
}
