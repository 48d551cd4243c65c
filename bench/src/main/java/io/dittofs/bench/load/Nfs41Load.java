package io.dittofs.bench.load;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;

/**
 * {@link NfsLoad}'s run over NFSv4.1 ({@code nfs://HOST/PATH?version=4.1&nfsport=N}; PATH from the
 * server's NFSv4 pseudo root): --connections {@link Nfs41Client}s, each its own client id and session
 * of --depth slots, one virtual thread per slot. Same window, warm-up, CPU accounting and
 * {@link NfsLoad.Result} as the libnfs run. Not thread-safe (one run at a time).
 */
final class Nfs41Load {
    private Nfs41Load() {
    }

    /** One virtual thread per connection: setup, the barrier, the slots until the window closes, finish. */
    private static List<Thread> start(String workload, List<Nfs41Driver> drivers, CyclicBarrier ready,
                                      Throwable[] failures, Recorder.Window window) {
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < drivers.size(); i++) {
            int k = i;
            Nfs41Driver d = drivers.get(i);
            threads.add(Thread.ofVirtual().name("nfs41load-" + workload + "-" + i).start(() -> {
                boolean arrived = false;
                try {
                    d.setup();
                    ready.await();
                    arrived = true;
                    d.runConnection();
                    d.finish();
                } catch (Throwable e) {
                    failures[k] = e;
                    window.stop = true;
                    if (!arrived) {
                        ready.reset();
                    }
                }
            }));
        }
        return threads;
    }

    static NfsLoad.Result run(String workload, NfsLoad.Options o) throws Exception {
        Nfs41Client.Url url = Nfs41Client.Url.parse(o.url);
        Recorder.Window window = new Recorder.Window();
        Driver.Shared shared = new Driver.Shared();
        List<Nfs41Client> clients = new ArrayList<>();
        List<Nfs41Driver> drivers = new ArrayList<>();
        String owner = "nfsload-" + o.runId + "-" + ProcessHandle.current().pid() + "-" + workload + "-";
        try {
            for (int i = 0; i < o.connections; i++) {
                Nfs41Client c = Nfs41Client.connect(url, owner + i, o.depth, Nfs41Workloads.maxIo(workload, o), o.timeoutMillis);
                clients.add(c);
                drivers.add(Nfs41Workloads.create(workload, c, i, url.path(), window, o, shared));
            }
            long setupStart = System.nanoTime();
            drivers.get(0).sharedSetup();
            CyclicBarrier ready = new CyclicBarrier(o.connections + 1);
            Throwable[] failures = new Throwable[o.connections];
            List<Thread> threads = start(workload, drivers, ready, failures, window);
            try {
                ready.await();
            } catch (BrokenBarrierException e) {
                // a setup failed; reported below
            }
            double setupSeconds = (System.nanoTime() - setupStart) / 1e9;
            String pid = Integer.toString(o.serverPid);
            String self = Long.toString(ProcessHandle.current().pid());
            if (!window.stop) {
                Thread.sleep((long) (o.warmup * 1000));
            }
            long server0 = o.serverPid > 0 ? NfsLoad.cpuNanos(pid) : -1;
            long client0 = NfsLoad.cpuNanos(self);
            long start = System.nanoTime();
            window.start = start;
            long deadline = start + (long) (o.seconds * 1e9);
            while (!window.stop && System.nanoTime() < deadline) {
                Thread.sleep(Math.max(1, Math.min(100, (deadline - System.nanoTime()) / 1_000_000)));
            }
            long end = System.nanoTime();
            window.end = end;
            long server1 = o.serverPid > 0 ? NfsLoad.cpuNanos(pid) : -1;
            long client1 = NfsLoad.cpuNanos(self);
            window.stop = true;
            for (Thread t : threads) {
                if (!t.join(java.time.Duration.ofMillis(TimeUnit.SECONDS.toMillis(o.timeoutMillis / 1000 + 60)))) {
                    throw new IllegalStateException(t.getName() + " did not finish (server stalled?)");
                }
            }
            for (Throwable f : failures) {
                if (f != null) {
                    throw new IllegalStateException(f.getMessage(), f);
                }
            }
            return result(workload, drivers, clients.get(0), window, start, end, setupSeconds,
                    server0 >= 0 && server1 >= 0 ? server1 - server0 : -1,
                    client0 >= 0 && client1 >= 0 ? client1 - client0 : -1);
        } finally {
            for (Nfs41Client c : clients) {
                c.close();
            }
        }
    }

    private static NfsLoad.Result result(String workload, List<Nfs41Driver> drivers, Nfs41Client first,
                                         Recorder.Window window, long start, long end, double setupSeconds,
                                         long serverCpu, long clientCpu) {
        Recorder all = new Recorder(window);
        for (Nfs41Driver d : drivers) {
            for (Recorder r : d.rec) {
                all.merge(r);
            }
        }
        NfsLoad.Result r = new NfsLoad.Result();
        r.workload = workload;
        r.primary = drivers.get(0).primary();
        r.elapsed = (end - start) / 1e9;
        r.setupSeconds = setupSeconds;
        r.recorder = all;
        r.serverCpuNanos = serverCpu;
        r.clientCpuNanos = clientCpu;
        r.readMax = first.readMax;
        r.writeMax = first.writeMax;
        return r;
    }
}
