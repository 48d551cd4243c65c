package io.dittofs.controlplane.profiling;

import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One profile being aggregated: stack traces folded into {@code root;...;leaf} lines (the
 * "collapsed stack" format of Brendan Gregg's flame graphs, which Pyroscope ingests as
 * {@code format=folded}), each with a summed weight (samples, bytes or nanoseconds). Frames are
 * {@code fully.qualified.Class.method}; JFR truncates stacks at its stack depth (64).
 * Not thread-safe: the profiler's event-dispatch thread alone adds and drains.
 */
final class FoldedStacks {
    private Map<String, Long> weights = new HashMap<>();

    /** Adds {@code weight} to the folded line of {@code stack}; a missing stack counts as {@code [unknown]}. */
    void add(RecordedStackTrace stack, long weight) {
        if (weight <= 0) {
            return;
        }
        weights.merge(fold(stack), weight, Long::sum);
    }

    boolean isEmpty() {
        return weights.isEmpty();
    }

    /** Returns what was aggregated since the last drain, as folded text, and starts afresh. */
    String drain() {
        Map<String, Long> done = weights;
        weights = new HashMap<>();
        StringBuilder sb = new StringBuilder(done.size() * 128);
        done.forEach((stack, w) -> sb.append(stack).append(' ').append(w).append('\n'));
        return sb.toString();
    }

    /** The stack root first, leaf last, frames separated by {@code ;}. */
    static String fold(RecordedStackTrace stack) {
        if (stack == null || stack.getFrames().isEmpty()) {
            return "[unknown]";
        }
        List<RecordedFrame> frames = stack.getFrames();
        StringBuilder sb = new StringBuilder(frames.size() * 48);
        for (int i = frames.size() - 1; i >= 0; i--) {
            RecordedFrame f = frames.get(i);
            if (sb.length() > 0) {
                sb.append(';');
            }
            if (f.getMethod() == null) {
                sb.append("[unknown]");
                continue;
            }
            String type = f.getMethod().getType() == null ? "[unknown]" : f.getMethod().getType().getName();
            // ';' and ' ' separate frames and the weight: keep them out of (hidden-class) names
            sb.append(clean(type)).append('.').append(clean(f.getMethod().getName()));
        }
        return sb.toString();
    }

    private static String clean(String s) {
        return s.indexOf(';') < 0 && s.indexOf(' ') < 0 ? s : s.replace(';', '_').replace(' ', '_');
    }
}
