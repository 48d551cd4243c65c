package io.dittofs.controlplane.metrics;

import io.dittofs.protocols.smb.LogonLimiter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetAddress;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The failed-logon counters of the SMB adapter's limiter, as Prometheus scrapes them. */
@Timeout(60)
class SmbLogonMetricsTest {

    @Test
    void shouldExportFailedLogonsByReason() throws Exception {
        LogonLimiter limiter = new LogonLimiter(2, 60_000);
        InetAddress a = InetAddress.getByName("127.0.0.1");
        limiter.failed(a, "alice", "bad_password");
        limiter.failed(a, "alice", "bad_password");
        limiter.failed(a, null, "rate_limited");
        try (MetricsServer metrics = MetricsServer.start("127.0.0.1", 0)) {
            metrics.registerSmbLogons(limiter::failures);
            Scrape s = Scrape.of(metrics.port());
            assertEquals(2, s.value("dittofs_smb_logon_failures_total", "reason", "bad_password"), s.lines("logon"));
            assertEquals(1, s.value("dittofs_smb_logon_failures_total", "reason", "rate_limited"), s.lines("logon"));
            assertEquals(0, s.value("dittofs_smb_logon_failures_total", "reason", "disabled"), s.lines("logon"));
        }
    }
}
