package io.dittofs.controlplane.metrics;

import io.dittofs.storage.cache.WriteBackCache;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.Unit;

import java.util.Map;
import java.util.function.Supplier;

/**
 * The write-back caches' metrics, read at scrape time from {@link WriteBackCache#stats()} of every
 * live cache (labelled by block store name), so the write path pays nothing for them. A store
 * that is closed and built again starts its counters from zero, which Prometheus treats as a
 * counter reset. Stateless apart from the registration; thread-safe.
 */
public final class CacheMetrics {
    private CacheMetrics() {
    }

    /** Registers the cache metrics; {@code caches} gives the live caches by block store name. */
    public static void register(PrometheusRegistry registry, Supplier<Map<String, WriteBackCache.Stats>> caches) {
        GaugeWithCallback.builder().name("dittofs_cache_dirty_bytes").unit(Unit.BYTES)
                .help("bytes written to the cache's WAL and not yet flushed to the block store")
                .labelNames("store")
                .callback(cb -> caches.get().forEach((n, s) -> cb.call(s.dirtyBytes(), n)))
                .register(registry);
        GaugeWithCallback.builder().name("dittofs_cache_wal_segments")
                .help("WAL segments in use (spare segment files kept for reuse are not counted)").labelNames("store")
                .callback(cb -> caches.get().forEach((n, s) -> cb.call(s.walSegments(), n)))
                .register(registry);
        CounterWithCallback.builder().name("dittofs_cache_wal_forces")
                .help("WAL group commits (msync rounds made for FILE_SYNC/DATA_SYNC writes, COMMIT and truncates)")
                .labelNames("store")
                .callback(cb -> caches.get().forEach((n, s) -> cb.call(s.walForces(), n)))
                .register(registry);
        CounterWithCallback.builder().name("dittofs_cache_flushes")
                .help("files flushed from the cache to the block store (one coalesced write run and sync each)")
                .labelNames("store")
                .callback(cb -> caches.get().forEach((n, s) -> cb.call(s.flushes(), n)))
                .register(registry);
        CounterWithCallback.builder().name("dittofs_cache_flushed_bytes").unit(Unit.BYTES)
                .help("bytes flushed from the cache to the block store").labelNames("store")
                .callback(cb -> caches.get().forEach((n, s) -> cb.call(s.flushedBytes(), n)))
                .register(registry);
        CounterWithCallback.builder().name("dittofs_cache_flush_errors")
                .help("failed flush rounds (the block store refused a write, sync, truncate or delete); each is retried")
                .labelNames("store")
                .callback(cb -> caches.get().forEach((n, s) -> cb.call(s.flushErrors(), n)))
                .register(registry);
        GaugeWithCallback.builder().name("dittofs_cache_flush_failing")
                .help("1 while the flusher cannot reach the block store (writes go on into the WAL), else 0")
                .labelNames("store")
                .callback(cb -> caches.get().forEach((n, s) -> cb.call(s.failing() ? 1 : 0, n)))
                .register(registry);
        GaugeWithCallback.builder().name("dittofs_cache_flush_retry").unit(Unit.SECONDS)
                .help("the flusher's wait before its next retry of a failing block store (capped exponential backoff), 0 when healthy")
                .labelNames("store")
                .callback(cb -> caches.get().forEach((n, s) -> cb.call(s.retryDelayMs() / 1000.0, n)))
                .register(registry);
        CounterWithCallback.builder().name("dittofs_cache_evictions")
                .help("WAL segments evicted from the cache: all their data had reached the block store, so the "
                        + "segment was recycled or deleted (the WAL segment is the cache's unit of residency)")
                .labelNames("store")
                .callback(cb -> caches.get().forEach((n, s) -> cb.call(s.evictions(), n)))
                .register(registry);
        registry.register(groupSizes(caches));
    }

    private static final String GROUP_SIZE = "dittofs_cache_wal_group_size";

    /** The WAL group-commit sizes (force requests served per msync round) as a classic histogram. */
    private static Collector groupSizes(Supplier<Map<String, WriteBackCache.Stats>> caches) {
        long[] bounds = WriteBackCache.walGroupBounds();
        double[] upper = new double[bounds.length + 1];
        for (int i = 0; i < bounds.length; i++) {
            upper[i] = bounds[i];
        }
        upper[bounds.length] = Double.POSITIVE_INFINITY;
        return new Collector() {
            @Override
            public MetricSnapshot collect() {
                HistogramSnapshot.Builder b = HistogramSnapshot.builder().name(GROUP_SIZE)
                        .help("WAL group commits by how many force requests (FILE_SYNC/DATA_SYNC writes, COMMITs, "
                                + "truncates) one msync round served");
                caches.get().forEach((n, s) -> b.dataPoint(HistogramSnapshot.HistogramDataPointSnapshot.builder()
                        .classicHistogramBuckets(ClassicHistogramBuckets.of(upper, s.walGroupCounts()))
                        .sum(s.walGroupSum()).labels(Labels.of("store", n)).build()));
                return b.build();
            }

            @Override
            public String getPrometheusName() {
                return GROUP_SIZE;
            }
        };
    }
}
