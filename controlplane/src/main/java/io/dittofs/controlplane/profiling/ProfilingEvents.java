package io.dittofs.controlplane.profiling;

import jdk.jfr.EventSettings;

import java.time.Duration;
import java.util.function.Function;

/**
 * The JFR events continuous profiling records, with their settings, in one place for the push
 * stream and the local files. Stateless.
 */
final class ProfilingEvents {
    static final String CPU = "jdk.ExecutionSample";
    static final String ALLOC = "jdk.ObjectAllocationSample";
    static final String MONITOR = "jdk.JavaMonitorEnter";
    static final String PARK = "jdk.ThreadPark";
    static final String PINNED = "jdk.VirtualThreadPinned";
    /** CPU sampling period: 10 ms, i.e. the pushed {@code sampleRate} of 100 Hz. */
    static final Duration CPU_PERIOD = Duration.ofMillis(10);
    static final int CPU_HZ = 100;
    /** Waits shorter than this are not contention worth a stack (the JDK's "profile" setting). */
    static final Duration LOCK_THRESHOLD = Duration.ofMillis(10);
    /** Pinning this long or longer is recorded (STYLE 6: e2e fails on 20 ms). */
    static final Duration PINNED_THRESHOLD = Duration.ofMillis(20);

    private ProfilingEvents() {
    }

    /** Enables the events on a recording or stream, given its {@code enable(String)}. */
    static void enable(Function<String, EventSettings> enable) {
        enable.apply(CPU).withPeriod(CPU_PERIOD).withStackTrace();
        enable.apply(ALLOC).with("throttle", "300/s").withStackTrace();
        enable.apply(MONITOR).withThreshold(LOCK_THRESHOLD).withStackTrace();
        enable.apply(PARK).withThreshold(LOCK_THRESHOLD).withStackTrace();
        enable.apply(PINNED).withThreshold(PINNED_THRESHOLD).withStackTrace();
    }

    /**
     * Whether a {@code jdk.ThreadPark} is waiting for a lock (a {@code java.util.concurrent}
     * lock, semaphore or latch: its blocker is an AQS {@code Sync} or a {@code StampedLock})
     * rather than idling for work (a condition or queue wait, a sleeping pool thread).
     */
    static boolean isLockWait(String parkedClass) {
        return parkedClass != null && (parkedClass.endsWith("Sync") || parkedClass.endsWith("locks.StampedLock"));
    }
}
