package io.dittofs.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class HistogramTest {

    @Test
    void bucketsAreContiguousAndBoundsHold() {
        int prev = -1;
        for (long v = 0; v < 1 << 20; v++) {
            int b = Histogram.bucket(v);
            assertTrue(b == prev || b == prev + 1, "bucket of " + v);
            assertTrue(Histogram.highest(b) >= v, "highest of bucket of " + v);
            prev = b;
        }
        for (long v : new long[] {1L << 40, Long.MAX_VALUE / 3, Long.MAX_VALUE}) {
            assertTrue(Histogram.highest(Histogram.bucket(v)) >= v);
        }
    }

    @Test
    void percentilesWithinOneSixtyFourth() {
        Histogram h = new Histogram();
        for (long v = 1; v <= 100_000; v++) {
            h.record(v * 1000);
        }
        assertEquals(100_000, h.count());
        for (double p : new double[] {50, 99, 99.9}) {
            double expected = p / 100 * 100_000 * 1000;
            double got = h.percentile(p);
            assertTrue(got >= expected && got <= expected * (1 + 1.0 / 64), p + ": " + got);
        }
        assertEquals(100_000_000L, h.percentile(100));
        Histogram other = new Histogram();
        other.record(5);
        h.add(other);
        assertEquals(5, h.min());
        assertEquals(100_001, h.count());
    }

    @Test
    @SuppressWarnings("unchecked")
    void jsonRoundTripAndSizes() {
        Json j = new Json();
        j.open('{').field("a", "x\"y\n").field("n", 1.5).field("l", 7L).key("arr").open('[').value("p").value(2).close(']')
                .key("o").open('{').close('}').close('}');
        Map<String, Object> m = (Map<String, Object>) Json.parse(j.toString());
        assertEquals("x\"y\n", m.get("a"));
        assertEquals(1.5, m.get("n"));
        assertEquals(7.0, m.get("l"));
        assertEquals(List.of("p", 2.0), m.get("arr"));
        assertEquals(Map.of(), m.get("o"));
        assertEquals(4096, NfsLoad.size("4K"));
        assertEquals(1 << 20, NfsLoad.size("1MiB"));
        assertEquals(3L << 30, NfsLoad.size("3g"));
    }
}
