package io.dittofs.storage.block.file;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The first {@link FileBlockStore#sync} of a new file forces its data and its directory entry at
 * the same time (one flush round, not two in a row). Checked through the cache's hooks, never
 * timing: the data force waits until the directory force has begun.
 */
class FileBlockStoreDirentOverlapTest {
    private static final long WAIT_SECONDS = 10;

    @TempDir
    Path dir;

    @Test
    void shouldForceTheNewFilesDirectoryEntryWhileItsDataIsForced() {
        CountDownLatch dirForcing = new CountDownLatch(1);
        AtomicBoolean overlapped = new AtomicBoolean();
        try (FileBlockStore s = new FileBlockStore(dir.resolve("b")); Arena a = Arena.ofConfined()) {
            s.write(9, 0, a.allocate(4096).fill((byte) 3));
            s.channels().beforeDirForce = dirForcing::countDown;
            s.channels().beforeDataForce = () -> {
                try {
                    overlapped.set(dirForcing.await(WAIT_SECONDS, TimeUnit.SECONDS));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            };

            s.sync(9);

            assertTrue(overlapped.get(), "the data force ran alone: the directory force had not begun");
            assertEquals(1, s.dataForces());
            assertEquals(1, s.dirForces(), "the new file's directory entry, once");
            s.sync(9);
            assertEquals(1, s.dirForces(), "forced already");
        }
    }
}
