package io.dittofs.bench.load;

import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/** The workloads of {@link NfsLoad}, one {@link Driver} per connection. */
final class Workloads {

    static final List<String> NAMES = List.of("seqwrite", "seqread", "randwrite", "randread", "meta", "metatree",
            "durable", "listdir");

    private Workloads() {
    }

    static Driver create(String name, Conn c, Recorder r, NfsLoad.Options o, Driver.Shared shared) {
        return switch (name) {
            case "seqwrite" -> new Io(c, r, o, shared, true, false);
            case "seqread" -> new Io(c, r, o, shared, false, false);
            case "randwrite" -> new Io(c, r, o, shared, true, true);
            case "randread" -> new Io(c, r, o, shared, false, true);
            case "meta" -> new Meta(c, r, o, shared);
            case "metatree" -> new Tree(c, r, o, shared);
            case "durable" -> new Durable(c, r, o, shared);
            case "listdir" -> new ListDir(c, r, o, shared);
            default -> throw new IllegalArgumentException("unknown workload " + name + " (one of " + NAMES + ")");
        };
    }

    /**
     * Sequential (1 MiB) or random (4 KiB) reads or writes on one file per connection. Writes are
     * UNSTABLE (libnfs' pwrite) with a COMMIT (nfs_fsync) after every file size's worth of writes:
     * the slots wait for the writes in flight, one slot commits, then all resume. Reads need the
     * file; setup writes it (1 MiB writes + COMMIT) unless it already has the size.
     */
    static final class Io extends Driver {
        private final boolean write;
        private final boolean random;
        private final long bs;
        private final long fileSize;
        private final String path;
        private final ArrayDeque<Integer> idle = new ArrayDeque<>();
        private MemorySegment fh;
        private MemorySegment buf;
        private long cursor;
        private long sinceCommit;
        private boolean committing;

        Io(Conn c, Recorder r, NfsLoad.Options o, Shared shared, boolean write, boolean random) {
            super(c, r, o, shared);
            this.write = write;
            this.random = random;
            this.bs = o.blockSize > 0 ? o.blockSize : random ? 4096 : 1 << 20;
            this.fileSize = o.fileSize > 0 ? o.fileSize : random ? 64L << 20 : 128L << 20;
            this.path = base() + "/" + (random ? "rand-" : "seq-") + conn;
        }

        @Override
        String primary() {
            return write ? "write" : "read";
        }

        @Override
        void sharedSetup() {
            mkdir(base());
        }

        @Override
        void setup() {
            buf = c.arena.allocate(Math.max(bs, 1 << 20), 4096);
            for (long i = 0; i < buf.byteSize(); i += 8) {
                buf.set(java.lang.foreign.ValueLayout.JAVA_LONG, i, rnd.nextLong());
            }
            long size = size(path);
            fh = open(path, LibNfsAsync.O_RDWR | LibNfsAsync.O_CREAT);
            if (size < fileSize && !(write && !random)) {
                long chunk = 1 << 20;
                int n = (int) ((fileSize + chunk - 1) / chunk);
                forEach("fill " + path, n, (slot, i, done) -> {
                    long off = i * chunk;
                    long len = Math.min(chunk, fileSize - off);
                    c.submit(slot, (ctx, cb, priv) -> (int) LibNfsAsync.pwriteAsync.invokeExact(ctx, fh, off, len, buf, cb, priv), done);
                });
                fsync(fh);
            }
        }

        @Override
        void start(int slot) {
            issue(slot);
        }

        private void issue(int slot) {
            if (stopped()) {
                return;
            }
            if (write && sinceCommit >= fileSize) {
                if (!committing && c.inFlight() == 0) {
                    commit(slot);
                } else {
                    idle.add(slot);
                }
                return;
            }
            long off;
            if (random) {
                off = rnd.nextLong(fileSize / bs) * bs;
            } else {
                off = cursor;
                cursor = cursor + bs >= fileSize ? 0 : cursor + bs;
            }
            long t0 = System.nanoTime();
            if (write) {
                sinceCommit += bs;
                c.submit(slot, (ctx, cb, priv) -> (int) LibNfsAsync.pwriteAsync.invokeExact(ctx, fh, off, bs, buf, cb, priv),
                        (err, data, msg) -> done(slot, "write", t0, err, msg));
            } else {
                c.submit(slot, (ctx, cb, priv) -> (int) LibNfsAsync.preadAsync.invokeExact(ctx, fh, off, bs, cb, priv),
                        (err, data, msg) -> done(slot, "read", t0, err, msg));
            }
        }

