package io.dittofs.bench.load;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one connection measured: a histogram per operation name, plus bytes and items (directory
 * entries) moved. Only completions inside the measurement window count. Confined to its
 * connection's thread until the run has ended; then {@link #merge}d.
 */
final class Recorder {

    /** The shared measurement window: completions at or after start and at or before end count. */
    static final class Window {
        volatile long start = Long.MAX_VALUE;
        volatile long end = Long.MAX_VALUE;
        volatile boolean stop;

        boolean inside(long t) {
            return t >= start && t <= end;
        }
    }

    final Window window;
    final Map<String, Histogram> ops = new LinkedHashMap<>();
    long bytes;
    long items;
    long errors;
    final List<String> firstErrors = new ArrayList<>();

    Recorder(Window window) {
        this.window = window;
    }

    /** Records one completed call that started at {@code startNanos}; returns false outside the window. */
    boolean record(String op, long startNanos, long bytes) {
        long now = System.nanoTime();
        if (!window.inside(now)) {
            return false;
        }
        ops.computeIfAbsent(op, k -> new Histogram()).record(now - startNanos);
        this.bytes += bytes;
        return true;
    }

    void items(long n) {
        if (window.inside(System.nanoTime())) {
            items += n;
        }
    }

    void error(String op, int err, String message) {
        errors++;
        if (firstErrors.size() < 10) {
            firstErrors.add(op + ": " + err + " " + message);
        }
    }

    void merge(Recorder o) {
        o.ops.forEach((k, h) -> ops.computeIfAbsent(k, x -> new Histogram()).add(h));
        bytes += o.bytes;
        items += o.items;
        errors += o.errors;
        for (String e : o.firstErrors) {
            if (firstErrors.size() < 10) {
                firstErrors.add(e);
            }
        }
    }
}
