package io.dittofs.protocols.rpc;

import io.dittofs.protocols.RpcTestClient;
import io.dittofs.protocols.RpcTestClient.Cred;
import io.dittofs.protocols.TestNfsServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static io.dittofs.protocols.RpcTestClient.MOUNT;
import static io.dittofs.protocols.RpcTestClient.NFS;
import static io.dittofs.protocols.XdrArgs.xdr;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The server reports calls and connections to its {@link RpcObserver}. */
class RpcObserverTest {
    private static final int GETATTR = 1;
    private static final int REMOVE = 12;
    private static final int MNT = 1;

    /** Keeps every event. */
    static final class Recording implements RpcObserver {
        final List<Call> calls = new CopyOnWriteArrayList<>();
        final AtomicInteger opened = new AtomicInteger();
        final AtomicInteger closed = new AtomicInteger();
        final AtomicInteger inFlight = new AtomicInteger();
        final AtomicInteger started = new AtomicInteger();

        @Override
        public void connectionOpened(String server, InetSocketAddress peer) {
            opened.incrementAndGet();
        }

        @Override
        public void connectionClosed(String server, InetSocketAddress peer) {
            closed.incrementAndGet();
        }

        @Override
        public void callStarted() {
            started.incrementAndGet();
            inFlight.incrementAndGet();
        }

        @Override
        public void callFinished() {
            inFlight.decrementAndGet();
        }

        @Override
        public void callCompleted(Call call) {
            calls.add(call);
        }

        Call last() {
            return calls.getLast();
        }
    }

    private static void assertCall(RpcObserver.Call c, String program, String proc, RpcObserver.Outcome outcome,
                                   String status) {
        assertEquals(program, c.program(), "program");
        assertEquals(proc, c.procedure(), "procedure");
        assertEquals(outcome, c.outcome(), "outcome");
        assertEquals(status, c.status(), "status");
        assertTrue(c.durationNanos() >= 0, "duration");
    }

    @Test
    @Timeout(20)
    void shouldReportEachCallWithProgramProcedureOutcomeAndStatus() throws Exception {
        Recording rec = new Recording();
        try (TestNfsServer server = TestNfsServer.start(RpcServer.Options.defaults(), rec)) {
            try (RpcTestClient c = server.client()) {
                c.nullCall(NFS, 3);
                assertCall(rec.last(), "NFS3", "NULL", RpcObserver.Outcome.SUCCESS, null);
                c.call(NFS, 3, GETATTR, Cred.root(), xdr().opaque(server.rootHandle()).build());
                assertCall(rec.last(), "NFS3", "GETATTR", RpcObserver.Outcome.SUCCESS, "NFS3_OK");
                c.call(NFS, 3, GETATTR, Cred.root(), xdr().opaque(new byte[] {1, 2, 3, 4}).build());
                assertCall(rec.last(), "NFS3", "GETATTR", RpcObserver.Outcome.SUCCESS, "NFS3ERR_BADHANDLE");
                c.call(NFS, 3, GETATTR, Cred.root(), new byte[0]);
                assertCall(rec.last(), "NFS3", "GETATTR", RpcObserver.Outcome.GARBAGE_ARGS, null);
                c.call(NFS, 3, 99, Cred.root(), new byte[0]);
                assertCall(rec.last(), "NFS3", "unknown", RpcObserver.Outcome.PROC_UNAVAIL, null);
                c.nullCall(200_000, 1);
                assertCall(rec.last(), "unknown", "unknown", RpcObserver.Outcome.PROG_UNAVAIL, null);
                c.call(NFS, 3, 0, new Cred(6, new byte[8]), new byte[0]);
                assertCall(rec.last(), "NFS3", "unknown", RpcObserver.Outcome.AUTH_ERROR, null);
                c.call(MOUNT, 3, MNT, Cred.root(), xdr().string(TestNfsServer.EXPORT).build());
                assertCall(rec.last(), "MOUNT3", "MNT", RpcObserver.Outcome.SUCCESS, "MNT3_OK");
                byte[] remove = xdr().opaque(server.rootHandle()).string("missing").build();
                int xid = RpcTestClient.nextXid();
                c.callWithXid(xid, NFS, 3, REMOVE, Cred.root(), remove);
                assertCall(rec.last(), "NFS3", "REMOVE", RpcObserver.Outcome.SUCCESS, "NFS3ERR_NOENT");
                c.callWithXid(xid, NFS, 3, REMOVE, Cred.root(), remove);
                assertCall(rec.last(), "NFS3", "REMOVE", RpcObserver.Outcome.DRC_REPLAY, null);
                assertEquals(1, rec.opened.get(), "connections opened");
            }
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (rec.closed.get() < 1 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(1, rec.closed.get(), "connections closed");
            assertEquals(0, rec.inFlight.get(), "calls in flight");
            assertEquals(rec.calls.size(), rec.started.get(), "every started call completed");
        }
    }
}
