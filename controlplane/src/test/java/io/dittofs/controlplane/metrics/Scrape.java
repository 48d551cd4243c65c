package io.dittofs.controlplane.metrics;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Reads a Prometheus text exposition and picks sample values out of it, for tests. */
public record Scrape(String text) {
    /** GETs {@code http://127.0.0.1:port/metrics}. */
    public static Scrape of(int port) throws IOException, InterruptedException {
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IOException("/metrics answered " + r.statusCode());
            }
            return new Scrape(r.body());
        }
    }

    /**
     * The sum of the samples of {@code name} whose labels include every {@code label, value} pair
     * given; NaN when there is none.
     */
    public double value(String name, String... labels) {
        double sum = 0;
        boolean found = false;
        for (String line : text.lines().toList()) {
            if (line.startsWith("#")) {
                continue;
            }
            int sp = line.lastIndexOf(' ');
            String series = line.substring(0, sp);
            String metric = series.contains("{") ? series.substring(0, series.indexOf('{')) : series;
            if (!metric.equals(name)) {
                continue;
            }
            boolean all = true;
            for (int i = 0; i < labels.length; i += 2) {
                all &= series.contains(labels[i] + "=\"" + labels[i + 1] + "\"");
            }
            if (all) {
                sum += Double.parseDouble(line.substring(sp + 1));
                found = true;
            }
        }
        return found ? sum : Double.NaN;
    }

    /** The lines of {@code name} (samples and comments), for failure messages and the docs. */
    public String lines(String name) {
        return String.join("\n", text.lines().filter(l -> l.contains(name)).toList());
    }
}
