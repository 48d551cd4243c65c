package io.dittofs.storage.block.s3;

import io.dittofs.core.FsException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The S3 store's own retries (which exist so that each one is counted), against a real
 * S3-compatible server (S3Mock) behind a proxy that injects S3 errors.
 */
class S3RetryTest {
    private static final String BUCKET = "dittofs-retry";
    /** Attempts per attempt of the store: the CRT client's own quick retry cannot be switched off. */
    private static final int CRT_ATTEMPTS = 1 + S3BlockStore.CRT_RETRIES;
    private static S3MockServer server;
    private FaultProxy proxy;
    private final List<String> retried = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void startServer() {
        server = S3MockServer.get();
        server.createBucket(BUCKET);
    }

    @BeforeEach
    void startProxy() throws Exception {
        proxy = new FaultProxy(server.endpoint);
    }

    @AfterEach
    void stopProxy() throws Exception {
        proxy.close();
    }

    private S3BlockStore open(String prefix, int retries) {
        S3BlockStore.Config c = server.config(BUCKET, prefix);
        return new S3BlockStore(new S3BlockStore.Config(c.bucket(), c.prefix(), c.region(), proxy.endpoint(),
                c.accessKey(), c.secretKey(), retries), (op, cause) -> retried.add(op));
    }

    @Test
    void shouldRetryAndCountThrottledRequestsUntilTheySucceed() {
        proxy.failNext(2 * CRT_ATTEMPTS, "503 Slow Down", "SlowDown");
        try (S3BlockStore store = open("r-" + UUID.randomUUID(), 3)) { // opening lists the prefix
            assertEquals(List.of("list", "list"), retried);
            assertEquals(2 * CRT_ATTEMPTS, proxy.failed.get());
            MemorySegment data = S3BlockStoreTest.pattern(100_000);
            store.write(7, 4096, data);
            MemorySegment back = Arena.ofAuto().allocate(100_000);
            store.read(7, 4096, back);
            assertEquals(-1, back.mismatch(data));
        }
    }

    @Test
    void shouldFailWithIoAfterTheConfiguredRetries() {
        proxy.failNext(100, "500 Internal Server Error", "InternalError");
        assertThrows(FsException.class, () -> open("r-" + UUID.randomUUID(), 2));
        assertEquals(List.of("list", "list"), retried);
        assertEquals(3 * CRT_ATTEMPTS, proxy.failed.get());
    }

    @Test
    void shouldNotRetryAccessDenied() {
        proxy.failNext(1, "403 Forbidden", "AccessDenied");
        assertThrows(FsException.class, () -> open("r-" + UUID.randomUUID(), 3));
        assertTrue(retried.isEmpty(), "retried " + retried);
        assertEquals(1, proxy.failed.get());
    }
}