        private void done(int slot, String op, long t0, int err, String msg) {
            if (err < 0) {
                r.error(op, err, msg);
            } else {
                if (err != bs) {
                    r.error(op, err, "short " + op + " (" + err + " of " + bs + " bytes)");
                }
                r.record(op, t0, err);
            }
            issue(slot);
        }

        private void commit(int slot) {
            committing = true;
            long t0 = System.nanoTime();
            c.submit(slot, (ctx, cb, priv) -> (int) LibNfsAsync.fsyncAsync.invokeExact(ctx, fh, cb, priv), (err, data, msg) -> {
                if (err < 0) {
                    r.error("commit", err, msg);
                } else {
                    r.record("commit", t0, 0);
                }
                committing = false;
                sinceCommit = 0;
                issue(slot);
                while (!idle.isEmpty() && !stopped()) {
                    issue(idle.poll());
                }
            });
        }

        @Override
        void finish() {
            if (write) {
                fsync(fh);
            }
            close(fh);
        }
    }

    /** Per file, in one shared directory: CREATE (then close), GETATTR (stat), REMOVE. */
    static final class Meta extends Driver {
        private long n;

        Meta(Conn c, Recorder r, NfsLoad.Options o, Shared shared) {
            super(c, r, o, shared);
        }

        String dir() {
            return base() + "/meta";
        }

        @Override
        String primary() {
            return "op";
        }

        @Override
        void sharedSetup() {
            mkdir(base());
            mkdir(dir());
        }

        @Override
        void start(int slot) {
            if (stopped()) {
                return;
            }
            String path = dir() + "/c" + conn + "s" + slot + "n" + (n++);
            MemorySegment p = c.path(slot, path);
            long t0 = System.nanoTime();
            c.submit(slot, (ctx, cb, priv) -> (int) LibNfsAsync.creatAsync.invokeExact(ctx, p, 0644, cb, priv), (err, fh, msg) -> {
                if (err < 0) {
                    r.error("create", err, msg);
                    start(slot);
                    return;
                }
                rec("create", t0);
                c.submit(slot, (ctx, cb, priv) -> (int) LibNfsAsync.closeAsync.invokeExact(ctx, fh, cb, priv), (e2, d2, m2) -> {
                    long t1 = System.nanoTime();
                    c.submit(slot, (ctx, cb, priv) -> (int) LibNfsAsync.stat64Async.invokeExact(ctx, p, cb, priv), (e3, d3, m3) -> {
                        if (e3 < 0) {
                            r.error("getattr", e3, m3);
                        } else {
                            rec("getattr", t1);
                        }
                        long t2 = System.nanoTime();
                        c.submit(slot, (ctx, cb, priv) -> (int) LibNfsAsync.unlinkAsync.invokeExact(ctx, p, cb, priv), (e4, d4, m4) -> {
                            if (e4 < 0) {
                                r.error("remove", e4, m4);
                            } else {
                                rec("remove", t2);
                            }
                            start(slot);
                        });
                    });
                });
            });
        }

        void rec(String op, long t0) {
            if (r.record(op, t0, 0)) {
                r.record("op", t0, 0);
            }
        }
    }

    /**
     * A 100 x 100 tree (--tree-width directories of as many files), in passes: MKDIR every
     * directory, CREATE every file, GETATTR every file, REMOVE every file, RMDIR every directory.
     * Connection k takes the directories i with i % connections == k; its slots work through one
     * phase at a time. Passes repeat until the window closes.
     */
    static final class Tree extends Driver {
        private static final String[] PHASES = {"mkdir", "create", "getattr", "remove", "rmdir"};
        private final int width;
        private final List<Integer> dirs = new ArrayList<>();
        private int pass;
        private int phase;
        private int next;
        private int completed;

