package io.dittofs.controlplane.profiling;

import jdk.jfr.Recording;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Local profiling: rolling JFR files {@code profile-<UTC start>.jfr} in one directory, each
 * covering {@code rotate}, bounded by age and total size. Each period is its own {@link Recording}
 * with the file as destination: the previous one stops (which writes its file), then the next one
 * starts, so the files abut but for that instant. Open a file with JDK Mission Control or {@code jfr print}.
 * Thread-safe: one scheduler thread rotates; {@link #close} stops it and writes the last file.
 */
final class JfrFiles implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(JfrFiles.class);
    private static final DateTimeFormatter NAME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'")
            .withZone(ZoneOffset.UTC);

    private final Path dir;
    private final Duration maxAge;
    private final long maxBytes;
    private final ScheduledExecutorService rotator;
    private Recording current;

    private JfrFiles(Path dir, Duration maxAge, long maxBytes) {
        this.dir = dir;
        this.maxAge = maxAge;
        this.maxBytes = maxBytes;
        this.rotator = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("dfs-profiler-files").factory());
    }

    /** Starts the first file now and a new one every {@code rotate}. */
    static JfrFiles start(Path dir, Duration rotate, Duration maxAge, long maxBytes) throws IOException {
        Files.createDirectories(dir);
        JfrFiles f = new JfrFiles(dir, maxAge, maxBytes);
        synchronized (f) {
            f.current = f.newRecording();
        }
        f.rotator.scheduleAtFixedRate(f::rotate, rotate.toMillis(), rotate.toMillis(), TimeUnit.MILLISECONDS);
        LOG.info("profiling: JFR files in {} (one per {}, kept {} / {} MiB)", dir, rotate, maxAge, maxBytes >> 20);
        return f;
    }

    private Recording newRecording() throws IOException {
        Recording r = new Recording();
        r.setName("dittofs-profile-file");
        ProfilingEvents.enable(r::enable);
        r.setToDisk(true);
        r.setDestination(dir.resolve("profile-" + NAME.format(Instant.now()) + ".jfr"));
        r.start();
        return r;
    }

    private synchronized void rotate() {
        if (current == null) {
            return;
        }
        try {
            // stop first, then start the next: a period's recording stopped while the next one
            // already runs was seen writing an empty file (its chunk not yet rotated out)
            Recording done = current;
            current = null;
            finish(done);
            current = newRecording();
        } catch (IOException | RuntimeException e) {
            LOG.warn("profiling: cannot rotate the JFR file in {}: {}", dir, e.toString());
        }
        prune(dir, maxAge, maxBytes, Instant.now());
    }

    /**
     * Deletes the {@code profile-*.jfr} files in {@code dir} last modified before
     * {@code now - maxAge}, then the oldest while the rest exceed {@code maxBytes}.
     */
    static void prune(Path dir, Duration maxAge, long maxBytes, Instant now) {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "profile-*.jfr")) {
            ds.forEach(files::add);
        } catch (IOException e) {
            LOG.warn("profiling: cannot list {}: {}", dir, e.toString());
            return;
        }
        files.sort(Comparator.comparing(p -> p.getFileName().toString()));
        long total = 0;
        List<Path> kept = new ArrayList<>();
        for (Path p : files) {
            try {
                if (Files.getLastModifiedTime(p).toInstant().isBefore(now.minus(maxAge))) {
                    Files.deleteIfExists(p);
                } else {
                    kept.add(p);
                    total += Files.size(p);
                }
            } catch (IOException e) {
                LOG.warn("profiling: cannot prune {}: {}", p, e.toString());
            }
        }
        for (int i = 0; i < kept.size() && total > maxBytes; i++) {
            try {
                long size = Files.size(kept.get(i));
                Files.deleteIfExists(kept.get(i));
                total -= size;
            } catch (IOException e) {
                LOG.warn("profiling: cannot prune {}: {}", kept.get(i), e.toString());
            }
        }
    }

    /**
     * Stops a period's recording, which writes its file. A period that got no chunk (closed right
     * after it began) leaves the empty file JFR created when the destination was set: removed.
     */
    private static void finish(Recording r) {
        Path dest = r.getDestination();
        r.stop();
        r.close();
        try {
            if (dest != null && Files.exists(dest) && Files.size(dest) == 0) {
                Files.delete(dest);
            }
        } catch (IOException e) {
            LOG.debug("profiling: cannot remove the empty JFR file {}: {}", dest, e.toString());
        }
    }

    /** Stops rotating and writes the current file. */
    @Override
    public void close() {
        rotator.shutdownNow();
        try {
            rotator.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            if (current != null) {
                finish(current);
                current = null;
            }
        }
        prune(dir, maxAge, maxBytes, Instant.now());
    }
}
