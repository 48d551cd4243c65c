package io.dittofs.e2e;

import java.io.IOException;
import org.junit.jupiter.api.BeforeAll;

/**
 * {@link PowerLossIT} with the default share's local files behind the mmap WAL
 * ({@code cache.path} set on first start), the layout S3 shares always use: acknowledged data
 * lives in WAL segments (msync'ed) before the flusher writes it below, and segments are
 * recycled only once what they describe is synced there. Fails when {@code Wal.force} is a
 * no-op.
 */
class PowerLossWalIT extends PowerLossIT {
    @BeforeAll
    @Override
    void startOnTheRig() throws IOException {
        startOnTheRig("PowerLossWalIT", true);
    }
}
