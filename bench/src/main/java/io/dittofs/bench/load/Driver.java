package io.dittofs.bench.load;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.SplittableRandom;

/**
 * A workload as run by one connection: {@link #sharedSetup} once per run (on connection 0, before
 * anything else), {@link #setup} on every connection's thread, then {@link #start} on each slot;
 * completions issue the slot's next call until the window's stop flag is set. Everything runs on
 * the connection's event loop thread.
 */
abstract class Driver {

    static final int EEXIST = 17;
    static final int ENOENT = 2;

    /** Run-wide facts shared by the connections' drivers. */
    static final class Shared {
        volatile boolean populated;
    }

    final Conn c;
    final Recorder r;
    final NfsLoad.Options o;
    final Recorder.Window w;
    final Shared shared;
    final int conn;
    final SplittableRandom rnd;

    Driver(Conn c, Recorder r, NfsLoad.Options o, Shared shared) {
        this.c = c;
        this.r = r;
        this.o = o;
        this.w = r.window;
        this.shared = shared;
        this.conn = c.id;
        this.rnd = new SplittableRandom(42 + c.id);
    }

    /** The operation whose latency is the workload's headline. */
    abstract String primary();

    void sharedSetup() {
    }

    void setup() {
    }

    abstract void start(int slot);

    /** After the window: everything in flight has completed; release handles. */
    void finish() {
    }

    boolean stopped() {
        return w.stop;
    }

    String base() {
        return o.dir;
    }

    // ---- synchronous helpers for setup and teardown (they run the event loop) ----

    static final class Outcome {
        boolean done;
        int err;
        MemorySegment data;
        String error;
    }

    Outcome await(int slot, Conn.AsyncCall call) {
        Outcome out = new Outcome();
        c.submit(slot, call, (err, data, msg) -> {
            out.done = true;
            out.err = err;
            out.data = data;
            out.error = msg;
        });
        while (!out.done) {
            c.pump(100);
        }
        return out;
    }

    Outcome awaitOk(String what, Conn.AsyncCall call, int... tolerated) {
        Outcome out = await(0, call);
        if (out.err < 0 && !contains(tolerated, -out.err)) {
            throw new IllegalStateException(what + " failed: " + out.err + " " + out.error);
        }
        return out;
    }

    private static boolean contains(int[] a, int v) {
        for (int x : a) {
            if (x == v) {
                return true;
            }
        }
        return false;
    }

    /** One step of {@link #forEach}: queue item {@code i} on {@code slot}, call {@code done} when it is over. */
    interface Item {
        void run(int slot, int i, Conn.Handler done);
    }

    /** Runs items 0..n-1 with every slot in flight; fails on errors other than {@code tolerated}. */
    void forEach(String what, int n, Item item, int... tolerated) {
        int[] next = {0};
        int[] completed = {0};
        String[] failure = {null};
        ArrayDeque<Integer> free = new ArrayDeque<>();
        for (int s = 0; s < c.slots(); s++) {
            free.add(s);
        }
        while (completed[0] < n && failure[0] == null) {
            while (!free.isEmpty() && next[0] < n) {
                int slot = free.poll();
                int i = next[0]++;
                item.run(slot, i, (err, data, msg) -> {
                    completed[0]++;
                    free.add(slot);
                    if (err < 0 && !contains(tolerated, -err) && failure[0] == null) {
                        failure[0] = what + " #" + i + " failed: " + err + " " + msg;
                    }
                });
            }
            if (completed[0] < n && failure[0] == null) {
                c.pump(100);
            }
        }
        c.drain();
        if (failure[0] != null) {
            throw new IllegalStateException(failure[0]);
        }
    }

    void mkdir(String path) {
        MemorySegment p = c.path(0, path);
        awaitOk("mkdir " + path, (ctx, cb, priv) -> (int) LibNfsAsync.mkdir2Async.invokeExact(ctx, p, 0755, cb, priv), EEXIST);
    }

    /** Size of {@code path}, or -1 when it does not exist. */
    long size(String path) {
        MemorySegment p = c.path(0, path);
        Outcome out = awaitOk("stat " + path, (ctx, cb, priv) -> (int) LibNfsAsync.stat64Async.invokeExact(ctx, p, cb, priv), ENOENT);
        if (out.err < 0) {
            return -1;
        }
        return out.data.reinterpret(LibNfsAsync.STAT64_SIZE).get(JAVA_LONG, LibNfsAsync.STAT64_SIZE_OFFSET);
    }

    MemorySegment open(String path, int flags) {
        MemorySegment p = c.path(0, path);
        Outcome out = awaitOk("open " + path,
                (ctx, cb, priv) -> (int) LibNfsAsync.open2Async.invokeExact(ctx, p, flags, 0644, cb, priv));
        return out.data;
    }

    void fsync(MemorySegment fh) {
        awaitOk("fsync", (ctx, cb, priv) -> (int) LibNfsAsync.fsyncAsync.invokeExact(ctx, fh, cb, priv));
    }

    void close(MemorySegment fh) {
        awaitOk("close", (ctx, cb, priv) -> (int) LibNfsAsync.closeAsync.invokeExact(ctx, fh, cb, priv));
    }

    /** Creates an empty file and closes it (one item of a {@link #forEach}). */
    void createEmpty(int slot, String path, Conn.Handler done) {
        MemorySegment p = c.path(slot, path);
        c.submit(slot, (ctx, cb, priv) -> (int) LibNfsAsync.creatAsync.invokeExact(ctx, p, 0644, cb, priv), (err, fh, msg) -> {
            if (err < 0) {
                done.done(err, fh, msg);
            } else {
                c.submit(slot, (ctx, cb, priv) -> (int) LibNfsAsync.closeAsync.invokeExact(ctx, fh, cb, priv), done);
            }
        });
    }
}
