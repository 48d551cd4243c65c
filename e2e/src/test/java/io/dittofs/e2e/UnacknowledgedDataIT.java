package io.dittofs.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * No byte beyond a file's size is ever visible after a crash. In each cycle six libnfs clients
 * append 1 MiB FILE_SYNC writes to their own file and the server is killed with SIGKILL 1–3 s
 * in, so writes are in flight whose data may sit in the WAL without their size. After a restart,
 * for each file: S = its size (at least what was acknowledged, with the acknowledged bytes intact);
 * the file is extended by a 1-byte FILE_SYNC write at S + 3 MiB (even files) or SETATTR size
 * (odd files), and [S, S + 3 MiB) must read as zeros. Then it is truncated down and extended
 * again, and the zeros are checked once more — also after the next crash.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class UnacknowledgedDataIT {
    private static final String EXPORT = "/export";
    private static final int CYCLES = Integer.getInteger("dittofs.eofCycles", 6);
    private static final int WRITERS = 6;
    /** O_SYNC on Linux x86_64: libnfs then sends FILE_SYNC writes. */
    private static final int O_SYNC = 04010000;
    private static final int MIB = 1 << 20;
    private static final long GAP = 3L * MIB;

    @RegisterExtension
    static final ServerExtension SERVER = new ServerExtension();

    /** A file checked after a truncate-down and extension: [from, to) must stay zeros. */
    private record Zeros(String path, long from, long to) {
    }

    private long zeroBytesChecked;

    @BeforeAll
    static void requireLibnfs() {
        E2eEnvironment.requireAptPackage("libnfs13", "the libnfs NFSv3 client");
    }

    @Test
    void shouldNeverShowUnacknowledgedBytesPastSizeAfterKillMinus9() throws Exception {
        Random rnd = new Random(4321);
        List<Zeros> earlier = new ArrayList<>();
        for (int cycle = 0; cycle < CYCLES; cycle++) {
            Map<String, Long> acked = new ConcurrentHashMap<>();
            AtomicBoolean stop = new AtomicBoolean();
            List<Thread> writers = new ArrayList<>();
            for (int w = 0; w < WRITERS; w++) {
                String path = "/eof-c" + cycle + "-w" + w;
                writers.add(Thread.ofPlatform().start(() -> append(path, stop, acked)));
            }
            Thread.sleep(1000 + rnd.nextInt(2000));
            SERVER.server().kill();
            stop.set(true);
            for (Thread t : writers) {
                t.join(TimeUnit.SECONDS.toMillis(90));
            }
            SERVER.server().restart(false);
            List<Zeros> now = check(cycle, acked, rnd);
            for (Zeros z : earlier) { // truncated down and extended before this crash
                checkZeros(z, "cycle " + cycle + ", after the crash");
            }
            earlier.addAll(now);
        }
        System.out.printf("unacknowledged-data: %d cycles, %d zero bytes checked%n", CYCLES, zeroBytesChecked);
    }

    /** Appends 1 MiB FILE_SYNC writes until told to stop or the server is gone. */
    private static void append(String path, AtomicBoolean stop, Map<String, Long> acked) {
        try (Arena arena = Arena.ofConfined();
             LibNfs nfs = LibNfs.mount(SERVER.port(), EXPORT, 0, 0).timeoutMillis(1000)) {
            MemorySegment buf = arena.allocate(MIB);
            try (NfsFile f = nfs.open(path, LibNfs.O_RDWR | LibNfs.O_CREAT | O_SYNC, 0644)) {
                acked.merge(path, 0L, Math::max);
                long off = 0;
                while (!stop.get()) {
                    fill(buf, path, off);
                    f.pwriteFully(off, buf);
                    off += MIB;
                    acked.merge(path, off, Math::max);
                }
            }
        } catch (RuntimeException e) {
            // the server died under us: what was acknowledged is recorded
        }
    }

    /** The content written at {@code off}: non-zero bytes that depend on the file and the offset. */
    private static void fill(MemorySegment buf, String path, long off) {
        int seed = path.hashCode();
        for (long i = 0; i < buf.byteSize(); i++) {
            buf.set(ValueLayout.JAVA_BYTE, i, expected(seed, off + i));
        }
    }

    private static byte expected(int seed, long pos) {
        return (byte) (1 + Math.floorMod(pos * 131 + seed + (pos >>> 20) * 17, 251));
    }

    /** Checks every file of a cycle after the restart; returns the ranges to check again later. */
    private List<Zeros> check(int cycle, Map<String, Long> acked, Random rnd) {
        List<Zeros> later = new ArrayList<>();
        try (LibNfs nfs = LibNfs.mount(SERVER.port(), EXPORT, 0, 0)) {
            int i = 0;
            for (Map.Entry<String, Long> e : acked.entrySet()) {
                String path = e.getKey();
                long size = nfs.stat(path).size();
                assertTrue(size >= e.getValue(), "cycle " + cycle + ": " + path + " has " + size + " bytes, "
                        + e.getValue() + " were acknowledged");
                checkAcknowledged(nfs, path, e.getValue(), cycle);
                try (NfsFile f = nfs.open(path, LibNfs.O_RDWR | O_SYNC)) {
                    if (i++ % 2 == 0) {
                        f.write(size + GAP, new byte[] {42});
                    } else {
                        f.ftruncate(size + GAP);
                    }
                }
                checkZeros(new Zeros(path, size, size + GAP), "cycle " + cycle + ", extended after the crash");
                long down = size == 0 ? 0 : rnd.nextLong(size);
                try (NfsFile f = nfs.open(path, LibNfs.O_RDWR | O_SYNC)) {
                    f.ftruncate(down);
                    f.ftruncate(down + GAP);
                }
                Zeros z = new Zeros(path, down, down + GAP);
                checkZeros(z, "cycle " + cycle + ", truncated down and extended");
                later.add(z);
            }
        }
        return later;
    }

    private static void checkAcknowledged(LibNfs nfs, String path, long length, int cycle) {
        int seed = path.hashCode();
        try (NfsFile f = nfs.open(path, LibNfs.O_RDONLY)) {
            for (long off = 0; off < length; off += MIB) {
                byte[] got = f.read(off, MIB);
                assertEquals(MIB, got.length, "cycle " + cycle + ": short read of " + path + " @" + off);
                for (int j = 0; j < got.length; j++) {
                    if (got[j] != expected(seed, off + j)) {
                        fail("cycle " + cycle + ": " + path + " lost acknowledged data at " + (off + j));
                    }
                }
            }
        }
    }

    private void checkZeros(Zeros z, String when) {
        try (LibNfs nfs = LibNfs.mount(SERVER.port(), EXPORT, 0, 0);
             NfsFile f = nfs.open(z.path(), LibNfs.O_RDONLY)) {
            byte[] got = f.read(z.from(), (int) (z.to() - z.from()));
            assertEquals(z.to() - z.from(), got.length, when + ": short read of " + z.path());
            long bad = 0;
            long first = -1;
            for (int j = 0; j < got.length; j++) {
                if (got[j] != 0) {
                    bad++;
                    first = first < 0 ? z.from() + j : first;
                }
            }
            assertEquals(0, bad, when + ": " + z.path() + " shows " + bad + " bytes past its old size "
                    + z.from() + ", the first at " + first);
            zeroBytesChecked += got.length;
        }
    }
}
