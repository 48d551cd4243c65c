package io.dittofs.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Durability under power loss, not just {@code kill -9} (which keeps the page cache, so it
 * cannot tell a missing fsync/msync): the server's whole data directory (LMDB metadata, block
 * files, WAL, control-plane database) lives on {@link PowerLossRig}, a FUSE file system that
 * forgets every unsynced byte and every namespace change whose directory was not fsync'ed when
 * the power is cut. In each of 20+ cycles libnfs clients write (FILE_SYNC, UNSTABLE + COMMIT,
 * UNSTABLE only) and change the namespace (CREATE, MKDIR, RENAME, REMOVE, RMDIR); at a random
 * moment the server is killed with SIGKILL and the power is cut; then the rig is mounted again
 * over what the disk kept and the server restarted. Every acknowledged-stable byte and every
 * acknowledged namespace change must be back, and no unacknowledged byte may show up beyond a
 * file's end: after extending a file by a 1-byte FILE_SYNC write 3 MiB past its size, the
 * 3 MiB in between read as zeros.
 *
 * <p>Setup: the server's first start (creating the stores) happens before the first cut and
 * ends with a clean shutdown and a clean unmount — the installation is on disk.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
@org.junit.jupiter.api.TestInstance(org.junit.jupiter.api.TestInstance.Lifecycle.PER_CLASS)
class PowerLossIT {
    private static final int CYCLES = Integer.getInteger("dittofs.powerCycles", 20);
    private static final int GAP = 3 * 1024 * 1024;
    private static PowerLossRig rig;
    private static ServerProcess server;

    private long bytesVerified;
    private long zerosVerified;
    private long namesVerified;
    /** Beyond-EOF findings, collected so that every cycle still checks the acknowledged data. */
    private final List<String> beyondEof = new ArrayList<>();

    /** What the server's log must say about the default share's block store. */
    private static String expectedStores;

    /** Per class instance (a subclass overrides it, so only its own setup runs). */
    @BeforeAll
    void startOnTheRig() throws IOException {
        startOnTheRig("PowerLossIT", false);
    }

    /**
     * Starts the rig and the server on it: the default share on local files written in place,
     * or ({@code wal}) behind the mmap WAL ({@code cache.path} on the rig too).
     */
    static void startOnTheRig(String name, boolean wal) throws IOException {
        E2eEnvironment.requireAptPackage("libnfs13", "the libnfs NFSv3 client");
        expectedStores = wal ? "fs blocks behind the WAL" : "fs blocks (data under";
        rig = PowerLossRig.start(name);
        Path data = Files.createDirectory(rig.mountpoint().resolve("data"));
        PowerLossRigIT.forceDir(rig.mountpoint());
        server = ServerProcess.start(name, data, wal
                ? java.util.Map.of("DITTOFS_CACHE_PATH", data.resolve("wal").toString())
                : java.util.Map.of());
        System.err.println("[e2e] " + server + ", rig log " + rig.logFile());
        server.stop();
        rig.unmount(); // the installation is on disk
        rig.mount();
        server.relaunch();
    }

    @AfterAll
    static void stop() {
        try {
            if (server != null) {
                server.kill();
            }
        } finally {
            if (rig != null) {
                rig.close();
            }
        }
    }

    @Test
    void shouldKeepEveryAcknowledgedByteAndNameAcrossPowerCuts() throws Exception {
        String log = Files.readString(server.logFile());
        assertTrue(!log.contains("on memory stores"), "the share must run on persistent stores");
        assertTrue(log.contains(expectedStores), "the default share must run on " + expectedStores);
        Random rnd = new Random(Long.getLong("dittofs.powerSeed", 8_2026L));
        AckLedger all = new AckLedger();
        long dropped = 0;
        int undone = 0;
        try {
            for (int cycle = 0; cycle < CYCLES; cycle++) {
                AckLedger ledger = new AckLedger();
                List<String> dataFiles = runWriters(cycle, rnd, ledger);
                PowerLossRig.Cut cut = rig.cutPower();
                server.note("power cut after cycle " + cycle + ": " + cut);
                assertEquals(0, cut.undoFailures(), "the rig could not roll back some changes:\n" + rig.logTail());
                dropped += cut.droppedBytes();
                undone += cut.undoneChanges();
                rig.mount();
                server.relaunch();
                merge(ledger, all);
                verify(ledger, cycle, rnd, all);
                verifyNothingBeyondEof(dataFiles, ledger, cycle);
            }
            verify(all, CYCLES, null, all);
        } catch (Throwable t) {
            server.dumpLog("PowerLossIT failed", 150);
            System.err.println("===== power-loss rig log " + rig.logFile() + " =====\n" + rig.logTail());
            throw t;
        }
        System.err.printf("[e2e] power loss: %d cycles; verified %d acknowledged ranges (%d bytes), %d names,"
                        + " %d zero bytes beyond EOF; the rig dropped %d unsynced bytes and undid %d namespace changes%n",
                CYCLES, all.ranges.size(), bytesVerified, namesVerified, zerosVerified, dropped, undone);
        assertTrue(all.ranges.size() > CYCLES, "the clients got writes acknowledged: " + all.ranges.size());
        assertTrue(dropped > 0, "the cuts dropped unsynced data (else the rig tests nothing)");
        assertTrue(beyondEof.isEmpty(), beyondEof.size() + " file(s) showed unacknowledged data beyond EOF:\n"
                + String.join("\n", beyondEof));
    }

