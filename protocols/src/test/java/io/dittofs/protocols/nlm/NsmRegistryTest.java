package io.dittofs.protocols.nlm;

import io.dittofs.core.lock.GracePeriod;
import io.dittofs.core.lock.LockManager;
import io.dittofs.protocols.RpcTestClient;
import io.dittofs.protocols.nlm.NlmTestServer.Lk;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static io.dittofs.protocols.XdrArgs.xdr;
import static io.dittofs.protocols.nlm.NlmTestServer.call;
import static io.dittofs.protocols.nlm.NlmTestServer.lockArgs;
import static io.dittofs.protocols.nlm.NlmTestServer.stat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The on-disk record of the hosts holding NLM locks and the NSM state number, through real NLM calls. */
@Timeout(30)
class NsmRegistryTest {
    private static final byte[] COOKIE = {9, 8, 7};

    @TempDir
    Path dir;

    private static Lk lk(String host, byte[] fh, int svid, long off, long len) {
        return new Lk(host, fh, "oh-" + host + "-" + svid, svid, off, len);
    }

    private static NlmTestServer server(NsmRegistry nsm) throws IOException {
        return new NlmTestServer(new LockManager(), GracePeriod.none(), 1, nsm);
    }

    private static int lock(RpcTestClient c, Lk l) throws IOException {
        return stat(call(c, NlmProgram.LOCK, 1000, lockArgs(COOKIE, false, true, l, false)));
    }

    private static int unlock(RpcTestClient c, Lk l) throws IOException {
        return stat(call(c, NlmProgram.UNLOCK, 1000, NlmTestServer.unlockArgs(COOKIE, l)));
    }

    private List<String> previousNames() throws IOException {
        return NsmRegistry.open(dir).previous().stream().map(NsmRegistry.Host::name).sorted().toList();
    }

    @Test
    void shouldRecordALockingHostDurablyAndBumpTheStateAtEachStart() throws Exception {
        NsmRegistry first = NsmRegistry.open(dir);
        assertEquals(1, first.state() & 1, "odd while up");
        try (NlmTestServer s = server(first); RpcTestClient c = s.client()) {
            assertEquals(NlmStatus.GRANTED, lock(c, lk("hostA", s.file("f", 0666, 1000), 1, 0, 10)));
        } // the server goes away without unlocking: a crash as far as the record is concerned
        NsmRegistry second = NsmRegistry.open(dir);
        assertEquals(first.state() + 2, second.state());
        assertEquals(1, second.previous().size());
        NsmRegistry.Host h = second.previous().get(0);
        assertEquals("hostA", h.name());
        assertEquals(InetAddress.getByName("127.0.0.1"), h.client());
        assertEquals(InetAddress.getByName("127.0.0.1"), h.local(), "the address the host called");
        assertEquals("127.0.0.1", NsmNotifier.monName(h));
    }

    @Test
    void shouldRemoveTheRecordWhenTheHostUnlocksItsLastLock() throws Exception {
        try (NlmTestServer s = server(NsmRegistry.open(dir)); RpcTestClient c = s.client()) {
            byte[] fh = s.file("f", 0666, 1000);
            Lk a = lk("hostA", fh, 1, 0, 10);
            Lk b = lk("hostA", fh, 2, 100, 10);
            assertEquals(NlmStatus.GRANTED, lock(c, a));
            assertEquals(NlmStatus.GRANTED, lock(c, b));
            assertEquals(NlmStatus.GRANTED, lock(c, lk("hostB", fh, 3, 200, 10)));
            assertEquals(NlmStatus.GRANTED, unlock(c, a));
            assertEquals(List.of("hostA", "hostB"), previousNamesWhileRunning(), "hostA still holds a lock");
            assertEquals(NlmStatus.GRANTED, unlock(c, b));
            assertEquals(List.of("hostB"), previousNamesWhileRunning());
            assertEquals(NlmStatus.DENIED, lock(c, lk("hostC", fh, 4, 200, 1)), "a refused lock leaves no record");
            assertEquals(List.of("hostB"), previousNamesWhileRunning());
        }
    }

    @Test
    void shouldRemoveTheRecordOnFreeAll() throws Exception {
        try (NlmTestServer s = server(NsmRegistry.open(dir)); RpcTestClient c = s.client()) {
            assertEquals(NlmStatus.GRANTED, lock(c, lk("hostA", s.file("f", 0666, 1000), 1, 0, 10)));
            assertEquals(List.of("hostA"), previousNamesWhileRunning());
            assertTrue(c.call(NlmTestServer.NLM, 4, NlmProgram.FREE_ALL, RpcTestClient.Cred.sys(0, 0),
                xdr().string("hostA").int32(3).build()).isSuccess());
            assertEquals(List.of(), previousNamesWhileRunning());
        }
    }

    /** What a restart right now would read; the files are left as they are. */
    private List<String> previousNamesWhileRunning() throws IOException {
        try (var files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().startsWith("h-")).map(NsmRegistry::parse)
                .map(NsmRegistry.Host::name).sorted().toList();
        }
    }

    @Test
    void shouldIgnoreAGarbageOrTruncatedHostRecordWithALogLine() throws Exception {
        try (NlmTestServer s = server(NsmRegistry.open(dir)); RpcTestClient c = s.client()) {
            byte[] fh = s.file("f", 0666, 1000);
            assertEquals(NlmStatus.GRANTED, lock(c, lk("hostA", fh, 1, 0, 10)));
            assertEquals(NlmStatus.GRANTED, lock(c, lk("hostB", fh, 2, 100, 10)));
        }
        Path a = dir.resolve(NsmRegistry.fileName("hostA"));
        Path b = dir.resolve(NsmRegistry.fileName("hostB"));
        byte[] good = Files.readAllBytes(b);
        Files.write(b, Arrays.copyOf(good, good.length - 5)); // truncated
        Files.write(dir.resolve(NsmRegistry.fileName("hostC")), "garbage, not a record".getBytes());
        Files.write(dir.resolve("h-short"), new byte[3]);
        var seen = LogCapture.of(NsmRegistry.class);
        try {
            assertEquals(List.of("hostA"), previousNames());
        } finally {
            seen.close();
        }
        assertEquals(3, seen.messages().stream().filter(m -> m.startsWith("NSM: ignoring host record")).count(),
            seen.messages().toString());
        assertTrue(Files.exists(a));
        assertFalse(Files.exists(b), "a damaged record is removed");
    }
}
