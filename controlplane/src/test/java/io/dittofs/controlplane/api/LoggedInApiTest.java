package io.dittofs.controlplane.api;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The base of the API tests that run against a fresh {@link ApiHarness} (login rate limits on,
 * stores allowed under {@link #dir}) with the first admin logged in as {@link #admin}; each test
 * gets its own, closed after it. Not thread-safe: one test thread.
 */
abstract class LoggedInApiTest {
    @TempDir
    Path dir;
    ApiHarness h;
    /** The first admin's token. */
    String admin;

    @BeforeEach
    void startHarness() throws Exception {
        h = new ApiHarness(dir, true);
        admin = h.admin();
    }

    @AfterEach
    void stopHarness() {
        h.close();
    }

    /** Asserts the reply's status (its body in the message) and returns the reply. */
    static ApiHarness.Res ok(int want, ApiHarness.Res r) {
        assertEquals(want, r.status(), r.body());
        return r;
    }
}
