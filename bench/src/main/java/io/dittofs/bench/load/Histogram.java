package io.dittofs.bench.load;

/**
 * A log-linear latency histogram in nanoseconds (the idea of HdrHistogram, much smaller): values
 * below 128 have a bucket each; above, every power of two is split into 64 linear sub-buckets, so
 * a reported percentile is within 1/64 (1.6 %) of the recorded value. Not thread-safe: each
 * connection records into its own and the report {@link #add merges} them.
 */
public final class Histogram {

    private static final int SUB_BITS = 7;            // 128 values below the first split
    private static final int HALF = 1 << (SUB_BITS - 1);
    private static final int BUCKETS = (64 - SUB_BITS + 1) * HALF + HALF;

    private final long[] counts = new long[BUCKETS];
    private long total;
    private long min = Long.MAX_VALUE;
    private long max;
    private double sum;

    static int bucket(long v) {
        if (v < (1L << SUB_BITS)) {
            return (int) Math.max(v, 0);
        }
        int msb = 63 - Long.numberOfLeadingZeros(v);
        int shift = msb - SUB_BITS + 1;
        return shift * HALF + (int) (v >>> shift);
    }

    /** The highest value that falls into bucket {@code b}. */
    static long highest(int b) {
        if (b < (1 << SUB_BITS)) {
            return b;
        }
        int shift = b / HALF - 1;
        long m = b - (long) shift * HALF;
        return ((m + 1) << shift) - 1;
    }

    public void record(long nanos) {
        counts[bucket(nanos)]++;
        total++;
        sum += nanos;
        if (nanos < min) {
            min = nanos;
        }
        if (nanos > max) {
            max = nanos;
        }
    }

    public void add(Histogram o) {
        for (int i = 0; i < BUCKETS; i++) {
            counts[i] += o.counts[i];
        }
        total += o.total;
        sum += o.sum;
        min = Math.min(min, o.min);
        max = Math.max(max, o.max);
    }

    public long count() {
        return total;
    }

    public long max() {
        return total == 0 ? 0 : max;
    }

    public long min() {
        return total == 0 ? 0 : min;
    }

    public double mean() {
        return total == 0 ? 0 : sum / total;
    }

    /** The value at percentile {@code p} (0..100), reported as its bucket's upper bound, capped at max. */
    public long percentile(double p) {
        if (total == 0) {
            return 0;
        }
        long rank = (long) Math.ceil(p / 100.0 * total);
        rank = Math.max(1, Math.min(rank, total));
        long seen = 0;
        for (int i = 0; i < BUCKETS; i++) {
            seen += counts[i];
            if (seen >= rank) {
                return Math.min(highest(i), max);
            }
        }
        return max;
    }
}
