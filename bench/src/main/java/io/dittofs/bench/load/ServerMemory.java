package io.dittofs.bench.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The server's resident memory, read from {@code /proc/PID/status}: {@code VmRSS} (split into
 * {@code RssAnon}, {@code RssFile} and {@code RssShmem}; mapped files such as WAL segments count
 * as RssFile) and {@code VmHWM}, the process' peak RSS since it started. A {@link Sampler} reads it
 * every 50 ms on a daemon thread while a workload runs and keeps the largest VmRSS seen.
 *
 * <p>Thread-safety: {@link Status} is immutable; a {@link Sampler} is started and closed by one
 * thread, its sampling thread publishes the peak through a volatile field.
 */
final class ServerMemory {

    /** One reading in KiB; a field the kernel did not report is -1. */
    record Status(long rssKiB, long anonKiB, long fileKiB, long shmemKiB, long hwmKiB) {
        static final Status NONE = new Status(-1, -1, -1, -1, -1);
    }

    private ServerMemory() {
    }

    /** Reads {@code /proc/PID/status}; {@link Status#NONE} when the process is gone or unreadable. */
    static Status read(int pid) {
        if (pid <= 0) {
            return Status.NONE;
        }
        try {
            return parse(Files.readString(Path.of("/proc", Integer.toString(pid), "status")));
        } catch (IOException | RuntimeException e) {
            return Status.NONE;
        }
    }

    static Status parse(String status) {
        long rss = -1;
        long anon = -1;
        long file = -1;
        long shmem = -1;
        long hwm = -1;
        for (String line : status.split("\n")) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String key = line.substring(0, colon);
            switch (key) {
                case "VmRSS" -> rss = kib(line, colon);
                case "RssAnon" -> anon = kib(line, colon);
                case "RssFile" -> file = kib(line, colon);
                case "RssShmem" -> shmem = kib(line, colon);
                case "VmHWM" -> hwm = kib(line, colon);
                default -> {
                }
            }
        }
        return new Status(rss, anon, file, shmem, hwm);
    }

    private static long kib(String line, int colon) {
        String v = line.substring(colon + 1).trim();
        int sp = v.indexOf(' ');
        return Long.parseLong(sp < 0 ? v : v.substring(0, sp));
    }

    /** Samples a process every 50 ms until closed; {@link #peak} is the reading with the largest VmRSS. */
    static final class Sampler implements AutoCloseable {
        private final int pid;
        private final Thread thread;
        private volatile Status peak = Status.NONE;
        private volatile boolean stop;

        Sampler(int pid) {
            this.pid = pid;
            this.thread = Thread.ofPlatform().daemon().name("nfsload-rss").unstarted(this::loop);
            if (pid > 0) {
                thread.start();
            }
        }

        private void loop() {
            while (!stop) {
                sample();
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        private void sample() {
            Status s = read(pid);
            if (s.rssKiB() > peak.rssKiB()) {
                peak = s;
            }
        }

        Status peak() {
            return peak;
        }

        @Override
        public void close() throws InterruptedException {
            stop = true;
            if (pid > 0) {
                thread.join();
                sample();
            }
        }
    }
}
