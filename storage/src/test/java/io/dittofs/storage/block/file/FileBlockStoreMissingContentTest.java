package io.dittofs.storage.block.file;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Content that was never written (a file created and removed empty: the REMOVE of every metadata
 * workload), and content a first WRITE is about to create, is looked up with {@code access(2)},
 * not with an open that fails: the failed open
 * threw a {@code NoSuchFileException} with a filled stack trace (and an internal exception
 * before it) on every such REMOVE, about 2 % of the server's CPU in the {@code meta} workload.
 */
class FileBlockStoreMissingContentTest {
    @TempDir
    Path dir;

    @Test
    void shouldNotTryToOpenContentThatWasNeverWrittenWhenDeletingOrSyncingIt() {
        try (FileBlockStore s = new FileBlockStore(dir.resolve("b"))) {
            for (long id = 100; id < 300; id++) {
                s.delete(id);
                s.sync(id);
            }
            assertEquals(0, s.missedOpens(), "failed opens (each one an exception thrown and caught)");
        }
    }

    @Test
    void shouldCreateContentOnItsFirstWriteWithoutAFailedOpen() {
        try (FileBlockStore s = new FileBlockStore(dir.resolve("b")); Arena a = Arena.ofConfined()) {
            var data = a.allocate(4096).fill((byte) 2);
            for (long id = 100; id < 150; id++) {
                s.write(id, 0, data);
            }
            assertEquals(0, s.missedOpens(), "failed opens (each one an exception thrown and caught)");
            s.write(100, 4096, data); // open already: no lookup at all
            assertEquals(0, s.missedOpens());
        }
    }

    @Test
    void shouldStillDeleteContentThatExistsButIsNotOpen() {
        Path root = dir.resolve("b");
        try (FileBlockStore s = new FileBlockStore(root); Arena a = Arena.ofConfined()) {
            s.write(7, 0, a.allocate(4096).fill((byte) 1));
            s.sync(7);
        }
        try (FileBlockStore s = new FileBlockStore(root)) { // a restart: nothing is open
            s.delete(7);
            assertFalse(Files.exists(root.resolve("07").resolve("7")), "content file of 7 after delete");
            assertEquals(0, s.missedOpens());
        }
    }
}
