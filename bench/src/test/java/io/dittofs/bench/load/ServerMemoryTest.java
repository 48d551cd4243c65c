package io.dittofs.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerMemoryTest {

    @Test
    void shouldReadRssFieldsFromProcStatus() {
        String status = """
                Name:\tjava
                VmPeak:\t 9000000 kB
                VmHWM:\t  1189000 kB
                VmRSS:\t   412000 kB
                RssAnon:\t  100000 kB
                RssFile:\t  311000 kB
                RssShmem:\t    1000 kB
                Threads:\t40
                """;
        assertEquals(new ServerMemory.Status(412_000, 100_000, 311_000, 1_000, 1_189_000), ServerMemory.parse(status));
    }

    @Test
    void shouldSampleAPeakOfALiveProcessAndNothingWithoutAPid() throws Exception {
        int self = (int) ProcessHandle.current().pid();
        ServerMemory.Sampler s = new ServerMemory.Sampler(self);
        Thread.sleep(120);
        s.close();
        ServerMemory.Status peak = s.peak();
        assertTrue(peak.rssKiB() > 0 && peak.hwmKiB() >= peak.rssKiB(), peak.toString());
        assertEquals(ServerMemory.Status.NONE, ServerMemory.read(0));
        try (ServerMemory.Sampler none = new ServerMemory.Sampler(0)) {
            assertEquals(ServerMemory.Status.NONE, none.peak());
        }
    }

    @Test
    void shouldPrintRssColumnsAndTheLargestPeakWhenTheJsonHasThem(@TempDir Path dir) throws Exception {
        Path a = dir.resolve("a.json");
        Path b = dir.resolve("b.json");
        Files.writeString(a, json("dittofs", 2048, 1024, 1536, 4096));
        Files.writeString(b, json("ganesha", 1024, 0, 1024, 2048));
        String table = Compare.table(List.of(Compare.load(a), Compare.load(b)));
        assertTrue(table.contains("RSS MiB peak/after dittofs"), table);
        assertTrue(table.contains("| 2 / 2 | 1 / 1 |"), table);
        assertTrue(table.contains("dittofs 2 MiB (file 1), HWM 4 MiB; ganesha 1 MiB (file 0), HWM 2 MiB"), table);
    }

    private static String json(String label, long peak, long file, long after, long hwm) {
        return """
                {"label": "%s", "results": [{"workload": "seqwrite", "metric": "MB/s", "value": 100.0,
                  "p99_us": 5.0, "server_cpu_us_per_op": 7.0,
                  "server_rss_kib": {"peak": %d, "peak_file": %d, "after": %d, "hwm": %d}}]}
                """.formatted(label, peak, file, after, hwm);
    }
}
