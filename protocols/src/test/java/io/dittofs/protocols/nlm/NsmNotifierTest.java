package io.dittofs.protocols.nlm;

import io.dittofs.core.buffer.BufferPool;
import io.dittofs.core.lock.GracePeriod;
import io.dittofs.core.lock.LockManager;
import io.dittofs.protocols.RpcTestClient;
import io.dittofs.protocols.nlm.NlmTestServer.Lk;
import io.dittofs.protocols.portmap.PortmapProgram;
import io.dittofs.protocols.rpc.DuplicateRequestCache;
import io.dittofs.protocols.rpc.RpcCall;
import io.dittofs.protocols.rpc.RpcDispatcher;
import io.dittofs.protocols.rpc.RpcProgram;
import io.dittofs.protocols.rpc.RpcServer;
import io.dittofs.protocols.xdr.XdrDecoder;
import io.dittofs.protocols.xdr.XdrEncoder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.dittofs.protocols.nlm.NlmTestServer.call;
import static io.dittofs.protocols.nlm.NlmTestServer.lockArgs;
import static io.dittofs.protocols.nlm.NlmTestServer.stat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * SM_NOTIFY after a restart, to a small status monitor of the test's own (a portmapper and an NSM
 * program on one loopback port, like a client's rpcbind + rpc.statd), over real sockets.
 */
@Timeout(60)
class NsmNotifierTest {
    private final BufferPool pool = new BufferPool();
    private RpcServer statd;

    @TempDir
    Path dir;

    @AfterEach
    void stop() {
        if (statd != null) {
            statd.close();
        }
        pool.close();
    }

    /** SM_NOTIFY as received: {@code struct stat_chge { string mon_name<SM_MAXSTRLEN>; int state; }}. */
    private record Notice(String monName, int state) {
    }

    /** A client's portmapper (counting GETPORT calls) and, when {@code notices} is given, its statd. */
    private RpcServer statd(LinkedBlockingQueue<Notice> notices, AtomicInteger getports) throws IOException {
        RpcDispatcher d = new RpcDispatcher(pool, new DuplicateRequestCache(16, 60));
        PortmapProgram pm = new PortmapProgram();
        d.register(new Counting(pm, getports));
        if (notices != null) {
            d.register(new TestStatd(notices));
        }
        RpcServer s = RpcServer.start("test-statd", new InetSocketAddress("127.0.0.1", 0), d, RpcServer.Options.defaults());
        if (notices != null) {
            pm.register(new PortmapProgram.Mapping(NsmProgram.PROGRAM, 1, PortmapProgram.IPPROTO_TCP, s.port()));
        }
        return s;
    }

    /** Locks as hostA from loopback, then drops the server as a crash would (no unlock). */
    private void lockAndCrash(String host) throws IOException {
        try (NlmTestServer s = new NlmTestServer(new LockManager(), GracePeriod.none(), 1, NsmRegistry.open(dir));
             RpcTestClient c = s.client()) {
            Lk l = new Lk(host, s.file("f", 0666, 1000), "oh", 1, 0, 10);
            assertEquals(NlmStatus.GRANTED, stat(call(c, NlmProgram.LOCK, 1000, lockArgs(new byte[4], false, true, l, false))));
        }
    }

    @Test
    void shouldSendSmNotifyWithOurAddressAndTheNewStateToTheHostsStatd() throws Exception {
        lockAndCrash("hostA");
        LinkedBlockingQueue<Notice> notices = new LinkedBlockingQueue<>();
        statd = statd(notices, new AtomicInteger());
        NsmRegistry nsm = NsmRegistry.open(dir);
        try (NlmTestServer s = new NlmTestServer(new LockManager(), GracePeriod.none(), statd.port(), nsm)) {
            Thread t = s.nlm.notifyRestart(3, Duration.ofMillis(50));
            assertNotNull(t);
            Notice n = notices.poll(20, TimeUnit.SECONDS);
            assertEquals(new Notice("127.0.0.1", nsm.state()), n);
            t.join(20_000);
            assertFalse(t.isAlive());
            assertNull(s.nlm.notifyRestart(3, Duration.ofMillis(50)), "told once per process");
            assertEquals(0, nsm.recorded(), "a told host that holds nothing is forgotten");
        }
        assertEquals(List.of(), NsmRegistry.open(dir).previous());
        assertNull(notices.poll(), "exactly one notice");
    }

    @Test
    void shouldGiveUpAfterTheBoundedNumberOfAttemptsAndKeepTheRecord() throws Exception {
        lockAndCrash("hostA");
        AtomicInteger getports = new AtomicInteger();
        statd = statd(null, getports); // rpcbind answers, but no statd is registered
        NsmRegistry nsm = NsmRegistry.open(dir);
        try (NlmTestServer s = new NlmTestServer(new LockManager(), GracePeriod.none(), statd.port(), nsm)) {
            Thread t = s.nlm.notifyRestart(3, Duration.ofMillis(20));
            t.join(20_000);
            assertFalse(t.isAlive(), "the notifier ends");
        }
        assertEquals(3, getports.get(), "three attempts, then it gives up");
        assertEquals(List.of("hostA"), NsmRegistry.open(dir).previous().stream().map(NsmRegistry.Host::name).toList(),
            "an untold host is tried again at the next start");
    }

    /** The NSM side of the test statd: records each SM_NOTIFY. */
    private record TestStatd(LinkedBlockingQueue<Notice> notices) implements RpcProgram {
        public int program() {
            return NsmProgram.PROGRAM;
        }

        public int lowVersion() {
            return 1;
        }

        public int highVersion() {
            return 1;
        }

        public boolean hasProcedure(int version, int proc) {
            return proc == 0 || proc == NsmNotifier.NOTIFY;
        }

        public boolean nonIdempotent(int version, int proc) {
            return false;
        }

        public void call(RpcCall call, XdrDecoder args, XdrEncoder reply) {
            if (call.proc() == NsmNotifier.NOTIFY) {
                notices.add(new Notice(args.readString(1024), args.readInt()));
            }
        }

        public String name() {
            return "test-statd";
        }
    }

    /** The portmapper, counting its calls. */
    private record Counting(PortmapProgram pm, AtomicInteger calls) implements RpcProgram {
        public int program() {
            return pm.program();
        }

        public int lowVersion() {
            return pm.lowVersion();
        }

        public int highVersion() {
            return pm.highVersion();
        }

        public boolean hasProcedure(int version, int proc) {
            return pm.hasProcedure(version, proc);
        }

        public boolean nonIdempotent(int version, int proc) {
            return pm.nonIdempotent(version, proc);
        }

        public void call(RpcCall call, XdrDecoder args, XdrEncoder reply) {
            calls.incrementAndGet();
            pm.call(call, args, reply);
        }

        public String name() {
            return "counting-portmap";
        }
    }
}
