package io.dittofs.core;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ShareTest {
    private static final AuthContext ALICE = new AuthContext(1000, 1000, new int[0], "m");

    private static Share share(Share.AccessPolicy p, boolean squash) {
        return new Share(1, "/s", null, squash, 65534, 65534, p);
    }

    @Test
    void shouldLetEveryoneReadAndWriteByDefault() {
        Share s = new Share(1, "/s", null, false, 65534, 65534);
        assertEquals(ALICE, s.authorize(ALICE, true));
    }

    @Test
    void shouldRefuseEverythingWithoutAccess() {
        Share s = share(c -> ShareAccess.NONE, false);
        assertEquals(FsError.ACCESS_DENIED, assertThrows(FsException.class, () -> s.authorize(ALICE, false)).error());
        assertEquals(FsError.ACCESS_DENIED, assertThrows(FsException.class, () -> s.authorize(ALICE, true)).error());
    }

    @Test
    void shouldRefuseOnlyWritesWithReadAccess() {
        Share s = share(c -> ShareAccess.READ, false);
        assertEquals(ALICE, s.authorize(ALICE, false));
        assertEquals(FsError.READ_ONLY, assertThrows(FsException.class, () -> s.authorize(ALICE, true)).error());
    }

    @Test
    void shouldDecideOnTheCallerBeforeRootSquash() {
        Share s = share(c -> c.uid() == 0 ? ShareAccess.READ_WRITE : ShareAccess.NONE, true);
        AuthContext squashed = s.authorize(AuthContext.ROOT, true);
        assertEquals(65534, squashed.uid());
    }
}