        Tree(Conn c, Recorder r, NfsLoad.Options o, Shared shared) {
            super(c, r, o, shared);
            this.width = o.treeWidth;
            for (int i = 0; i < width; i++) {
                if (i % o.connections == conn) {
                    dirs.add(i);
                }
            }
        }

        @Override
        String primary() {
            return "op";
        }

        @Override
        void sharedSetup() {
            mkdir(base());
            mkdir(base() + "/tree");
        }

        private int phaseSize() {
            return phase == 0 || phase == 4 ? dirs.size() : dirs.size() * width;
        }

        private String dirPath(int d) {
            return base() + "/tree/" + o.runId + "c" + conn + "p" + pass + "d" + dirs.get(d);
        }

        @Override
        void start(int slot) {
            if (stopped() || dirs.isEmpty()) {
                return;
            }
            if (next >= phaseSize()) {
                return; // idle until the phase ends
            }
            int i = next++;
            String op = PHASES[phase];
            long t0 = System.nanoTime();
            Conn.Handler done = (err, data, msg) -> {
                if (err < 0) {
                    r.error(op, err, msg);
                } else if (r.record(op, t0, 0)) {
                    r.record("op", t0, 0);
                }
                if (++completed == phaseSize()) {
                    completed = 0;
                    next = 0;
                    if (++phase == PHASES.length) {
                        phase = 0;
                        pass++;
                    }
                    for (int s = 0; s < c.slots(); s++) {
                        if (s != slot) {
                            startIfFree(s);
                        }
                    }
                }
                start(slot);
            };
            if (phase == 0 || phase == 4) {
                MemorySegment p = c.path(slot, dirPath(i));
                if (phase == 0) {
                    c.submit(slot, (ctx, cb, priv) -> (int) LibNfsAsync.mkdir2Async.invokeExact(ctx, p, 0755, cb, priv), done);
                } else {
                    c.submit(slot, (ctx, cb, priv) -> (int) LibNfsAsync.rmdirAsync.invokeExact(ctx, p, cb, priv), done);
                }
                return;
            }
            MemorySegment p = c.path(slot, dirPath(i / width) + "/f" + (i % width));
            switch (phase) {
                case 1 -> c.submit(slot, (ctx, cb, priv) -> (int) LibNfsAsync.creatAsync.invokeExact(ctx, p, 0644, cb, priv),
                        (err, fh, msg) -> {
                            if (err < 0) {
                                done.done(err, fh, msg);
                            } else {
                                c.submit(slot, (ctx, cb, priv) -> (int) LibNfsAsync.closeAsync.invokeExact(ctx, fh, cb, priv),
                                        (e2, d2, m2) -> done.done(0, d2, null));
                            }
                        });
                case 2 -> c.submit(slot, (ctx, cb, priv) -> (int) LibNfsAsync.stat64Async.invokeExact(ctx, p, cb, priv), done);
                default -> c.submit(slot, (ctx, cb, priv) -> (int) LibNfsAsync.unlinkAsync.invokeExact(ctx, p, cb, priv), done);
            }
        }

        private void startIfFree(int slot) {
            if (!c.busy(slot)) {
                start(slot);
            }
        }
    }

    /** Durable small files: CREATE, WRITE 4 KiB (UNSTABLE), COMMIT (nfs_fsync), close; one op per file. */
    static final class Durable extends Driver {
        private long n;
        private MemorySegment buf;

        Durable(Conn c, Recorder r, NfsLoad.Options o, Shared shared) {
            super(c, r, o, shared);
        }

        String dir() {
            return base() + "/durable";
        }

        @Override
        String primary() {
            return "file";
        }

        @Override
        void sharedSetup() {
            mkdir(base());
            mkdir(dir());
        }

        @Override
        void setup() {
            buf = c.arena.allocate(4096, 4096);
            buf.fill((byte) 'd');
        }

