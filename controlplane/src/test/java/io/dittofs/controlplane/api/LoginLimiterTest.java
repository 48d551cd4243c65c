package io.dittofs.controlplane.api;

import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LoginLimiterTest {
    private static final long MINUTE = TimeUnit.MINUTES.toNanos(1);

    @Test
    void shouldLimitOneUsernameAcrossManyAddresses() throws Exception {
        LoginLimiter l = new LoginLimiter(true, 10, 30, MINUTE);
        for (int i = 0; i < 30; i++) {
            l.reserve("10.0.0." + i, "admin");
        }
        LoginLimiter.Limited e = assertThrows(LoginLimiter.Limited.class, () -> l.reserve("10.0.1.1", "admin"));
        assertTrue(e.retryAfterSeconds() >= 1 && e.retryAfterSeconds() <= 60, "retry after " + e.retryAfterSeconds());
        l.reserve("10.0.1.1", "bob"); // other names from that address are not affected
    }

    @Test
    void shouldFreeOnlyItsOwnSlotWhenALoginSucceeds() throws Exception {
        LoginLimiter l = new LoginLimiter(true, 10, 30, MINUTE);
        for (int i = 0; i < 9; i++) {
            l.reserve("10.0.0.1", "admin"); // failures: never released
        }
        for (int i = 0; i < 5; i++) {
            l.reserve("10.0.0.1", "mallory").succeeded();
        }
        l.reserve("10.0.0.1", "admin");
        assertThrows(LoginLimiter.Limited.class, () -> l.reserve("10.0.0.1", "admin"));
        assertThrows(LoginLimiter.Limited.class, () -> l.reserve("10.0.0.1", "mallory"), "the address is used up");
    }

    @Test
    void shouldCountAttemptsInFlightBeforeTheirOutcome() throws Exception {
        LoginLimiter l = new LoginLimiter(true, 3, 30, MINUTE);
        LoginLimiter.Attempt a = l.reserve("c", "u");
        l.reserve("c", "u");
        l.reserve("c", "u");
        assertThrows(LoginLimiter.Limited.class, () -> l.reserve("c", "u"), "three checks still running");
        a.succeeded();
        l.reserve("c", "u");
    }

    @Test
    void shouldLetEverythingThroughWhenDisabled() throws Exception {
        LoginLimiter l = new LoginLimiter(false, 1, 1, MINUTE);
        for (int i = 0; i < 100; i++) {
            l.reserve("c", "u");
        }
    }
}
