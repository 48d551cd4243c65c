package io.dittofs.storage.block.file;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link FileBlockStore#sync} forces exactly the touched files, once per group of callers. */
class FileBlockStoreSyncTest {
    @TempDir
    Path dir;

    private static MemorySegment data(Arena a, int len) {
        return a.allocate(len).fill((byte) 7);
    }

    @Test
    void shouldForceOnlyTheSyncedFileAndOnlyWhenItChanged() {
        try (FileBlockStore s = new FileBlockStore(dir.resolve("b")); Arena a = Arena.ofConfined()) {
            s.write(1, 0, data(a, 4096));
            s.write(2, 0, data(a, 4096));
            assertEquals(0, s.dataForces(), "UNSTABLE writes force nothing");
            s.sync(1);
            assertEquals(1, s.dataForces());
            assertEquals(1, s.dirForces(), "the new file's directory entry, once");
            s.sync(1);
            assertEquals(1, s.dataForces(), "nothing new to force");
            s.sync(2);
            assertEquals(2, s.dataForces());
            s.write(1, 8192, data(a, 4096));
            s.sync(1);
            assertEquals(3, s.dataForces());
            assertEquals(2, s.dirForces(), "existing entries are not forced again");
            s.sync(99);
            assertEquals(3, s.dataForces(), "unknown content: nothing to force");
        }
    }

    @Test
    void shouldShareOneForceAmongConcurrentSyncCallers() throws Exception {
        try (FileBlockStore s = new FileBlockStore(dir.resolve("b")); Arena a = Arena.ofConfined()) {
            s.write(5, 0, data(a, 1 << 20));
            int callers = 32;
            CountDownLatch start = new CountDownLatch(1);
            try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<?>> fs = new ArrayList<>();
                for (int i = 0; i < callers; i++) {
                    fs.add(ex.submit(() -> {
                        start.await();
                        s.sync(5);
                        return null;
                    }));
                }
                start.countDown();
                for (Future<?> f : fs) {
                    f.get();
                }
            }
            assertEquals(1, s.dataForces(), "32 callers after one write share one fdatasync");
        }
    }

    @Test
    void shouldForceFilesWhoseChannelWasClosedByEviction() {
        try (FileBlockStore s = new FileBlockStore(dir.resolve("b"), 2); Arena a = Arena.ofConfined()) {
            for (long id = 10; id < 20; id++) {
                s.write(id, 0, data(a, 4096));
            }
            for (long id = 10; id < 20; id++) {
                s.sync(id);
            }
            assertEquals(10, s.dataForces(), "every written file is forced, open or not");
            assertEquals(10, s.dirForces(), "ids 10..19 live in ten different fan-out directories");
            for (long id = 10; id < 20; id++) {
                s.sync(id);
            }
            assertEquals(10, s.dataForces(), "and only once");
        }
    }

    @Test
    void shouldForceShrinkingTruncatesOnly() throws Exception {
        try (FileBlockStore s = new FileBlockStore(dir.resolve("b")); Arena a = Arena.ofConfined()) {
            s.write(3, 0, data(a, 100_000));
            s.sync(3);
            long forced = s.dataForces();
            s.truncate(3, 1_000_000);
            assertEquals(forced, s.dataForces(), "growing leaves a hole: nothing to force");
            s.truncate(3, 10);
            assertEquals(forced + 1, s.dataForces(), "cut bytes must not come back after a power loss");
            long left = NativeStat.allocated(dir.resolve("b").resolve("03").resolve("3"));
            assertTrue(left < 100_000, "the cut freed the blocks: " + left);
            assertEquals(left, s.usedBytes());
        }
    }
}