        @Override
        void start(int slot) {
            if (stopped()) {
                return;
            }
            MemorySegment p = c.path(slot, dir() + "/" + o.runId + "c" + conn + "s" + slot + "n" + (n++));
            long t0 = System.nanoTime();
            c.submit(slot, (ctx, cb, priv) -> (int) LibNfsAsync.creatAsync.invokeExact(ctx, p, 0644, cb, priv), (err, fh, msg) -> {
                if (err < 0) {
                    r.error("create", err, msg);
                    start(slot);
                    return;
                }
                r.record("create", t0, 0);
                long t1 = System.nanoTime();
                c.submit(slot, (ctx, cb, priv) -> (int) LibNfsAsync.pwriteAsync.invokeExact(ctx, fh, 0L, 4096L, buf, cb, priv),
                        (e2, d2, m2) -> {
                            if (e2 < 0) {
                                r.error("write", e2, m2);
                            } else {
                                r.record("write", t1, 0);
                            }
                            long t2 = System.nanoTime();
                            c.submit(slot, (ctx, cb, priv) -> (int) LibNfsAsync.fsyncAsync.invokeExact(ctx, fh, cb, priv), (e3, d3, m3) -> {
                                boolean ok = e2 >= 0 && e3 >= 0;
                                if (e3 < 0) {
                                    r.error("commit", e3, m3);
                                } else {
                                    r.record("commit", t2, 0);
                                }
                                c.submit(slot, (ctx, cb, priv) -> (int) LibNfsAsync.closeAsync.invokeExact(ctx, fh, cb, priv),
                                        (e4, d4, m4) -> {
                                            if (ok) {
                                                r.record("file", t0, 4096);
                                            }
                                            start(slot);
                                        });
                            });
                        });
            });
        }
    }

    /**
     * Listing a directory of --files entries (default 50,000): opendir (libnfs reads the whole
     * directory with READDIRPLUS before the callback; its directory cache is off), then readdir
     * through the entries and closedir. Setup creates the entries once, spread over the connections.
     */
    static final class ListDir extends Driver {
        ListDir(Conn c, Recorder r, NfsLoad.Options o, Shared shared) {
            super(c, r, o, shared);
        }

        String dir() {
            return base() + "/list" + o.files;
        }

        @Override
        String primary() {
            return "listing";
        }

        @Override
        void sharedSetup() {
            mkdir(base());
            mkdir(dir());
            shared.populated = size(dir() + "/f" + (o.files - 1)) >= 0 && size(dir() + "/f0") >= 0;
        }

        @Override
        void setup() {
            if (shared.populated) {
                return;
            }
            List<Integer> mine = new ArrayList<>();
            for (int i = 0; i < o.files; i++) {
                if (i % o.connections == conn) {
                    mine.add(i);
                }
            }
            forEach("create entries", mine.size(), (slot, i, done) -> createEmpty(slot, dir() + "/f" + mine.get(i), done));
        }

        @Override
        void start(int slot) {
            if (stopped()) {
                return;
            }
            MemorySegment p = c.path(slot, dir());
            long t0 = System.nanoTime();
            c.submit(slot, (ctx, cb, priv) -> (int) LibNfsAsync.opendirAsync.invokeExact(ctx, p, cb, priv), (err, dir, msg) -> {
                if (err < 0) {
                    r.error("opendir", err, msg);
                } else {
                    long entries = 0;
                    try {
                        while (!((MemorySegment) LibNfsAsync.readdir.invokeExact(c.ctx, dir)).equals(MemorySegment.NULL)) {
                            entries++;
                        }
                        LibNfsAsync.closedir.invokeExact(c.ctx, dir);
                    } catch (Throwable t) {
                        throw new IllegalStateException(t);
                    }
                    if (entries < o.files) {
                        r.error("listing", (int) entries, "listing returned " + entries + " entries, expected " + o.files + "+");
                    }
                    if (r.record("listing", t0, 0)) {
                        r.items(entries);
                    }
                }
                start(slot);
            });
        }
    }
}
