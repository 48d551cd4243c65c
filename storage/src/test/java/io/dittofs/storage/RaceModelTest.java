package io.dittofs.storage;

import io.dittofs.storage.RaceModel.Done;
import io.dittofs.storage.RaceModel.State;
import io.dittofs.storage.RaceModel.Truncate;
import io.dittofs.storage.RaceModel.Write;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The linearizability check of {@link RaceModel}: what it accepts for overlapping writes that ran at
 * the same time (either writer per byte, as the block stores promise) and what it still rejects.
 * The case is the one a round of {@link FileSystemRaceStressTest} met on the memory stores: a
 * 44-byte write inside a 24 KiB one, both running, left the first 3 bytes of the large write and
 * the rest of the small one.
 */
class RaceModelTest {
    private static final long ID = 7;
    private static final byte[] SMALL = fill(44, 1);
    private static final byte[] LARGE = fill(24_417, 2);

    private static byte[] fill(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (1 + (i * 31 + seed * 97) % 255);
        }
        return b;
    }

    private static State file(byte[] content) {
        return new State(Map.of("f0", ID), Map.of(ID, content));
    }

    /** The large write at 19535, then the small one at 22013 over it, but its first 3 bytes the large one's. */
    private static byte[] torn() {
        byte[] b = new byte[19_535 + LARGE.length];
        System.arraycopy(LARGE, 0, b, 19_535, LARGE.length);
        System.arraycopy(SMALL, 3, b, 22_016, SMALL.length - 3);
        return b;
    }

    private static Done write(byte[] data, long offset, long invoked, long returned) {
        return new Done(new Write(ID, offset, data), null, 0, invoked, returned);
    }

    private static List<Done> check(List<Done> ops, byte[] observed) {
        return RaceModel.linearize(file(new byte[0]), ops, file(observed), Set.of(ID));
    }

    @Test
    void shouldAcceptEitherWriterPerByteWhenOverlappingWritesRanTogether() {
        List<Done> ops = List.of(write(SMALL, 22_013, 27, 472), write(LARGE, 19_535, 298, 448));
        assertNotNull(check(ops, torn()));
    }

    @Test
    void shouldRejectAMixWhenOneWriteReturnedBeforeTheOtherStarted() {
        List<Done> ops = List.of(write(SMALL, 22_013, 27, 200), write(LARGE, 19_535, 298, 448));
        assertNull(check(ops, torn()));
    }

    @Test
    void shouldRejectAByteNeitherWriterHad() {
        List<Done> ops = List.of(write(SMALL, 22_013, 27, 472), write(LARGE, 19_535, 298, 448));
        byte[] observed = torn();
        observed[22_020] = 0; // an acknowledged byte lost
        assertNull(check(ops, observed));
    }

    @Test
    void shouldRejectAMixAcrossATruncateOfTheFile() {
        // the truncate starts after the small write returned and runs during the large one: under
        // the file's exclusive lock, so the large write copies wholly before it (and is cut to
        // 30000) or wholly after it (and no byte of the small one is left under it)
        List<Done> ops = List.of(write(SMALL, 22_013, 27, 200), write(LARGE, 19_535, 150, 448),
                new Done(new Truncate(ID, 30_000), null, 0, 210, 300));
        assertNull(check(ops, torn()));
    }
}
