package io.dittofs.controlplane.profiling;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;

/**
 * Opt-in continuous profiling ({@code telemetry.profiling.*}) on JDK Flight Recorder. Push mode
 * streams CPU samples ({@code jdk.ExecutionSample}, 100 Hz), allocation samples
 * ({@code jdk.ObjectAllocationSample}, weighted by the bytes they stand for), lock contention
 * ({@code jdk.JavaMonitorEnter}, and {@code jdk.ThreadPark} on a lock, 10 ms or more, weighted by
 * the time blocked) and virtual-thread pinning ({@code jdk.VirtualThreadPinned}, 20 ms or more)
 * through a {@link RecordingStream}, folds them into stacks and, every {@code interval}, pushes one
 * profile per kind to a Pyroscope-compatible server ({@link PyroscopePush}). Local mode keeps
 * rolling JFR files instead or as well ({@link JfrFiles}). Off, none of this is loaded: nothing
 * records. Thread-safe: events and pushes run on the stream's dispatch thread; the aggregates are
 * guarded by this object's lock so {@link #close} can push the last window.
 */
public final class ContinuousProfiler implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ContinuousProfiler.class);

    /** The pushed profiles. */
    enum Kind {
        CPU(new PyroscopePush.Kind("cpu", "samples", ProfilingEvents.CPU_HZ)),
        ALLOC(new PyroscopePush.Kind("alloc_space", "bytes", 0)),
        LOCK(new PyroscopePush.Kind("lock_time", "lock_nanoseconds", 0)),
        PINNED(new PyroscopePush.Kind("pinned_time", "lock_nanoseconds", 0));

        final PyroscopePush.Kind push;

        Kind(PyroscopePush.Kind push) {
            this.push = push;
        }
    }

    private final ProfilingSettings settings;
    private final RecordingStream stream;
    private final PyroscopePush push;
    private final JfrFiles files;
    private final Map<Kind, FoldedStacks> stacks = new EnumMap<>(Kind.class);
    private Instant windowStart = Instant.now();

    private ContinuousProfiler(ProfilingSettings s, RecordingStream stream, PyroscopePush push, JfrFiles files) {
        this.settings = s;
        this.stream = stream;
        this.push = push;
        this.files = files;
        for (Kind k : Kind.values()) {
            stacks.put(k, new FoldedStacks());
        }
    }

    /**
     * Starts what {@code s} asks for.
     *
     * @return the running profiler, or null when {@code s} is null (profiling off)
     * @throws IOException if the local directory cannot be created
     */
    public static ContinuousProfiler start(ProfilingSettings s) throws IOException {
        if (s == null) {
            return null;
        }
        JfrFiles files = s.local() ? JfrFiles.start(s.dir(), s.rotate(), s.maxAge(), s.maxBytes()) : null;
        if (!s.push()) {
            return new ContinuousProfiler(s, null, null, files);
        }
        RecordingStream rs = new RecordingStream();
        ContinuousProfiler p = new ContinuousProfiler(s, rs, new PyroscopePush(s.endpoint()), files);
        ProfilingEvents.enable(rs::enable);
        // the stream keeps about two windows on disk, whatever the dispatch thread's backlog
        rs.setMaxAge(s.interval().multipliedBy(2).plusSeconds(10));
        rs.onEvent(ProfilingEvents.CPU, e -> p.add(Kind.CPU, e, 1));
        rs.onEvent(ProfilingEvents.ALLOC, e -> p.add(Kind.ALLOC, e, e.getLong("weight")));
        rs.onEvent(ProfilingEvents.MONITOR, e -> p.add(Kind.LOCK, e, e.getDuration().toNanos()));
        rs.onEvent(ProfilingEvents.PARK, e -> {
            if (ProfilingEvents.isLockWait(e.getClass("parkedClass") == null ? null : e.getClass("parkedClass").getName())) {
                p.add(Kind.LOCK, e, e.getDuration().toNanos());
            }
        });
        rs.onEvent(ProfilingEvents.PINNED, e -> p.add(Kind.PINNED, e, e.getDuration().toNanos()));
        rs.onFlush(p::pushIfDue);
        rs.startAsync();
        LOG.info("profiling: pushing CPU, allocation, lock and pinning profiles of '{}' to {} every {}",
                s.appName(), s.endpoint(), s.interval());
        return p;
    }

    private synchronized void add(Kind k, RecordedEvent e, long weight) {
        stacks.get(k).add(e.getStackTrace(), weight);
    }

    private void pushIfDue() {
        if (Duration.between(windowStart, Instant.now()).compareTo(settings.interval()) >= 0) {
            pushWindow();
        }
    }

    /** Pushes what was aggregated since the last push, one request per non-empty profile. */
    private void pushWindow() {
        Instant until = Instant.now();
        Map<Kind, String> drained = new EnumMap<>(Kind.class);
        long from;
        synchronized (this) {
            from = windowStart.getEpochSecond();
            windowStart = until;
            stacks.forEach((k, f) -> {
                if (!f.isEmpty()) {
                    drained.put(k, f.drain());
                }
            });
        }
        long untilSec = Math.max(from + 1, until.getEpochSecond());
        drained.forEach((k, folded) -> push.send(settings.appName(), k.push, from, untilSec, folded));
    }

    /** Stops recording, pushes the last window and writes the last local file. */
    @Override
    public void close() {
        if (stream != null) {
            stream.close();
            pushWindow();
            push.close();
        }
        if (files != null) {
            files.close();
        }
    }
}
