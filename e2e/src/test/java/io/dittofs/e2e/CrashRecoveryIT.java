package io.dittofs.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.security.MessageDigest;
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
 * Durability under {@code kill -9}: in each of 20+ cycles, libnfs clients write FILE_SYNC
 * (files opened with O_SYNC) and UNSTABLE-then-COMMIT (pwrite + fsync) data; the server is killed
 * with SIGKILL at a random moment; after a restart every byte whose write (or COMMIT) was
 * acknowledged before the kill must be there with the right checksum, and every acknowledged
 * file name must exist with at least the acknowledged size. Runs on the default persistent
 * stores (LMDB metadata, content files written in place).
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class CrashRecoveryIT {
    private static final String EXPORT = "/export";
    private static final int CYCLES = Integer.getInteger("dittofs.crashCycles", 20);
    /** O_SYNC on Linux x86_64: libnfs then sends FILE_SYNC writes. */
    private static final int O_SYNC = 04010000;
    private static final int CHUNK = 64 * 1024;

    @RegisterExtension
    static final ServerExtension SERVER = new ServerExtension();

    /** An acknowledged range: file, offset, SHA-256 of the bytes. */
    private record Ack(String path, long offset, int length, byte[] sha) {
    }

    @BeforeAll
    static void requireLibnfs() {
        E2eEnvironment.requireAptPackage("libnfs13", "the libnfs NFSv3 client");
    }

    @Test
    void shouldKeepEveryAcknowledgedStableByteAcrossKillMinus9() throws Exception {
        String log = Files.readString(SERVER.server().logFile());
        assertTrue(!log.contains("on memory stores"), "the default share must run on persistent stores");
        Random rnd = new Random(1234);
        List<Ack> acked = new ArrayList<>();
        Map<String, Long> ackedSize = new ConcurrentHashMap<>();
        for (int cycle = 0; cycle < CYCLES; cycle++) {
            List<Ack> cycleAcks = java.util.Collections.synchronizedList(new ArrayList<>());
            AtomicBoolean stop = new AtomicBoolean();
            List<Thread> writers = new ArrayList<>();
            for (int w = 0; w < 2; w++) {
                boolean sync = w == 0;
                String path = "/c" + cycle + (sync ? "-filesync" : "-commit");
                long seed = rnd.nextLong();
                writers.add(Thread.ofPlatform().start(() -> write(path, sync, seed, stop, cycleAcks, ackedSize)));
            }
            Thread.sleep(300 + rnd.nextInt(1200));
            SERVER.server().kill(); // the crash: SIGKILL at a random moment
            stop.set(true);
            for (Thread t : writers) {
                t.join(TimeUnit.SECONDS.toMillis(90));
            }
            acked.addAll(cycleAcks);
            SERVER.server().restart(false);
            // this cycle's acknowledged data, plus a sample of every earlier cycle's
            List<Ack> check = new ArrayList<>(cycleAcks);
            for (int i = 0; i < 64 && acked.size() > cycleAcks.size(); i++) {
                check.add(acked.get(rnd.nextInt(acked.size())));
            }
            verify(check, ackedSize, cycle);
        }
        verify(acked, ackedSize, CYCLES); // and, at the end, everything ever acknowledged
        assertTrue(acked.size() > CYCLES, "the clients got writes acknowledged: " + acked.size());
    }

    /** Writes 64 KiB chunks until told to stop or the server is gone; records what was acknowledged. */
    private static void write(String path, boolean fileSync, long seed, AtomicBoolean stop, List<Ack> acks,
                              Map<String, Long> ackedSize) {
        Random r = new Random(seed);
        try (Arena arena = Arena.ofConfined();
             LibNfs nfs = LibNfs.mount(SERVER.port(), EXPORT, 0, 0).timeoutMillis(1000)) {
            MemorySegment buf = arena.allocate(CHUNK);
            int flags = LibNfs.O_RDWR | LibNfs.O_CREAT | (fileSync ? O_SYNC : 0);
            try (NfsFile f = nfs.open(path, flags, 0644)) {
                ackedSize.merge(path, 0L, Math::max); // the create itself was acknowledged
                List<Ack> pending = new ArrayList<>();
                long off = 0;
                while (!stop.get()) {
                    byte[] data = new byte[CHUNK];
                    r.nextBytes(data);
                    MemorySegment.copy(data, 0, buf, ValueLayout.JAVA_BYTE, 0, CHUNK);
                    f.pwrite(off, buf);
                    Ack a = new Ack(path, off, CHUNK, sha(data));
                    off += CHUNK;
                    if (fileSync) {
                        acks.add(a);
                        ackedSize.merge(path, off, Math::max);
                    } else {
                        pending.add(a);
                        if (pending.size() == 4) {
                            f.fsync(); // COMMIT: everything written so far is now stable
                            acks.addAll(pending);
                            pending.clear();
                            ackedSize.merge(path, off, Math::max);
                        }
                    }
                }
            }
        } catch (RuntimeException e) {
            // the server died under us: whatever was acknowledged is recorded
        }
    }

    private static void verify(List<Ack> acked, Map<String, Long> ackedSize, int cycle) {
        try (Arena arena = Arena.ofConfined(); LibNfs nfs = LibNfs.mount(SERVER.port(), EXPORT, 0, 0)) {
            for (Map.Entry<String, Long> e : ackedSize.entrySet()) {
                if (!nfs.exists(e.getKey())) {
                    fail("cycle " + cycle + ": acknowledged file " + e.getKey() + " is gone");
                }
                long size = nfs.stat(e.getKey()).size();
                assertTrue(size >= e.getValue(), "cycle " + cycle + ": " + e.getKey() + " has " + size
                        + " bytes, " + e.getValue() + " were acknowledged");
            }
            MemorySegment buf = arena.allocate(CHUNK);
            for (Ack a : acked) {
                try (NfsFile f = nfs.open(a.path(), LibNfs.O_RDWR)) {
                    int n = f.pread(a.offset(), buf);
                    byte[] got = buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE);
                    assertArrayEquals(a.sha(), sha(got), "cycle " + cycle + ": " + a.path() + " @" + a.offset()
                            + " lost acknowledged data");
                }
            }
        }
    }

    private static byte[] sha(byte[] b) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(b);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