    /** Runs the writers for a random time, then kills the server (SIGKILL) and waits for them. */
    private static List<String> runWriters(int cycle, Random rnd, AckLedger ledger) throws InterruptedException {
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> threads = new ArrayList<>();
        List<String> files = new ArrayList<>();
        int port = server.port();
        for (PowerLossWriters.Mode mode : PowerLossWriters.Mode.values()) {
            String path = "/c" + cycle + "-" + mode.name().toLowerCase();
            files.add(path);
            long seed = rnd.nextLong();
            threads.add(Thread.ofPlatform().start(() -> PowerLossWriters.data(port, path, mode, seed, stop, ledger)));
        }
        long seed = rnd.nextLong();
        threads.add(Thread.ofPlatform().start(() -> PowerLossWriters.namespace(port, "/ns" + cycle, seed, stop, ledger)));
        // every 4th cycle runs long enough to fill a 64 MiB WAL segment, so that segments are
        // recycled (which relies on the block store's sync) before a later cut
        Thread.sleep(cycle % 4 == 3 ? 3000 + rnd.nextInt(1500) : 300 + rnd.nextInt(1500));
        server.kill();
        stop.set(true);
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(90));
        }
        return files;
    }

    private static void merge(AckLedger from, AckLedger into) {
        into.ranges.addAll(from.ranges);
        from.sizes.forEach(into::size);
        into.names.putAll(from.names);
        into.uncertain.addAll(from.uncertain);
    }

    /** Checks names, sizes and ranges of {@code ledger}, plus a sample of 64 earlier ranges when {@code rnd} is set. */
    private void verify(AckLedger ledger, int cycle, Random rnd, AckLedger all) {
        try (Arena arena = Arena.ofConfined(); LibNfs nfs = LibNfs.mount(server.port(), "/export", 0, 0)) {
            for (Map.Entry<String, AckLedger.Name> e : ledger.names.entrySet()) {
                checkName(nfs, e.getKey(), e.getValue(), cycle);
            }
            for (Map.Entry<String, Long> e : ledger.sizes.entrySet()) {
                long size = nfs.stat(e.getKey()).size();
                assertTrue(size >= e.getValue(), "cycle " + cycle + ": " + e.getKey() + " has " + size
                        + " bytes, " + e.getValue() + " were acknowledged");
            }
            List<AckLedger.Range> check = new ArrayList<>(ledger.ranges);
            List<AckLedger.Range> earlier = new ArrayList<>(all.ranges);
            for (int i = 0; rnd != null && i < 64 && !earlier.isEmpty(); i++) {
                check.add(earlier.get(rnd.nextInt(earlier.size())));
            }
            MemorySegment buf = arena.allocate(PowerLossWriters.MAX_CHUNK);
            for (AckLedger.Range a : check) {
                try (NfsFile f = nfs.open(a.path(), LibNfs.O_RDONLY)) {
                    long n = f.preadFully(a.offset(), buf.asSlice(0, a.length()));
                    byte[] got = buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE);
                    assertArrayEquals(a.sha(), AckLedger.sha(got, got.length), "cycle " + cycle + ": " + a.path()
                            + " @" + a.offset() + " (" + a.length() + " bytes) lost acknowledged data");
                    bytesVerified += a.length();
                }
            }
        }
    }

    private void checkName(LibNfs nfs, String path, AckLedger.Name want, int cycle) {
        namesVerified++;
        boolean exists = nfs.exists(path);
        if (want.kind() == AckLedger.Kind.ABSENT) {
            assertTrue(!exists, "cycle " + cycle + ": " + path + " is back although its removal was acknowledged");
            return;
        }
        if (!exists) {
            fail("cycle " + cycle + ": " + path + " (" + want.kind() + ") is gone although its creation was acknowledged");
        }
        NfsStat st = nfs.lstat(path);
        assertEquals(want.kind() == AckLedger.Kind.DIR, st.isDirectory(), "cycle " + cycle + ": type of " + path);
        if (want.sha() != null) {
            try (NfsFile f = nfs.open(path, LibNfs.O_RDONLY)) {
                byte[] got = f.read(0, want.length() + 1);
                assertEquals(want.length(), got.length, "cycle " + cycle + ": size of " + path);
                assertArrayEquals(want.sha(), AckLedger.sha(got, got.length), "cycle " + cycle + ": content of " + path);
            }
        }
    }

    /** Extends each file 3 MiB past its size with a 1-byte FILE_SYNC write; the gap must read as zeros. */
    private void verifyNothingBeyondEof(List<String> files, AckLedger ledger, int cycle) {
        try (Arena arena = Arena.ofConfined(); LibNfs nfs = LibNfs.mount(server.port(), "/export", 0, 0)) {
            MemorySegment one = arena.allocate(1);
            one.set(ValueLayout.JAVA_BYTE, 0, (byte) 1);
            MemorySegment buf = arena.allocate(1024 * 1024);
            MemorySegment zeros = arena.allocate(buf.byteSize());
            for (String path : files) {
                if (!ledger.names.containsKey(path)) {
                    continue; // its create was never acknowledged
                }
                try (NfsFile f = nfs.open(path, LibNfs.O_RDWR | PowerLossWriters.O_SYNC)) {
                    long size = f.fstat().size();
                    f.pwriteFully(size + GAP, one);
                    for (long off = size; off < size + GAP; off += buf.byteSize()) {
                        long n = f.preadFully(off, buf);
                        assertEquals(buf.byteSize(), n, "cycle " + cycle + ": short read in the gap of " + path);
                        long at = buf.mismatch(zeros);
                        if (at >= 0) {
                            beyondEof.add("cycle " + cycle + ": " + path + " had " + size + " bytes after the cut, yet"
                                    + " byte " + (off + at) + " reads " + buf.get(ValueLayout.JAVA_BYTE, at)
                                    + " after extending it: unacknowledged data beyond EOF");
                            break;
                        }
                        zerosVerified += n;
                    }
                }
            }
        }
    }
}
