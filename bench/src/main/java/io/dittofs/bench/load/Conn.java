package io.dittofs.bench.load;

import static java.lang.foreign.ValueLayout.ADDRESS;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * One libnfs context (one NFSv3 mount, one TCP connection) and its event loop: {@code poll(2)} on
 * {@code nfs_get_fd} for {@code nfs_which_events}, then {@code nfs_service}, which runs the
 * completed calls' callbacks on this thread. Calls are tracked by slot: a slot has at most one
 * call in flight, and {@code private_data} carries (connection id, slot). Confined to the thread
 * that runs it, except {@link #open} and {@link #close}.
 */
final class Conn implements AutoCloseable {

    /** What to do when a call completes: err >= 0 is success (for reads/writes, the byte count). */
    interface Handler {
        void done(int err, MemorySegment data, String error);
    }

    /** One async libnfs call: returns the rc of the {@code *_async} function (0 queued, < 0 not queued). */
    interface AsyncCall {
        int call(MemorySegment ctx, MemorySegment cb, MemorySegment priv) throws Throwable;
    }

    private static final int SLOT_BITS = 20;
    private static final AtomicReferenceArray<Conn> CONNS = new AtomicReferenceArray<>(1 << 12);

    final int id;
    final MemorySegment ctx;
    final Arena arena = Arena.ofShared();
    private final Handler[] handlers;
    private final MemorySegment pollfd;
    private final MemorySegment[] pathBufs;
    private int inFlight;
    private Throwable upcallFailure;
    long readMax;
    long writeMax;

    private Conn(int id, MemorySegment ctx, int slots) {
        this.id = id;
        this.ctx = ctx;
        this.handlers = new Handler[slots];
        this.pollfd = arena.allocate(LibNfsAsync.POLLFD_SIZE, 8);
        this.pathBufs = new MemorySegment[slots];
        for (int i = 0; i < slots; i++) {
            pathBufs[i] = arena.allocate(4096);
        }
    }

    /** Mounts {@code url} (nfs://host/export?nfsport=N&mountport=M) with the synchronous nfs_mount. */
    static Conn open(int id, String url, int slots, int timeoutMillis) {
        MemorySegment ctx;
        try {
            ctx = (MemorySegment) LibNfsAsync.initContext.invokeExact();
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        if (ctx.equals(MemorySegment.NULL)) {
            throw new IllegalStateException("nfs_init_context returned NULL");
        }
        Conn c = new Conn(id, ctx, slots);
        try (Arena a = Arena.ofConfined()) {
            // no client-side directory cache: every listing goes to the server
            LibNfsAsync.setDircache.invokeExact(ctx, 0);
            LibNfsAsync.setTimeout.invokeExact(ctx, timeoutMillis);
            MemorySegment parsed = (MemorySegment) LibNfsAsync.parseUrlDir.invokeExact(ctx, a.allocateFrom(url));
            if (parsed.equals(MemorySegment.NULL)) {
                throw new IllegalStateException("bad NFS URL " + url + ": " + c.error());
            }
            try {
                MemorySegment u = parsed.reinterpret(3 * ADDRESS.byteSize());
                int rc = (int) LibNfsAsync.mount.invokeExact(ctx, u.get(ADDRESS, 0), u.get(ADDRESS, ADDRESS.byteSize()));
                if (rc < 0) {
                    throw new IllegalStateException("mount " + url + " failed: " + rc + " " + c.error());
                }
            } finally {
                LibNfsAsync.destroyUrl.invokeExact(parsed);
            }
            c.readMax = (long) LibNfsAsync.getReadmax.invokeExact(ctx);
            c.writeMax = (long) LibNfsAsync.getWritemax.invokeExact(ctx);
        } catch (RuntimeException e) {
            c.close();
            throw e;
        } catch (Throwable t) {
            c.close();
            throw new IllegalStateException(t);
        }
        if (CONNS.getAndSet(id, c) != null) {
            c.close();
            throw new IllegalStateException("connection id " + id + " in use");
        }
        return c;
    }

    String error() {
        try {
            return LibNfsAsync.cString((MemorySegment) LibNfsAsync.getError.invokeExact(ctx), "");
        } catch (Throwable t) {
            return t.toString();
        }
    }

    int slots() {
        return handlers.length;
    }

    boolean busy(int slot) {
        return handlers[slot] != null;
    }

    int inFlight() {
        return inFlight;
    }

    /** The slot's reusable C string buffer, filled with {@code path}. */
    MemorySegment path(int slot, String path) {
        MemorySegment b = pathBufs[slot];
        b.setString(0, path);
        return b;
    }

    /** Queues a call on a free slot; on a queueing failure the handler runs at once with the rc. */
    void submit(int slot, AsyncCall call, Handler h) {
        if (handlers[slot] != null) {
            throw new IllegalStateException("slot " + slot + " busy");
        }
        handlers[slot] = h;
        inFlight++;
        int rc;
        try {
            rc = call.call(ctx, LibNfsAsync.CALLBACK, MemorySegment.ofAddress(((long) id << SLOT_BITS) | slot));
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        if (rc < 0) {
            handlers[slot] = null;
            inFlight--;
            h.done(rc, MemorySegment.NULL, "queueing failed: " + error());
        }
    }

    /** The nfs_cb upcall. Never throws (an exception here would abort the JVM). */
    static void callback(int err, MemorySegment nfs, MemorySegment data, MemorySegment priv) {
        long token = priv.address();
        Conn c = CONNS.get((int) (token >>> SLOT_BITS));
        if (c == null) {
            return;
        }
        try {
            c.complete((int) (token & ((1 << SLOT_BITS) - 1)), err, data);
        } catch (Throwable t) {
            if (c.upcallFailure == null) {
                c.upcallFailure = t;
            }
        }
    }

    private void complete(int slot, int err, MemorySegment data) {
        Handler h = handlers[slot];
        handlers[slot] = null;
        inFlight--;
        if (h != null) {
            h.done(err, data, err < 0 ? LibNfsAsync.cString(data, "error " + err) : null);
        }
    }

    /** One turn of the event loop: waits up to {@code timeoutMillis} for the socket, then services it. */
    void pump(int timeoutMillis) {
        try {
            int fd = (int) LibNfsAsync.getFd.invokeExact(ctx);
            int events = (int) LibNfsAsync.whichEvents.invokeExact(ctx);
            LibNfsAsync.setPollFd(pollfd, fd, events);
            int n = (int) LibNfsAsync.poll.invokeExact(pollfd, 1L, timeoutMillis);
            int revents = n > 0 ? LibNfsAsync.revents(pollfd) : 0;
            int rc = (int) LibNfsAsync.service.invokeExact(ctx, revents);
            if (rc < 0) {
                throw new IllegalStateException("nfs_service failed (connection lost?): " + error());
            }
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        if (upcallFailure != null) {
            Throwable t = upcallFailure;
            upcallFailure = null;
            throw new IllegalStateException("callback failed", t);
        }
    }

    /** Runs the event loop until nothing is in flight. */
    void drain() {
        while (inFlight > 0) {
            pump(100);
        }
    }

    @Override
    public void close() {
        CONNS.compareAndSet(id, this, null);
        try {
            LibNfsAsync.destroyContext.invokeExact(ctx);
        } catch (Throwable t) {
            // best effort
        }
        arena.close();
    }
}
