package io.dittofs.bench.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;

/**
 * A real NFSv3 client workload generator on libnfs' asynchronous API (through FFM): N connections
 * (one libnfs context, one TCP connection and one platform thread running its event loop each),
 * D calls in flight per connection. Works against any NFSv3 server URL.
 *
 * <pre>
 * bench/nfsload --url 'nfs://127.0.0.1/export?nfsport=12049&amp;mountport=12049' \
 *     --workload seqwrite,seqread,randread --connections 2 --depth 8 --seconds 10 \
 *     --server-pid 1234 --json out.json
 * </pre>
 */
public final class NfsLoad {

    static final class Options {
        String url;
        List<String> workloads = List.of("seqwrite");
        int connections = 1;
        int depth = 1;
        double seconds = 10;
        double warmup = 1;
        long fileSize;
        long blockSize;
        int files = 50_000;
        int treeWidth = 100;
        String dir = "/nfsload";
        int serverPid;
        String json;
        String label = "";
        int timeoutMillis = 60_000;
        String runId = Long.toString(System.currentTimeMillis(), 36);
    }

    private static final String USAGE = """
            usage: nfsload --url nfs://HOST/EXPORT?nfsport=N&mountport=M [options]
                   nfsload --url nfs://HOST/PSEUDO-PATH?version=4.1&nfsport=N [options]  (NFSv4.1 client of its own)
              --workload LIST      comma-separated, or 'all': %s
              --connections N      libnfs contexts (TCP connections), one thread each (1)
              --depth N            calls in flight per connection (1)
              --seconds S          measured time per workload (10)
              --warmup S           unmeasured time before it (1)
              --file-size SIZE     per-connection file for seq* (128M) and rand* (64M)
              --block-size SIZE    overrides 1M (seq*) / 4K (rand*)
              --files N            entries of the listdir directory (50000)
              --tree-width N       metatree: N directories of N files (100)
              --dir PATH           working directory inside the export (/nfsload)
              --server-pid PID     report the server's CPU time per operation and its RSS (/proc/PID)
              --label TEXT         name of the server in the JSON
              --json FILE          write the results as JSON
              --timeout-ms N       libnfs RPC timeout (60000)
            """.formatted(Workloads.NAMES);

    private NfsLoad() {
    }

    public static void main(String[] args) throws Exception {
        Options o;
        try {
            o = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("nfsload: " + e.getMessage());
            System.err.print(USAGE);
            System.exit(2);
            return;
        }
        List<Result> results = new ArrayList<>();
        boolean failed = false;
        for (String w : o.workloads) {
            try {
                Result r = run(w, o);
                r.rssAfter = ServerMemory.read(o.serverPid);
                results.add(r);
                System.out.println(r.summary());
            } catch (Exception e) {
                failed = true;
                System.err.println("nfsload: " + w + " failed: " + e);
                Throwable c = e.getCause();
                while (c != null) {
                    System.err.println("  caused by " + c);
                    c = c.getCause();
                }
                results.add(Result.failed(w, o, e.toString()));
            }
            if (o.json != null) {
                Files.writeString(Path.of(o.json), Result.json(o, results));
            }
        }
        System.exit(failed ? 1 : 0);
    }

