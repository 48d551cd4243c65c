package io.dittofs.e2e;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code dfs start} with {@code telemetry.profiling} on, in {@code both} mode: the packaged server
 * pushes folded CPU stacks of its own code to an in-process Pyroscope-style receiver while it
 * serves a libnfs workload, and keeps JFR files under {@code <data dir>/profiles}.
 */
class ProfilingIT {
    @TempDir
    Path tmp;

    @Test
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void shouldPushProfilesOfTheServerAndKeepJfrFilesWhenEnabled() throws Exception {
        E2eEnvironment.requireAptPackage("libnfs-utils", "nfs-cp and nfs-cat as the workload");
        List<String> pushes = new CopyOnWriteArrayList<>();
        HttpServer receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        receiver.createContext("/ingest", x -> {
            pushes.add(x.getRequestURI().getQuery() + "\n" + new String(x.getRequestBody().readAllBytes(),
                    StandardCharsets.UTF_8));
            x.sendResponseHeaders(200, -1);
            x.close();
        });
        receiver.start();
        try (ServerProcess server = ServerProcess.start("ProfilingIT", Map.of(
                "DITTOFS_TELEMETRY_PROFILING_ENABLED", "true", "DITTOFS_TELEMETRY_PROFILING_MODE", "both",
                "DITTOFS_TELEMETRY_PROFILING_ENDPOINT", "http://127.0.0.1:" + receiver.getAddress().getPort(),
                "DITTOFS_TELEMETRY_PROFILING_INTERVAL", "1s", "DITTOFS_TELEMETRY_PROFILING_LOCAL_ROTATE", "2s"))) {
            String url = "nfs://127.0.0.1/export/%s?nfsport=" + server.port() + "&mountport=" + server.port();
            Path f = Files.write(tmp.resolve("data.bin"), new byte[4 << 20]);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            int i = 0;
            while (pushes.stream().noneMatch(p -> p.startsWith("name=dittofs.cpu") && p.contains(";io.dittofs."))) {
                if (System.nanoTime() > deadline) {
                    server.dumpLog("no CPU profile of the server's code pushed", 80);
                    throw new AssertionError("pushed: " + pushes.stream().map(p -> p.lines().findFirst().orElse(""))
                            .toList());
                }
                exec("nfs-cp", f.toString(), url.formatted("f" + (i++ % 4) + ".bin"));
                exec("nfs-cat", url.formatted("f0.bin"));
            }
            Path profiles = server.dataDir().resolve("profiles");
            try (Stream<Path> s = Files.list(profiles)) {
                assertTrue(s.anyMatch(p -> p.getFileName().toString().matches("profile-.*\\.jfr")),
                        "no JFR file in " + profiles);
            }
        } finally {
            receiver.stop(0);
        }
    }

    private void exec(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", cmd) + " did not finish");
        }
    }
}
