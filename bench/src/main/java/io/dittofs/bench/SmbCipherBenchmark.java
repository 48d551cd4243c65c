package io.dittofs.bench;

import io.dittofs.protocols.smb.crypto.SmbCipher;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;

/**
 * SMB 3.x message encryption in place on a direct buffer, per cipher: {@code seal} (a response going
 * out) and {@code sealOpen} (the same message sealed by the client side and opened, as a request
 * coming in). Divide the message size by the time per operation for MB/s.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class SmbCipherBenchmark {
    /** 1 = AES-128-CCM, 2 = AES-128-GCM, 3 = AES-256-CCM, 4 = AES-256-GCM. */
    @Param({"1", "2", "3", "4"})
    int cipher;

    @Param({"65536", "1048576"})
    int size;

    private SmbCipher server;
    private SmbCipher client;
    private ByteBuffer buf;

    @Setup
    public void setup() {
        SecureRandom r = new SecureRandom();
        byte[] s2c = new byte[SmbCipher.keyLength(cipher)];
        byte[] c2s = new byte[SmbCipher.keyLength(cipher)];
        r.nextBytes(s2c);
        r.nextBytes(c2s);
        server = new SmbCipher(cipher, s2c, c2s, r);
        client = new SmbCipher(cipher, c2s, s2c, r);
        buf = ByteBuffer.allocateDirect(SmbCipher.sealedCapacity(size));
    }

    @Benchmark
    public int seal() {
        return server.seal(buf, size, 1);
    }

    @Benchmark
    public boolean sealOpen() {
        int n = client.seal(buf, size, 1);
        if (!server.open(buf, n)) {
            throw new IllegalStateException("did not authenticate");
        }
        return true;
    }
}
