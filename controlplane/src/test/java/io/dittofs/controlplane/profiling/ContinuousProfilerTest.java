package io.dittofs.controlplane.profiling;

import com.sun.net.httpserver.HttpServer;
import io.dittofs.controlplane.config.Config;
import jdk.jfr.FlightRecorder;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** The profiler against an in-process Pyroscope-style receiver, and its local JFR files. */
class ContinuousProfilerTest {
    @TempDir
    Path dir;

    /** One POST /ingest as received: its decoded query parameters and body. */
    record Push(Map<String, String> query, String body) {
        boolean is(String name, String frame) {
            return query.get("name").equals(name) && body.contains(frame);
        }
    }

    static volatile long sink;

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void shouldPushCpuAllocationLockAndPinningProfilesAsFoldedStacks() throws Exception {
        List<Push> pushes = new CopyOnWriteArrayList<>();
        HttpServer receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        receiver.createContext("/ingest", x -> {
            Map<String, String> q = new HashMap<>();
            for (String kv : x.getRequestURI().getRawQuery().split("&")) {
                int eq = kv.indexOf('=');
                q.put(kv.substring(0, eq), URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
            }
            q.put("method", x.getRequestMethod());
            pushes.add(new Push(q, new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
            x.sendResponseHeaders(200, -1);
            x.close();
        });
        receiver.start();
        long startSec = System.currentTimeMillis() / 1000;
        Config c = Config.load(dir.resolve("none.yaml"), Map.of("DITTOFS_TELEMETRY_PROFILING_ENABLED", "true",
                "DITTOFS_TELEMETRY_PROFILING_ENDPOINT", "http://127.0.0.1:" + receiver.getAddress().getPort(),
                "DITTOFS_TELEMETRY_PROFILING_APP_NAME", "dfs-test",
                "DITTOFS_TELEMETRY_PROFILING_INTERVAL", "1s"), Map.of());
        assertTrue(c.problems().isEmpty(), c.problems().toString());
        try (ContinuousProfiler p = ContinuousProfiler.start(ProfilingSettings.from(c, dir))) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!(seen(pushes, "dfs-test.cpu", "burnCpuForProfiler")
                    && seen(pushes, "dfs-test.alloc_space", "allocateForProfiler")
                    && seen(pushes, "dfs-test.lock_time", "holdLockForProfiler")
                    && seen(pushes, "dfs-test.pinned_time", "PinsInClassInit.<clinit>"))) {
                if (System.nanoTime() > deadline) {
                    fail("not every profile arrived; pushed: " + pushes.stream().map(x -> x.query().get("name")).toList());
                }
                burnCpuForProfiler(300);
                allocateForProfiler(300);
                contendForProfiler();
                pinForProfiler();
            }
        } finally {
            receiver.stop(0);
        }
        long endSec = System.currentTimeMillis() / 1000 + 1;
        for (Push x : pushes) {
            assertEquals("POST", x.query().get("method"));
            assertEquals("folded", x.query().get("format"));
            long from = Long.parseLong(x.query().get("from"));
            long until = Long.parseLong(x.query().get("until"));
            assertTrue(startSec - 1 <= from && from < until && until <= endSec, x.query().toString());
            for (String line : x.body().lines().toList()) {
                assertTrue(line.matches("\\S(.*\\S)? [1-9][0-9]*"), "not a folded line: " + line);
            }
        }
        Push cpu = pushes.stream().filter(x -> x.is("dfs-test.cpu", "burnCpuForProfiler")).findFirst().orElseThrow();
        assertEquals("100", cpu.query().get("sampleRate"));
        assertEquals("samples", cpu.query().get("units"));
        // root first, leaf last: the test method is below the burner on the same line
        String line = cpu.body().lines().filter(l -> l.contains("burnCpuForProfiler")).findFirst().orElseThrow();
        assertTrue(line.indexOf("shouldPushCpuAllocationLockAndPinningProfilesAsFoldedStacks")
                < line.indexOf("burnCpuForProfiler"), line);
    }

    private static boolean seen(List<Push> pushes, String name, String frame) {
        return pushes.stream().anyMatch(x -> x.is(name, frame));
    }

    @Test
    void shouldStartNoRecordingWhenProfilingIsOff() throws IOException {
        int before = FlightRecorder.isInitialized() ? FlightRecorder.getFlightRecorder().getRecordings().size() : 0;
        Config c = Config.load(dir.resolve("none.yaml"), Map.of(), Map.of());
        assertNull(ProfilingSettings.from(c, dir));
        assertNull(ContinuousProfiler.start(ProfilingSettings.from(c, dir)));
        int after = FlightRecorder.isInitialized() ? FlightRecorder.getFlightRecorder().getRecordings().size() : 0;
        assertEquals(before, after);
        assertTrue(Files.notExists(dir.resolve("profiles")));
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldKeepRollingJfrFilesUnderTheDataDirectoryInLocalMode() throws Exception {
        Config c = Config.load(dir.resolve("none.yaml"), Map.of("DITTOFS_TELEMETRY_PROFILING_ENABLED", "true",
                "DITTOFS_TELEMETRY_PROFILING_MODE", "local", "DITTOFS_TELEMETRY_PROFILING_LOCAL_ROTATE", "1s"), Map.of());
        Path profiles = dir.resolve("profiles");
        try (ContinuousProfiler p = ContinuousProfiler.start(ProfilingSettings.from(c, dir))) {
            // a file is created when its period starts: three files mean two periods are complete
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (jfrFiles(profiles).size() < 3 && System.nanoTime() < deadline) {
                burnCpuForProfiler(200);
            }
        }
        List<Path> files = jfrFiles(profiles);
        assertTrue(files.size() >= 3, files.toString());
        for (Path f : files) {
            assertTrue(Files.size(f) > 0, "empty " + f);
        }
        boolean found = false;
        for (Path f : files) {
            for (RecordedEvent e : RecordingFile.readAllEvents(f)) {
                found |= e.getEventType().getName().equals("jdk.ExecutionSample")
                        && FoldedStacks.fold(e.getStackTrace()).contains("burnCpuForProfiler");
            }
        }
        assertTrue(found, "no CPU sample of the burner in " + files);
    }

    @Test
    void shouldDeleteFilesPastTheAgeAndTheOldestBeyondTheSize() throws IOException {
        Path old = Files.write(dir.resolve("profile-20260101T000000.000Z.jfr"), new byte[100]);
        Files.setLastModifiedTime(old, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 7_200_000));
        Path a = Files.write(dir.resolve("profile-20260102T000000.000Z.jfr"), new byte[600]);
        Path b = Files.write(dir.resolve("profile-20260103T000000.000Z.jfr"), new byte[600]);
        Path other = Files.write(dir.resolve("notes.txt"), new byte[5000]);
        JfrFiles.prune(dir, java.time.Duration.ofHours(1), 1000, java.time.Instant.now());
        assertTrue(Files.notExists(old));
        assertTrue(Files.notExists(a));
        assertTrue(Files.exists(b));
        assertTrue(Files.exists(other));
    }

    private static List<Path> jfrFiles(Path d) throws IOException {
        if (!Files.isDirectory(d)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(d)) {
            return new ArrayList<>(s.filter(p -> p.toString().endsWith(".jfr")).sorted().toList());
        }
    }

    static void burnCpuForProfiler(long millis) {
        long end = System.nanoTime() + millis * 1_000_000;
        long x = sink;
        while (System.nanoTime() < end) {
            for (int i = 0; i < 10_000; i++) {
                x = x * 6364136223846793005L + 1442695040888963407L;
            }
        }
        sink = x;
    }

    static void allocateForProfiler(long millis) {
        long end = System.nanoTime() + millis * 1_000_000;
        while (System.nanoTime() < end) {
            byte[] b = new byte[64 * 1024];
            sink += b.length;
        }
    }

    static void contendForProfiler() throws InterruptedException {
        ReentrantLock lock = new ReentrantLock();
        Thread[] ts = new Thread[2];
        for (int i = 0; i < ts.length; i++) {
            ts[i] = Thread.ofPlatform().start(() -> {
                for (int r = 0; r < 3; r++) {
                    holdLockForProfiler(lock);
                }
            });
        }
        for (Thread t : ts) {
            t.join();
        }
    }

    static void holdLockForProfiler(ReentrantLock lock) {
        lock.lock();
        try {
            Thread.sleep(30);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
    }

    /** A virtual thread that sleeps in a class initializer stays pinned to its carrier (JDK 25). */
    static void pinForProfiler() throws InterruptedException {
        Thread.ofVirtual().start(() -> sink += new PinsInClassInit().hashCode()).join();
    }

    static final class PinsInClassInit {
        static {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
