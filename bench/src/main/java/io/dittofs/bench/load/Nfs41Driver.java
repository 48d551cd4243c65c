package io.dittofs.bench.load;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A workload as run by one NFSv4.1 connection ({@link Nfs41Client}): {@link #sharedSetup} once per run
 * (connection 0, first), {@link #setup} per connection, then {@link #runConnection}: by default one
 * virtual thread per session slot running {@link #run} until the window's stop flag is set, each with
 * its own {@link Recorder} (merged at the end). The blocking counterpart of {@link Driver}: one call in
 * flight per slot, --depth slots per connection. Thread-safe as far as its slots share state.
 */
abstract class Nfs41Driver {

    final Nfs41Client c;
    final Recorder[] rec;
    final NfsLoad.Options o;
    final Recorder.Window w;
    final Driver.Shared shared;
    final int conn;
    final String root;
    final SplittableRandom[] rnd;

    Nfs41Driver(Nfs41Client c, int conn, String root, Recorder.Window w, NfsLoad.Options o, Driver.Shared shared) {
        this.c = c;
        this.conn = conn;
        this.root = root;
        this.w = w;
        this.o = o;
        this.shared = shared;
        int slots = c.t.slots();
        this.rec = new Recorder[slots];
        this.rnd = new SplittableRandom[slots];
        for (int s = 0; s < slots; s++) {
            rec[s] = new Recorder(w);
            rnd[s] = new SplittableRandom(42 + conn * 1000L + s);
        }
    }

    /** The operation whose latency is the workload's headline. */
    abstract String primary();

    void sharedSetup() {
    }

    void setup() {
    }

    /** One slot's loop: calls until {@link #stopped}. */
    abstract void run(int slot);

    void finish() {
    }

    boolean stopped() {
        return w.stop;
    }

    /** The working directory's absolute path from the pseudo root (export path + --dir). */
    String base() {
        return (root.equals("/") ? "" : root) + o.dir;
    }

    int slots() {
        return c.t.slots();
    }

    /** Runs every slot's {@link #run} on its own virtual thread and waits for them. */
    void runConnection() {
        parallelSlots(this::run);
    }

    /** A call whose latency is recorded. */
    interface Call {
        void run();
    }

    /** Runs {@code call}; records its latency as {@code op} (with {@code bytes}) or its NFS error. */
    boolean timed(int slot, String op, long bytes, Call call) {
        long t0 = System.nanoTime();
        try {
            call.run();
        } catch (Nfs41Exception e) {
            rec[slot].error(op, -e.status, e.getMessage());
            return false;
        }
        return rec[slot].record(op, t0, bytes);
    }

    /** Runs {@code call}; records its latency as {@code op} and as "op" (every call counts), or its NFS error. */
    boolean counted(int slot, String op, Call call) {
        long t0 = System.nanoTime();
        try {
            call.run();
        } catch (Nfs41Exception e) {
            rec[slot].error(op, -e.status, e.getMessage());
            return false;
        }
        if (rec[slot].record(op, t0, 0)) {
            rec[slot].record("op", t0, 0);
        }
        return true;
    }

    /** Creates directory {@code path} (absolute) unless it exists; its parent must exist. Returns its handle. */
    byte[] mkdir(String path) {
        int cut = path.lastIndexOf('/');
        byte[] parent = c.lookup(0, cut <= 0 ? "/" : path.substring(0, cut));
        try {
            c.mkdir(0, parent, path.substring(cut + 1));
        } catch (Nfs41Exception e) {
            if (e.status != Nfs41Exception.EXIST) {
                throw e;
            }
        }
        return c.lookup(0, path);
    }

    /** Size of {@code name} in {@code dir}, or -1 when it does not exist. */
    long size(byte[] dir, String name) {
        try {
            return c.size(0, dir, name);
        } catch (Nfs41Exception e) {
            if (e.status == Nfs41Exception.NOENT) {
                return -1;
            }
            throw e;
        }
    }

    /** One step of {@link #forEach}: item {@code i} on {@code slot}. */
    interface Item {
        void run(int slot, int i);
    }

    /** Runs items 0..n-1 on every slot; the first failure (after the items in flight) is thrown. */
    void forEach(String what, int n, Item item) {
        AtomicInteger next = new AtomicInteger();
        AtomicReference<RuntimeException> failure = new AtomicReference<>();
        parallelSlots(slot -> {
            int i;
            while (failure.get() == null && (i = next.getAndIncrement()) < n) {
                try {
                    item.run(slot, i);
                } catch (RuntimeException e) {
                    failure.compareAndSet(null, new IllegalStateException(what + " #" + i + " failed: " + e.getMessage(), e));
                }
            }
        });
        if (failure.get() != null) {
            throw failure.get();
        }
    }

    /** Runs {@code body(slot)} for every slot on virtual threads; rethrows the first exception. */
    void parallelSlots(java.util.function.IntConsumer body) {
        List<Thread> threads = new ArrayList<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        for (int s = 0; s < slots(); s++) {
            int slot = s;
            threads.add(Thread.ofVirtual().name("nfs41-c" + conn + "s" + slot).start(() -> {
                try {
                    body.accept(slot);
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                    w.stop = true;
                }
            }));
        }
        for (Thread t : threads) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted");
            }
        }
        Throwable t = failure.get();
        if (t instanceof RuntimeException r) {
            throw r;
        } else if (t != null) {
            throw new IllegalStateException(t);
        }
    }
}
