package io.dittofs.bench.load;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * The workloads of {@link Workloads} over NFSv4.1 ({@link Nfs41Driver}), with the same names, files,
 * operations and recorded figures. Where libnfs resolves a path per call, these resolve the working
 * directory once (as a kernel client's dentry cache does) and name files relative to its handle:
 * create = OPEN(UNCHECKED4 create) + GETFH, then CLOSE; getattr = LOOKUP + GETATTR; remove = REMOVE.
 * A driver is shared by its connection's slot threads: {@code Io} guards its cursor and commit state
 * with its monitor, the others keep per-slot state only.
 */
final class Nfs41Workloads {
    /** READDIR's dircount and maxcount. */
    static final int READDIR_MAX = 64 * 1024;

    private Nfs41Workloads() {
    }

    static Nfs41Driver create(String name, Nfs41Client c, int conn, String root, Recorder.Window w,
                              NfsLoad.Options o, Driver.Shared shared) {
        return switch (name) {
            case "seqwrite" -> new Io(c, conn, root, w, o, shared, true, false);
            case "seqread" -> new Io(c, conn, root, w, o, shared, false, false);
            case "randwrite" -> new Io(c, conn, root, w, o, shared, true, true);
            case "randread" -> new Io(c, conn, root, w, o, shared, false, true);
            case "meta" -> new Meta(c, conn, root, w, o, shared);
            case "metatree" -> new Tree(c, conn, root, w, o, shared);
            case "durable" -> new Durable(c, conn, root, w, o, shared);
            case "listdir" -> new ListDir(c, conn, root, w, o, shared);
            default -> throw new IllegalArgumentException("unknown workload " + name + " (one of " + Workloads.NAMES + ")");
        };
    }

    /** The largest READ or WRITE a workload sends: 1 MiB fills, or a larger --block-size. */
    static int maxIo(String workload, NfsLoad.Options o) {
        return workload.startsWith("seq") || workload.startsWith("rand") ? (int) Math.max(o.blockSize, 1 << 20) : 64 * 1024;
    }

    /**
     * {@link Workloads.Io}: sequential (1 MiB) or random (4 KiB) READs or UNSTABLE WRITEs on one file
     * per connection, a COMMIT after every file size's worth of writes (the slots wait for the writes
     * in flight, one commits, all resume); reads fill the file first unless it has the size.
     */
    static final class Io extends Nfs41Driver {
        private final boolean write;
        private final boolean random;
        private final long bs;
        private final long fileSize;
        private final String name;
        private final Arena arena = Arena.ofShared();
        private Nfs41Client.Open file;
        private MemorySegment buf;
        private long cursor;
        private long sinceCommit;
        private int writing;
        private boolean committing;

        Io(Nfs41Client c, int conn, String root, Recorder.Window w, NfsLoad.Options o, Driver.Shared shared,
           boolean write, boolean random) {
            super(c, conn, root, w, o, shared);
            this.write = write;
            this.random = random;
            this.bs = o.blockSize > 0 ? o.blockSize : random ? 4096 : 1 << 20;
            this.fileSize = o.fileSize > 0 ? o.fileSize : random ? 64L << 20 : 128L << 20;
            this.name = (random ? "rand-" : "seq-") + conn;
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
            buf = arena.allocate(Math.max(bs, 1 << 20), 4096);
            for (long i = 0; i < buf.byteSize(); i += 8) {
                buf.set(ValueLayout.JAVA_LONG, i, rnd[0].nextLong());
            }
            byte[] dir = c.lookup(0, base());
            long size = size(dir, name);
            file = c.open(0, dir, name, true);
            if (size < fileSize && !(write && !random)) {
                long chunk = 1 << 20;
                int n = (int) ((fileSize + chunk - 1) / chunk);
                forEach("fill " + name, n, (slot, i) -> {
                    long off = i * chunk;
                    c.write(slot, file, off, buf.asSlice(0, Math.min(chunk, fileSize - off)), Nfs41Compound.UNSTABLE);
                });
                c.commit(0, file.fh());
            }
        }

        /** The next offset, or -1 when this slot must commit first; -2 when stopped. */
        private synchronized long next(int slot) throws InterruptedException {
            while (write && sinceCommit >= fileSize) {
                if (stopped()) {
                    return -2;
                }
                if (!committing && writing == 0) {
                    committing = true;
                    return -1;
                }
                wait(100);
            }
            long off;
            if (random) {
                off = rnd[slot].nextLong(fileSize / bs) * bs;
            } else {
                off = cursor;
                cursor = cursor + bs >= fileSize ? 0 : cursor + bs;
            }
            if (write) {
                writing++;
                sinceCommit += bs;
            }
            return off;
        }

        private synchronized void written(boolean committed) {
            if (committed) {
                committing = false;
                sinceCommit = 0;
            } else {
                writing--;
            }
            notifyAll();
        }

        @Override
        void run(int slot) {
            try {
                while (!stopped()) {
                    long off = next(slot);
                    if (off == -2) {
                        return;
                    }
                    if (off == -1) {
                        timed(slot, "commit", 0, () -> c.commit(slot, file.fh()));
                        written(true);
                        continue;
                    }
                    String op = write ? "write" : "read";
                    int[] got = {0};
                    long t0 = System.nanoTime();
                    try {
                        got[0] = write ? c.write(slot, file, off, buf.asSlice(0, bs), Nfs41Compound.UNSTABLE)
                                : c.read(slot, file, off, (int) bs);
                        if (got[0] != bs) {
                            rec[slot].error(op, got[0], "short " + op + " (" + got[0] + " of " + bs + " bytes)");
                        }
                        rec[slot].record(op, t0, got[0]);
                    } catch (Nfs41Exception e) {
                        rec[slot].error(op, -e.status, e.getMessage());
                    } finally {
                        if (write) {
                            written(false);
                        }
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        void finish() {
            if (write) {
                c.commit(0, file.fh());
            }
            c.close(0, file);
            arena.close();
        }
    }

    /** {@link Workloads.Meta}: per file in one shared directory, create (OPEN + CLOSE), GETATTR, REMOVE. */
    static final class Meta extends Nfs41Driver {
        private final long[] n;
        private byte[] dir;

        Meta(Nfs41Client c, int conn, String root, Recorder.Window w, NfsLoad.Options o, Driver.Shared shared) {
            super(c, conn, root, w, o, shared);
            this.n = new long[slots()];
        }

        @Override
        String primary() {
            return "op";
        }

        @Override
        void sharedSetup() {
            mkdir(base());
            mkdir(base() + "/meta");
        }

        @Override
        void setup() {
            dir = c.lookup(0, base() + "/meta");
        }

        @Override
        void run(int slot) {
            while (!stopped()) {
                String name = "c" + conn + "s" + slot + "n" + (n[slot]++);
                Nfs41Client.Open[] f = {null};
                if (!counted(slot, "create", () -> f[0] = c.open(slot, dir, name, true))) {
                    continue;
                }
                c.close(slot, f[0]);
                counted(slot, "getattr", () -> c.size(slot, dir, name));
                counted(slot, "remove", () -> c.remove(slot, dir, name));
            }
        }
    }

    /**
     * {@link Workloads.Tree}: --tree-width directories of as many files, in passes of five phases
     * (CREATE dirs, create files, GETATTR, REMOVE files, REMOVE dirs); connection k takes the
     * directories i with i % connections == k; the slots work through one phase at a time.
     */
    static final class Tree extends Nfs41Driver {
        private final int width;
        private final List<Integer> dirs = new ArrayList<>();
        private byte[] top;
        private byte[][] handles;

        Tree(Nfs41Client c, int conn, String root, Recorder.Window w, NfsLoad.Options o, Driver.Shared shared) {
            super(c, conn, root, w, o, shared);
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

        @Override
        void setup() {
            top = c.lookup(0, base() + "/tree");
            handles = new byte[dirs.size()][];
        }

        @Override
        void run(int slot) {
            throw new UnsupportedOperationException("phases run in runConnection");
        }

        @Override
        void runConnection() {
            for (int pass = 0; !stopped() && !dirs.isEmpty(); pass++) {
                String prefix = o.runId + "c" + conn + "p" + pass + "d";
                int files = dirs.size() * width;
                forEach("mkdir", dirs.size(), (s, i) -> {
                    if (!stopped() && counted(s, "mkdir", () -> c.mkdir(s, top, prefix + dirs.get(i)))) {
                        handles[i] = c.lookup(s, base() + "/tree/" + prefix + dirs.get(i));
                    }
                });
                forEach("create", files, (s, i) -> {
                    if (!stopped() && handles[i / width] != null) {
                        Nfs41Client.Open[] f = {null};
                        if (counted(s, "create", () -> f[0] = c.open(s, handles[i / width], "f" + (i % width), true))) {
                            c.close(s, f[0]);
                        }
                    }
                });
                forEach("getattr", files, (s, i) -> {
                    if (!stopped() && handles[i / width] != null) {
                        counted(s, "getattr", () -> c.size(s, handles[i / width], "f" + (i % width)));
                    }
                });
                forEach("remove", files, (s, i) -> {
                    if (!stopped() && handles[i / width] != null) {
                        counted(s, "remove", () -> c.remove(s, handles[i / width], "f" + (i % width)));
                    }
                });
                forEach("rmdir", dirs.size(), (s, i) -> {
                    if (!stopped() && handles[i] != null) {
                        counted(s, "rmdir", () -> c.remove(s, top, prefix + dirs.get(i)));
                    }
                });
            }
        }
    }

    /** {@link Workloads.Durable}: create, WRITE 4 KiB UNSTABLE, COMMIT, CLOSE; one "file" per file. */
    static final class Durable extends Nfs41Driver {
        private final long[] n;
        private final Arena arena = Arena.ofShared();
        private byte[] dir;
        private MemorySegment buf;

        Durable(Nfs41Client c, int conn, String root, Recorder.Window w, NfsLoad.Options o, Driver.Shared shared) {
            super(c, conn, root, w, o, shared);
            this.n = new long[slots()];
        }

        @Override
        String primary() {
            return "file";
        }

        @Override
        void sharedSetup() {
            mkdir(base());
            mkdir(base() + "/durable");
        }

        @Override
        void setup() {
            dir = c.lookup(0, base() + "/durable");
            buf = arena.allocate(4096, 4096);
            buf.fill((byte) 'd');
        }

        @Override
        void run(int slot) {
            while (!stopped()) {
                String name = o.runId + "c" + conn + "s" + slot + "n" + (n[slot]++);
                long t0 = System.nanoTime();
                Nfs41Client.Open[] f = {null};
                if (!timed(slot, "create", 0, () -> f[0] = c.open(slot, dir, name, true))) {
                    continue;
                }
                boolean ok = timed(slot, "write", 0, () -> c.write(slot, f[0], 0, buf, Nfs41Compound.UNSTABLE));
                ok &= timed(slot, "commit", 0, () -> c.commit(slot, f[0].fh()));
                c.close(slot, f[0]);
                if (ok) {
                    rec[slot].record("file", t0, 4096);
                }
            }
        }

        @Override
        void finish() {
            arena.close();
        }
    }

    /**
     * {@link Workloads.ListDir}: listing a directory of --files entries with READDIRs (attributes of a
     * READDIRPLUS: type, size, fileid, mode, nlink, owner, group, mtime) to its end, from cookie 0.
     */
    static final class ListDir extends Nfs41Driver {
        private byte[] dir;

        ListDir(Nfs41Client c, int conn, String root, Recorder.Window w, NfsLoad.Options o, Driver.Shared shared) {
            super(c, conn, root, w, o, shared);
        }

        private String path() {
            return base() + "/list" + o.files;
        }

        @Override
        String primary() {
            return "listing";
        }

        @Override
        void sharedSetup() {
            mkdir(base());
            byte[] d = mkdir(path());
            shared.populated = size(d, "f" + (o.files - 1)) >= 0 && size(d, "f0") >= 0;
        }

        @Override
        void setup() {
            dir = c.lookup(0, path());
            if (shared.populated) {
                return;
            }
            List<Integer> mine = new ArrayList<>();
            for (int i = 0; i < o.files; i++) {
                if (i % o.connections == conn) {
                    mine.add(i);
                }
            }
            forEach("create entries", mine.size(), (s, i) -> c.close(s, c.open(s, dir, "f" + mine.get(i), true)));
        }

        @Override
        void run(int slot) {
            while (!stopped()) {
                long[] entries = {-1};
                if (timed(slot, "listing", 0, () -> entries[0] = c.readdir(slot, dir, READDIR_MAX))) {
                    rec[slot].items(entries[0]);
                }
                if (entries[0] >= 0 && entries[0] < o.files) {
                    rec[slot].error("listing", (int) entries[0], "listing returned " + entries[0]
                            + " entries, expected " + o.files + "+");
                }
            }
        }
    }
}
