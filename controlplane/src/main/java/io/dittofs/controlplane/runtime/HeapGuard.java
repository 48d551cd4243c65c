package io.dittofs.controlplane.runtime;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.time.Duration;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * Keeps the old generation of the Serial collector (the launcher's choice, see README "Memory")
 * near its live set. Serial collects the old generation only when it cannot grow any more, that
 * is, at the maximum heap: objects that outlive a few young collections and then die (a cached
 * inode replaced by its next version, an evicted duplicate-request reply) pile up there, and the
 * heap, and with it the process's resident memory, grows by about a megabyte a second under a
 * metadata load until it reaches the cap. Every {@link #INTERVAL} this guard compares the old
 * generation's occupancy with what was live after its last collection and asks for a full
 * collection ({@code System.gc()}) once the garbage on top of that reaches the larger of the live
 * set and {@link #MIN_GARBAGE}; with {@code -XX:MaxHeapFreeRatio} and
 * {@code -XX:-ShrinkHeapInSteps} (jvm.options) the collector then gives the free part back.
 *
 * <p>The cost is a stop-the-world full collection each time that much garbage has piled up (tens
 * of milliseconds per 10 MiB live on this project's test machines), instead of an ever larger heap.
 * Without an old generation it can watch (another collector chosen by editing jvm.options) the
 * guard does not start.
 */
public final class HeapGuard {
    private static final Logger LOG = LoggerFactory.getLogger(HeapGuard.class);
    /** How often the occupancy is looked at. */
    static final Duration INTERVAL = Duration.ofSeconds(5);
    /** Garbage that never triggers a collection, however small the live set. */
    static final long MIN_GARBAGE = 32L << 20;

    private final LongSupplier used;
    private final LongSupplier liveAfterLastCollection;
    private final Runnable collect;
    private long collections;

    /**
     * A guard over any old generation: {@code used} is its occupancy now,
     * {@code liveAfterLastCollection} what its last collection left (0 before the first), and
     * {@code collect} runs a full collection.
     */
    HeapGuard(LongSupplier used, LongSupplier liveAfterLastCollection, Runnable collect) {
        this.used = used;
        this.liveAfterLastCollection = liveAfterLastCollection;
        this.collect = collect;
    }

    /**
     * Starts the guard on a virtual thread when this JVM runs the Serial collector; empty
     * otherwise.
     */
    public static Optional<Thread> start() {
        return forThisJvm().map(g -> Thread.ofVirtual().name("heap-guard").start(g::run));
    }

    /** A guard over this JVM's old generation if it is Serial's (the pool "Tenured Gen"). */
    static Optional<HeapGuard> forThisJvm() {
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.getName().equals("Tenured Gen")
                    && pool.isCollectionUsageThresholdSupported()) {
                return Optional.of(new HeapGuard(() -> pool.getUsage().getUsed(),
                        () -> pool.getCollectionUsage().getUsed(), System::gc));
            }
        }
        return Optional.empty();
    }

    private void run() {
        while (true) {
            try {
                Thread.sleep(INTERVAL);
            } catch (InterruptedException e) {
                return;
            }
            check();
        }
    }

    /** One look: collects when the old generation holds too much garbage; true if it did. */
    boolean check() {
        long live = liveAfterLastCollection.getAsLong();
        long now = used.getAsLong();
        if (now - live < Math.max(live, MIN_GARBAGE)) {
            return false;
        }
        collect.run();
        collections++;
        LOG.debug("old generation {} MiB, {} MiB live after its last collection: full collection #{}",
                now >> 20, live >> 20, collections);
        return true;
    }

    /** Full collections this guard asked for. */
    long collections() {
        return collections;
    }
}
