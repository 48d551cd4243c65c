package io.dittofs.controlplane.runtime;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HeapGuardTest {
    private static final long MIB = 1L << 20;

    @Test
    void shouldCollectOnceTheGarbageReachesTheLiveSetOrItsFloor() {
        AtomicLong used = new AtomicLong();
        AtomicLong live = new AtomicLong();
        AtomicInteger collected = new AtomicInteger();
        HeapGuard g = new HeapGuard(used::get, live::get, collected::incrementAndGet);
        used.set(31 * MIB); // nothing collected yet: the floor alone decides
        assertFalse(g.check());
        used.set(32 * MIB);
        assertTrue(g.check());
        live.set(40 * MIB); // 40 live: 40 more of garbage
        used.set(79 * MIB);
        assertFalse(g.check());
        used.set(80 * MIB);
        assertTrue(g.check());
        assertEquals(2, collected.get());
        assertEquals(2, g.collections());
    }

    /**
     * A child JVM on the Serial collector (as the launcher runs the server) churns objects that
     * live through several young collections and then die: without the guard they pile up in the
     * old generation up to the 512 MiB heap; with it the old generation stays near its live set.
     */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldKeepSerialsOldGenerationNearItsLiveSet() throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        Process p = new ProcessBuilder(List.of(java, "-XX:+UseSerialGC", "-Xms16m", "-Xmx512m", "-Xmn8m", "-cp",
                System.getProperty("java.class.path"), Churn.class.getName())).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertTrue(p.waitFor(100, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        String[] f = out.substring(out.lastIndexOf('\n') + 1).split(" ");
        long collections = Long.parseLong(f[1]);
        long maxOld = Long.parseLong(f[2]);
        assertTrue(collections > 0, out);
        // live set here is ~24 MiB (the ring) plus the JVM's own: the old generation never holds
        // much more than twice the 32 MiB floor; without the guard it reaches hundreds of MiB
        assertTrue(maxOld < 112 * MIB, "old generation peaked at " + (maxOld >> 20) + " MiB: " + out);
    }

    /** The child of {@link #shouldKeepSerialsOldGenerationNearItsLiveSet}: prints "OK collections maxOldBytes". */
    public static final class Churn {
        public static void main(String[] args) {
            HeapGuard g = HeapGuard.forThisJvm().orElseThrow(() -> new AssertionError("no Tenured Gen"));
            MemoryPoolMXBean old = ManagementFactory.getMemoryPoolMXBeans().stream()
                    .filter(m -> m.getName().equals("Tenured Gen")).findFirst().orElseThrow();
            byte[][] ring = new byte[3072][]; // 3072 x 8 KiB = 24 MiB live; each slot dies 24 MiB later
            long maxOld = 0;
            for (int i = 0; i < 200_000; i++) { // ~1.6 GiB allocated
                ring[i % ring.length] = new byte[8192];
                if (i % 1000 == 0) {
                    g.check();
                    maxOld = Math.max(maxOld, old.getUsage().getUsed());
                }
            }
            System.out.println("OK " + g.collections() + " " + maxOld);
        }
    }
}
