package io.dittofs.controlplane.profiling;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Uploads one folded profile to a Pyroscope-compatible server: {@code POST <endpoint>/ingest?
 * name=<app>.<type>&from=<s>&until=<s>&format=folded&sampleRate=<hz>&spyName=javaspy&units=..&
 * aggregationType=sum} with the folded lines as a {@code text/plain} body (Pyroscope's HTTP
 * ingestion API). A failed upload is logged (once per failure streak) and dropped: profiles are
 * best effort and never hold the server back. Thread-safe (the JDK HTTP client is).
 */
final class PyroscopePush implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PyroscopePush.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final URI ingest;
    private final HttpClient http;
    private volatile boolean failing;

    PyroscopePush(String endpoint) {
        String base = endpoint.endsWith("/") ? endpoint.substring(0, endpoint.length() - 1) : endpoint;
        this.ingest = URI.create(base + "/ingest");
        this.http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    }

    /** What one profile is: its name suffix, units and sample rate (0: not a sampled profile). */
    record Kind(String suffix, String units, int sampleRate) {
    }

    /**
     * Sends {@code folded} (not empty) covering {@code [fromSec, untilSec]}.
     *
     * @return true if the server accepted it (2xx)
     */
    boolean send(String app, Kind kind, long fromSec, long untilSec, String folded) {
        String q = "name=" + enc(app + "." + kind.suffix()) + "&from=" + fromSec + "&until=" + untilSec
                + "&format=folded&spyName=javaspy&units=" + kind.units() + "&aggregationType=sum"
                + (kind.sampleRate() > 0 ? "&sampleRate=" + kind.sampleRate() : "");
        HttpRequest req = HttpRequest.newBuilder(URI.create(ingest + "?" + q)).timeout(TIMEOUT)
                .header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString(folded, StandardCharsets.UTF_8)).build();
        try {
            HttpResponse<Void> r = http.send(req, HttpResponse.BodyHandlers.discarding());
            if (r.statusCode() / 100 == 2) {
                if (failing) {
                    LOG.info("profiles are being accepted again by {}", ingest);
                    failing = false;
                }
                return true;
            }
            fail("answered HTTP " + r.statusCode());
        } catch (IOException e) {
            fail(e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return false;
    }

    private void fail(String why) {
        if (!failing) {
            LOG.warn("cannot push profiles to {}: {} (dropping them until it answers)", ingest, why);
            failing = true;
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        http.close();
    }
}
