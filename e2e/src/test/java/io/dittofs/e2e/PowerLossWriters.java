package io.dittofs.e2e;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The client side of one power-loss cycle: libnfs writers (each its own context and connection)
 * that run until told to stop or until the server dies, recording in an {@link AckLedger}
 * exactly what the server acknowledged as stable.
 * <ul>
 *   <li>{@link #data}: sequential writes of 1 B to 256 KiB (unaligned), either FILE_SYNC (file
 *       opened with O_SYNC) or UNSTABLE with a COMMIT after every 4 writes, or UNSTABLE only
 *       (nothing but the create is acknowledged; its data must never show up beyond EOF);</li>
 *   <li>{@link #namespace}: CREATE (+ one small FILE_SYNC write), MKDIR, RENAME (also over
 *       directories' boundaries), REMOVE and RMDIR in a directory of its own.</li>
 * </ul>
 * Each method is run by its own thread; the ledger is the only shared state.
 */
final class PowerLossWriters {
    /** O_SYNC on Linux x86_64: libnfs then sends FILE_SYNC writes. */
    static final int O_SYNC = 04010000;
    static final int MAX_CHUNK = 256 * 1024;

    enum Mode { FILE_SYNC, COMMIT, UNSTABLE }

    private PowerLossWriters() {
    }

    /** A context whose calls give up after 1 s (libnfs 4.0.0 crashes in destroy with autoreconnect off). */
    static LibNfs connect(int port) {
        return LibNfs.mount(port, "/export", 0, 0).timeoutMillis(1000);
    }

    static void data(int port, String path, Mode mode, long seed, AtomicBoolean stop, AckLedger ledger) {
        Random r = new Random(seed);
        try (Arena arena = Arena.ofConfined(); LibNfs nfs = connect(port)) {
            MemorySegment buf = arena.allocate(MAX_CHUNK);
            byte[] data = new byte[MAX_CHUNK];
            int flags = LibNfs.O_RDWR | LibNfs.O_CREAT | (mode == Mode.FILE_SYNC ? O_SYNC : 0);
            try (NfsFile f = nfs.open(path, flags, 0644)) {
                ledger.name(path, AckLedger.Name.FILE);
                ledger.size(path, 0);
                List<Object[]> pending = new ArrayList<>();
                long off = 0;
                while (!stop.get()) {
                    int len = 1 + r.nextInt(MAX_CHUNK);
                    r.nextBytes(data);
                    MemorySegment.copy(data, 0, buf, ValueLayout.JAVA_BYTE, 0, len);
                    f.pwriteFully(off, buf.asSlice(0, len));
                    if (mode == Mode.FILE_SYNC) {
                        ledger.range(path, off, data, len);
                    } else if (mode == Mode.COMMIT) {
                        pending.add(new Object[] {off, data.clone(), len});
                        if (pending.size() == 4) {
                            f.fsync(); // COMMIT: everything written so far is stable
                            for (Object[] p : pending) {
                                ledger.range(path, (long) p[0], (byte[]) p[1], (int) p[2]);
                            }
                            pending.clear();
                        }
                    }
                    off += len;
                }
            }
        } catch (RuntimeException e) {
            // the server died under us: what was acknowledged is recorded
        }
    }

    /** Namespace changes in {@code base} (created first); every acknowledged outcome is recorded. */
    static void namespace(int port, String base, long seed, AtomicBoolean stop, AckLedger ledger) {
        Random r = new Random(seed);
        List<String> files = new ArrayList<>();
        Map<String, Integer> dirs = new HashMap<>(); // subdirectory -> entries in it
        Map<String, AckLedger.Name> content = new HashMap<>();
        String[] inFlight = {base};
        try (Arena arena = Arena.ofConfined(); LibNfs nfs = connect(port)) {
            nfs.mkdir(base);
            ledger.name(base, AckLedger.Name.DIR);
            MemorySegment buf = arena.allocate(8192);
            byte[] data = new byte[8192];
            for (int k = 0; !stop.get(); k++) {
                int op = r.nextInt(10);
                if (op <= 3 || files.isEmpty()) {
                    String dir = pickDir(base, dirs, r);
                    String p = dir + "/f" + k;
                    inFlight = new String[] {p};
                    try (NfsFile f = nfs.open(p, LibNfs.O_RDWR | LibNfs.O_CREAT | LibNfs.O_EXCL | O_SYNC, 0644)) {
                        ledger.name(p, AckLedger.Name.FILE); // the create is acknowledged, the content not yet
                        files.add(p);
                        dirs.computeIfPresent(dir, (d, n) -> n + 1);
                        inFlight = new String[0];
                        int len = 1 + r.nextInt(data.length);
                        r.nextBytes(data);
                        MemorySegment.copy(data, 0, buf, ValueLayout.JAVA_BYTE, 0, len);
                        f.pwriteFully(0, buf.asSlice(0, len));
                        AckLedger.Name n = new AckLedger.Name(AckLedger.Kind.FILE, AckLedger.sha(data, len), len);
                        content.put(p, n);
                        ledger.name(p, n);
                    }
                } else if (op == 4) {
                    String p = base + "/d" + k;
                    inFlight = new String[] {p};
                    nfs.mkdir(p);
                    dirs.put(p, 0);
                    ledger.name(p, AckLedger.Name.DIR);
                } else if (op <= 6) {
                    String from = files.get(r.nextInt(files.size()));
                    String dir = pickDir(base, dirs, r);
                    String to = dir + "/r" + k;
                    inFlight = new String[] {from, to};
                    nfs.rename(from, to);
                    files.remove(from);
                    files.add(to);
                    dirs.computeIfPresent(parent(from), (d, n) -> n - 1);
                    dirs.computeIfPresent(dir, (d, n) -> n + 1);
                    AckLedger.Name n = content.remove(from);
                    content.put(to, n != null ? n : AckLedger.Name.FILE);
                    ledger.name(from, AckLedger.Name.ABSENT);
                    ledger.name(to, n != null ? n : AckLedger.Name.FILE);
                } else if (op <= 8) {
                    String p = files.remove(r.nextInt(files.size()));
                    inFlight = new String[] {p};
                    nfs.unlink(p);
                    dirs.computeIfPresent(parent(p), (d, n) -> n - 1);
                    content.remove(p);
                    ledger.name(p, AckLedger.Name.ABSENT);
                } else {
                    String empty = dirs.entrySet().stream().filter(e -> e.getValue() == 0).map(Map.Entry::getKey)
                            .findFirst().orElse(null);
                    if (empty != null) {
                        inFlight = new String[] {empty};
                        nfs.rmdir(empty);
                        dirs.remove(empty);
                        ledger.name(empty, AckLedger.Name.ABSENT);
                    }
                }
                inFlight = new String[0];
            }
        } catch (RuntimeException e) {
            ledger.uncertain(inFlight); // the server died during this call: either outcome is right
        }
    }

    private static String pickDir(String base, Map<String, Integer> dirs, Random r) {
        if (dirs.isEmpty() || r.nextBoolean()) {
            return base;
        }
        List<String> all = new ArrayList<>(dirs.keySet());
        return all.get(r.nextInt(all.size()));
    }

    private static String parent(String p) {
        return p.substring(0, p.lastIndexOf('/'));
    }
}
