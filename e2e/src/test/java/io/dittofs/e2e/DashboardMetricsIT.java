package io.dittofs.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every metric the Grafana dashboards in {@code docker/grafana/dashboards} query is exported by
 * the packaged server: it runs with metrics on, serves a small libnfs workload, and its
 * {@code /metrics} must hold a sample of each metric name found in the dashboards' PromQL.
 */
class DashboardMetricsIT {
    /** PromQL words that are not metric names. */
    private static final Set<String> KEYWORDS = Set.of("by", "without", "on", "ignoring", "group_left", "group_right",
            "bool", "and", "or", "unless", "offset", "inf", "nan");
    private static final Pattern IDENT = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");

    @TempDir
    Path tmp;

    @Test
    void shouldFindMetricNamesInPromQl() {
        assertEquals(Set.of("dittofs_rpc_call_duration_seconds_bucket"), metricNames(
                "histogram_quantile(0.99, sum by (le, procedure) (rate(dittofs_rpc_call_duration_seconds_bucket"
                        + "{instance=~\"$instance\",program=\"NFS3\"}[$__rate_interval])))"));
        assertEquals(Set.of("a_total", "b"), metricNames("sum(rate(a_total{x!~\"y|z\"}[5m])) / on (i) group_left b"));
        assertEquals(Set.of("up"), metricNames("label_values(up, instance)"));
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void shouldExportEveryMetricTheDashboardsQuery() throws Exception {
        E2eEnvironment.requireAptPackage("libnfs-utils", "nfs-cp and nfs-cat as the workload");
        Set<String> wanted = new TreeSet<>();
        Path dir = E2eEnvironment.home().resolve("docker/grafana/dashboards");
        List<Path> dashboards;
        try (Stream<Path> s = Files.list(dir)) {
            dashboards = s.filter(p -> p.toString().endsWith(".json")).toList();
        }
        assertTrue(!dashboards.isEmpty(), "no dashboards in " + dir);
        for (Path d : dashboards) {
            for (String q : queries(new ObjectMapper().readTree(d.toFile()))) {
                wanted.addAll(metricNames(q));
            }
        }
        assertTrue(wanted.size() > 10, "too few metric names found: " + wanted);

        int metricsPort = freePort();
        // the default share behind the WAL cache (as S3 shares always are), so the cache panels'
        // metrics exist: local files alone are written in place without one
        try (ServerProcess server = ServerProcess.start("DashboardMetricsIT",
                Map.of("DITTOFS_METRICS_ENABLED", "true", "DITTOFS_METRICS_PORT", Integer.toString(metricsPort),
                        "DITTOFS_CACHE_PATH", tmp.resolve("wal").toString()))) {
            String url = "nfs://127.0.0.1/export/%s?nfsport=" + server.port() + "&mountport=" + server.port();
            Path f = Files.write(tmp.resolve("data.bin"), new byte[256 * 1024]);
            exec("nfs-cp", f.toString(), url.formatted("data.bin"));
            exec("nfs-cat", url.formatted("data.bin"));
            exec("nfs-cat", url.formatted("missing.bin")); // an error status (NOENT) as well
            Set<String> exported = new TreeSet<>();
            String text = scrape(metricsPort);
            for (String line : text.lines().toList()) {
                Matcher m = IDENT.matcher(line);
                if (!line.startsWith("#") && m.lookingAt()) {
                    exported.add(m.group());
                }
            }
            Set<String> missing = new TreeSet<>(wanted);
            missing.removeAll(exported);
            assertTrue(missing.isEmpty(), "the dashboards query metrics the server does not export: " + missing
                    + "\nexported: " + exported);
        }
    }

    /** Every PromQL expression of the dashboard: panel targets (also in rows) and query variables. */
    static List<String> queries(JsonNode dashboard) {
        List<String> out = new ArrayList<>();
        for (JsonNode p : dashboard.path("panels")) {
            addTargets(p, out);
            for (JsonNode inner : p.path("panels")) {
                addTargets(inner, out);
            }
        }
        for (JsonNode v : dashboard.path("templating").path("list")) {
            if (v.path("type").asText().equals("query")) {
                JsonNode q = v.path("query");
                out.add(q.isObject() ? q.path("query").asText() : q.asText());
            }
        }
        return out;
    }

    private static void addTargets(JsonNode panel, List<String> out) {
        for (JsonNode t : panel.path("targets")) {
            if (t.hasNonNull("expr")) {
                out.add(t.get("expr").asText());
            }
        }
    }

    /**
     * The metric names in {@code promql}: label matchers, ranges, strings and grouping clauses
     * removed, then every identifier that is not a function call or a keyword.
     */
    static Set<String> metricNames(String promql) {
        String s = promql.replaceAll("\"(\\\\.|[^\"\\\\])*\"", "\"\"")
                .replaceAll("\\{[^}]*}", " ")
                .replaceAll("\\[[^]]*]", " ")
                .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ")
                // Grafana's label_values(metric, label): the second argument is a label name
                .replaceAll("label_values\\(([^,)]*),[^)]*\\)", " $1 ");
        Set<String> names = new TreeSet<>();
        Matcher m = IDENT.matcher(s);
        while (m.find()) {
            String id = m.group();
            int after = m.end();
            while (after < s.length() && s.charAt(after) == ' ') {
                after++;
            }
            boolean call = after < s.length() && s.charAt(after) == '(';
            boolean number = m.start() > 0 && Character.isDigit(s.charAt(m.start() - 1));
            if (!call && !number && !KEYWORDS.contains(id.toLowerCase())) {
                names.add(id);
            }
        }
        return names;
    }

    private static String scrape(int port) throws IOException, InterruptedException {
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode());
            return r.body();
        }
    }

    private void exec(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(tmp.resolve("cmd.out").toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", cmd) + " did not finish");
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }
}
