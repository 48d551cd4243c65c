package io.dittofs.storage.block.s3;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A real S3-compatible server for the tests: Adobe S3Mock's executable jar (copied into
 * {@code target/s3mock} by the build), run as a separate JVM on a free loopback port, one per test
 * JVM, stopped when the JVM exits. S3Mock accepts any credentials.
 */
final class S3MockServer {
    static final String ACCESS_KEY = "test-access";
    static final String SECRET_KEY = "test-secret";
    private static S3MockServer instance;

    final URI endpoint;
    final long startMillis;
    private final Process process;
    private final Path root;
    private final Path log;

    private S3MockServer(URI endpoint, Process process, Path root, Path log, long startMillis) {
        this.endpoint = endpoint;
        this.process = process;
        this.root = root;
        this.log = log;
        this.startMillis = startMillis;
    }

    /** The shared server, started on first use. */
    static synchronized S3MockServer get() {
        if (instance == null) {
            instance = start();
            Runtime.getRuntime().addShutdownHook(new Thread(instance::stop));
        }
        return instance;
    }

    private static S3MockServer start() {
        String jar = System.getProperty("dittofs.s3mock.jar", "target/s3mock/s3mock-exec.jar");
        if (!Files.isRegularFile(Path.of(jar))) {
            throw new IllegalStateException("S3Mock jar not found at " + jar
                    + " (the storage module's build copies it in process-test-resources: run the tests through Maven)");
        }
        try {
            int port;
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
            Path root = Files.createTempDirectory("s3mock");
            Path log = root.resolveSibling(root.getFileName() + ".log");
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            long t0 = System.nanoTime();
            Process p = new ProcessBuilder(List.of(java, "-Xmx512m", "-XX:TieredStopAtLevel=1", "-jar", jar,
                    "--server.address=127.0.0.1", "--server.port=0",
                    "--com.adobe.testing.s3mock.http-port=" + port,
                    "--com.adobe.testing.s3mock.store.root=" + root,
                    "--spring.main.banner-mode=off"))
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            URI endpoint = URI.create("http://127.0.0.1:" + port);
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (true) {
                if (!p.isAlive()) {
                    throw new IllegalStateException("S3Mock exited with " + p.exitValue() + "; log: " + log);
                }
                if (System.nanoTime() > deadline) {
                    p.destroyForcibly();
                    throw new IllegalStateException("S3Mock did not answer within 90 s; log: " + log);
                }
                try {
                    HttpURLConnection c = (HttpURLConnection) endpoint.toURL().openConnection();
                    c.setConnectTimeout(500);
                    c.setReadTimeout(2000);
                    if (c.getResponseCode() == 200) {
                        c.disconnect();
                        break;
                    }
                } catch (IOException notYet) {
                    // still starting
                }
                Thread.sleep(200);
            }
            long ms = (System.nanoTime() - t0) / 1_000_000;
            System.out.println("S3Mock up on " + endpoint + " in " + ms + " ms");
            return new S3MockServer(endpoint, p, root, log, ms);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start S3Mock: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A raw client for setting up buckets and inspecting objects. */
    S3AsyncClient client() {
        return S3AsyncClient.crtBuilder()
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
                .endpointOverride(endpoint).forcePathStyle(true)
                .build();
    }

    void createBucket(String bucket) {
        try (S3AsyncClient c = client()) {
            c.createBucket(r -> r.bucket(bucket)).join();
        }
    }

    S3BlockStore.Config config(String bucket, String prefix) {
        return new S3BlockStore.Config(bucket, prefix, "us-east-1", endpoint, ACCESS_KEY, SECRET_KEY);
    }

    private void stop() {
        process.destroy();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            Files.deleteIfExists(log);
        } catch (IOException ignored) {
            // best effort
        }
    }
}