    static Options parse(String[] args) {
        Options o = new Options();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("-h") || a.equals("--help")) {
                System.out.print(USAGE);
                System.exit(0);
            }
            String v;
            int eq = a.indexOf('=');
            if (a.startsWith("--") && eq > 0) {
                v = a.substring(eq + 1);
                a = a.substring(0, eq);
            } else {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(a + " needs a value");
                }
                v = args[++i];
            }
            switch (a) {
                case "--url" -> o.url = v;
                case "--workload", "--workloads" -> o.workloads = v.equals("all") ? Workloads.NAMES : Arrays.asList(v.split(","));
                case "--connections", "-c" -> o.connections = Integer.parseInt(v);
                case "--depth", "-d" -> o.depth = Integer.parseInt(v);
                case "--seconds" -> o.seconds = Double.parseDouble(v);
                case "--warmup" -> o.warmup = Double.parseDouble(v);
                case "--file-size" -> o.fileSize = size(v);
                case "--block-size" -> o.blockSize = size(v);
                case "--files" -> o.files = Integer.parseInt(v);
                case "--tree-width" -> o.treeWidth = Integer.parseInt(v);
                case "--dir" -> o.dir = v.startsWith("/") ? v : "/" + v;
                case "--server-pid" -> o.serverPid = Integer.parseInt(v);
                case "--label" -> o.label = v;
                case "--json" -> o.json = v;
                case "--timeout-ms" -> o.timeoutMillis = Integer.parseInt(v);
                default -> throw new IllegalArgumentException("unknown option " + a);
            }
        }
        if (o.url == null) {
            throw new IllegalArgumentException("--url is required");
        }
        for (String w : o.workloads) {
            if (!Workloads.NAMES.contains(w)) {
                throw new IllegalArgumentException("unknown workload " + w);
            }
        }
        if (o.connections < 1 || o.connections > 4000 || o.depth < 1 || o.depth > 100_000) {
            throw new IllegalArgumentException("--connections and --depth must be positive");
        }
        return o;
    }

    /** 4096, 4K, 4k, 1M, 1G (binary units). */
    static long size(String v) {
        String s = v.trim().toUpperCase(Locale.ROOT).replace("IB", "").replace("B", "");
        long mul = 1;
        char last = s.charAt(s.length() - 1);
        if (last == 'K' || last == 'M' || last == 'G') {
            mul = last == 'K' ? 1L << 10 : last == 'M' ? 1L << 20 : 1L << 30;
            s = s.substring(0, s.length() - 1);
        }
        return Long.parseLong(s) * mul;
    }

    /** utime + stime of a process in nanoseconds (USER_HZ = 100 on Linux), or -1. */
    static long cpuNanos(String pid) {
        try {
            String stat = Files.readString(Path.of("/proc", pid, "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10_000_000L;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    static Result run(String workload, Options o) throws Exception {
        if (Nfs41Client.Url.is41(o.url)) {
            return Nfs41Load.run(workload, o);
        }
        Recorder.Window window = new Recorder.Window();
        Driver.Shared shared = new Driver.Shared();
        List<Conn> conns = new ArrayList<>();
        List<Driver> drivers = new ArrayList<>();
        List<Recorder> recorders = new ArrayList<>();
        ServerMemory.Sampler rss = new ServerMemory.Sampler(o.serverPid);
        try {
            for (int i = 0; i < o.connections; i++) {
                Conn c = Conn.open(i, o.url, o.depth, o.timeoutMillis);
                conns.add(c);
                Recorder r = new Recorder(window);
                recorders.add(r);
                drivers.add(Workloads.create(workload, c, r, o, shared));
            }
            long setupStart = System.nanoTime();
            drivers.get(0).sharedSetup();
            CyclicBarrier ready = new CyclicBarrier(o.connections + 1);
            Throwable[] failures = new Throwable[o.connections];
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < o.connections; i++) {
                int k = i;
                Driver d = drivers.get(i);
                Conn c = conns.get(i);
                Thread t = Thread.ofPlatform().name("nfsload-" + workload + "-" + i).unstarted(() -> {
                    boolean arrived = false;
                    try {
                        d.setup();
                        ready.await();
                        arrived = true;
                        for (int s = 0; s < c.slots(); s++) {
                            d.start(s);
                        }
                        while (!window.stop) {
                            c.pump(50);
                        }
                        c.drain();
                        d.finish();
                    } catch (Throwable e) {
                        failures[k] = e;
                        window.stop = true;
                        if (!arrived) {
                            ready.reset();
                        }
                    }
                });
                threads.add(t);
                t.start();
            }
            try {
                ready.await();
            } catch (java.util.concurrent.BrokenBarrierException e) {
                // a setup failed; reported below
            }
            double setupSeconds = (System.nanoTime() - setupStart) / 1e9;
            String pid = Integer.toString(o.serverPid);
            String self = Long.toString(ProcessHandle.current().pid());
            if (!window.stop) {
                Thread.sleep((long) (o.warmup * 1000));
            }
            long server0 = o.serverPid > 0 ? cpuNanos(pid) : -1;
            long client0 = cpuNanos(self);
            long start = System.nanoTime();
            window.start = start;
            long deadline = start + (long) (o.seconds * 1e9);
            while (!window.stop && System.nanoTime() < deadline) {
                Thread.sleep(Math.max(1, Math.min(100, (deadline - System.nanoTime()) / 1_000_000)));
            }
            long end = System.nanoTime();
            window.end = end;
            long server1 = o.serverPid > 0 ? cpuNanos(pid) : -1;
            long client1 = cpuNanos(self);
            window.stop = true;
            for (Thread t : threads) {
                t.join(TimeUnit.SECONDS.toMillis(o.timeoutMillis / 1000 + 60));
                if (t.isAlive()) {
                    throw new IllegalStateException(t.getName() + " did not finish (server stalled?)");
                }
            }
            rss.close();
            for (Throwable f : failures) {
                if (f != null) {
                    throw new IllegalStateException(f.getMessage(), f);
                }
            }
            Recorder all = new Recorder(window);
            recorders.forEach(all::merge);
            Result r = new Result();
            r.workload = workload;
            r.primary = drivers.get(0).primary();
            r.elapsed = (end - start) / 1e9;
            r.setupSeconds = setupSeconds;
            r.recorder = all;
            r.serverCpuNanos = server0 >= 0 && server1 >= 0 ? server1 - server0 : -1;
            r.clientCpuNanos = client0 >= 0 && client1 >= 0 ? client1 - client0 : -1;
            r.readMax = conns.get(0).readMax;
            r.writeMax = conns.get(0).writeMax;
            r.rssPeak = rss.peak();
            return r;
        } finally {
            rss.close();
            for (Conn c : conns) {
                c.close();
            }
        }
    }

    /** One workload's outcome. */
    static final class Result {
        String workload;
        String primary;
        double elapsed;
        double setupSeconds;
        Recorder recorder;
        long serverCpuNanos = -1;
        long clientCpuNanos = -1;
        long readMax;
        long writeMax;
        ServerMemory.Status rssPeak = ServerMemory.Status.NONE;
        ServerMemory.Status rssAfter = ServerMemory.Status.NONE;
        String failure;

        static Result failed(String workload, Options o, String why) {
            Result r = new Result();
            r.workload = workload;
            r.failure = why;
            return r;
        }

        Histogram primaryHistogram() {
            return recorder.ops.getOrDefault(primary, new Histogram());
        }

        long ops() {
            return primaryHistogram().count();
        }

        double opsPerSecond() {
            return elapsed > 0 ? ops() / elapsed : 0;
        }

        double mbPerSecond() {
            return elapsed > 0 ? recorder.bytes / elapsed / 1e6 : 0;
        }

        /** The figure two servers are compared on, and its unit. */
        String metric() {
            return switch (workload) {
                case "seqwrite", "seqread" -> "MB/s";
                case "randwrite", "randread" -> "IOPS";
                case "durable" -> "files/s";
                case "listdir" -> "entries/s";
                default -> "ops/s";
            };
        }

        double value() {
            return switch (workload) {
                case "seqwrite", "seqread" -> mbPerSecond();
                case "listdir" -> elapsed > 0 ? recorder.items / elapsed : 0;
                default -> opsPerSecond();
            };
        }

        double serverCpuMicrosPerOp() {
            return serverCpuNanos >= 0 && ops() > 0 ? serverCpuNanos / 1e3 / ops() : -1;
        }

        String summary() {
            Histogram h = primaryHistogram();
            return String.format(Locale.ROOT,
                    "%-9s %10.1f %-9s %9.0f ops/s %8.1f MB/s  %s p50 %s p99 %s p99.9 %s  server CPU %s/op"
                            + "  RSS peak %s after %s MiB  errors %d",
                    workload, value(), metric(), opsPerSecond(), mbPerSecond(), primary, us(h.percentile(50)),
                    us(h.percentile(99)), us(h.percentile(99.9)),
                    serverCpuNanos >= 0 ? us((long) (serverCpuMicrosPerOp() * 1000)) : "n/a",
                    mib(rssPeak.rssKiB()), mib(rssAfter.rssKiB()), recorder.errors)
                    + (recorder.firstErrors.isEmpty() ? "" : "\n  first errors: " + recorder.firstErrors);
        }

        private static String mib(long kib) {
            return kib < 0 ? "n/a" : Long.toString(kib / 1024);
        }

        private static String us(long nanos) {
            return nanos >= 10_000_000 ? String.format(Locale.ROOT, "%.1fms", nanos / 1e6)
                    : String.format(Locale.ROOT, "%.0fus", nanos / 1e3);
        }

        static String json(Options o, List<Result> results) {
            Json j = new Json();
            j.open('{');
            j.field("tool", "nfsload").field("label", o.label).field("url", o.url)
                    .field("timestamp", Instant.now().toString())
                    .field("connections", o.connections).field("depth", o.depth)
                    .field("seconds", o.seconds).field("warmup", o.warmup)
                    .field("file_size", o.fileSize).field("block_size", o.blockSize)
                    .field("files", o.files).field("tree_width", o.treeWidth)
                    .field("server_pid", o.serverPid)
                    .field("host_cpus", Runtime.getRuntime().availableProcessors());
            j.key("results").open('[');
            for (Result r : results) {
                j.open('{').field("workload", r.workload);
                if (r.failure != null) {
                    j.field("failure", r.failure).close('}');
                    continue;
                }
                Histogram h = r.primaryHistogram();
                j.field("metric", r.metric()).field("value", r.value())
                        .field("primary_op", r.primary)
                        .field("elapsed_s", r.elapsed).field("setup_s", r.setupSeconds)
                        .field("ops", r.ops()).field("ops_per_s", r.opsPerSecond())
                        .field("bytes", r.recorder.bytes).field("mb_per_s", r.mbPerSecond())
                        .field("items", r.recorder.items)
                        .field("p50_us", h.percentile(50) / 1e3).field("p99_us", h.percentile(99) / 1e3)
                        .field("p999_us", h.percentile(99.9) / 1e3).field("max_us", h.max() / 1e3)
                        .field("mean_us", h.mean() / 1e3)
                        .field("server_cpu_ms", r.serverCpuNanos >= 0 ? r.serverCpuNanos / 1e6 : -1)
                        .field("server_cpu_us_per_op", r.serverCpuMicrosPerOp())
                        .field("client_cpu_ms", r.clientCpuNanos >= 0 ? r.clientCpuNanos / 1e6 : -1)
                        .field("read_max", r.readMax).field("write_max", r.writeMax)
                        .field("errors", r.recorder.errors);
                j.key("server_rss_kib").open('{').field("peak", r.rssPeak.rssKiB())
                        .field("peak_anon", r.rssPeak.anonKiB()).field("peak_file", r.rssPeak.fileKiB())
                        .field("peak_shmem", r.rssPeak.shmemKiB()).field("after", r.rssAfter.rssKiB())
                        .field("after_file", r.rssAfter.fileKiB()).field("hwm", r.rssAfter.hwmKiB()).close('}');
                j.key("first_errors").open('[');
                for (String e : r.recorder.firstErrors) {
                    j.value(e);
                }
                j.close(']');
                j.key("ops_detail").open('{');
                for (Map.Entry<String, Histogram> e : r.recorder.ops.entrySet()) {
                    Histogram x = e.getValue();
                    j.key(e.getKey()).open('{').field("count", x.count())
                            .field("p50_us", x.percentile(50) / 1e3).field("p99_us", x.percentile(99) / 1e3)
                            .field("p999_us", x.percentile(99.9) / 1e3).field("max_us", x.max() / 1e3)
                            .field("mean_us", x.mean() / 1e3).close('}');
                }
                j.close('}');
                j.close('}');
            }
            j.close(']');
            j.close('}');
            return j.toString() + "\n";
        }
    }
}
