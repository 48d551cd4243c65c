package io.dittofs.protocols.nlm;

import io.dittofs.protocols.RpcTestClient;
import io.dittofs.protocols.RpcTestClient.Cred;
import io.dittofs.protocols.RpcTestClient.RpcReply;
import io.dittofs.protocols.nlm.NlmTestServer.Lk;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.util.Arrays;

import static io.dittofs.protocols.XdrArgs.xdr;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Malformed NLM and NSM calls get GARBAGE_ARGS or PROG_MISMATCH, and the server keeps serving. */
@Timeout(30)
class NlmBadInputTest {
    private static NlmTestServer server;
    private static byte[] fh;

    @BeforeAll
    static void start() throws IOException {
        server = NlmTestServer.start();
        fh = server.file("f", 0666, 1000);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static RpcReply nlm(int proc, byte[] args) throws IOException {
        try (RpcTestClient c = server.client()) {
            return c.call(NlmTestServer.NLM, 4, proc, Cred.sys(1000, 1000), args);
        }
    }

    private static void assertGarbage(int proc, byte[] args) throws IOException {
        RpcReply r = nlm(proc, args);
        assertEquals(RpcTestClient.MSG_ACCEPTED, r.replyStat());
        assertEquals(RpcTestClient.GARBAGE_ARGS, r.stat(), r::toString);
    }

    private static byte[] lock(String caller, byte[] cookie, byte[] oh) {
        return xdr().opaque(cookie).bool(false).bool(true).string(caller).opaque(fh).opaque(oh)
            .int32(1).int64(0).int64(0).bool(false).int32(1).build();
    }

    @Test
    void shouldRejectACallerNameOverLmMaxStrLen() throws IOException {
        assertGarbage(NlmProgram.LOCK, lock("h".repeat(1025), new byte[4], new byte[4]));
        assertEquals(NlmStatus.GRANTED, NlmTestServer.stat(nlm(NlmProgram.LOCK, lock("h".repeat(1024), new byte[4], new byte[4])).body()));
    }

    @Test
    void shouldRejectACookieOrOwnerOverTheNetobjCap() throws IOException {
        assertGarbage(NlmProgram.LOCK, lock("h", new byte[1025], new byte[4]));
        assertGarbage(NlmProgram.LOCK, lock("h", new byte[4], new byte[1025]));
    }

    @Test
    void shouldRejectAHugeLengthWithoutAllocating() throws IOException {
        byte[] args = xdr().int32(Integer.MAX_VALUE).build();
        assertGarbage(NlmProgram.TEST, args);
        assertGarbage(NlmProgram.LOCK, xdr().int32(0).bool(false).bool(true).int32(-1).build());
    }

    @Test
    void shouldRejectTruncatedArgumentsOfEveryProcedure() throws IOException {
        byte[] full = lock("host", new byte[8], new byte[8]);
        for (int proc : new int[] {NlmProgram.TEST, NlmProgram.LOCK, NlmProgram.CANCEL, NlmProgram.UNLOCK,
            NlmProgram.LOCK_MSG, NlmProgram.SHARE, NlmProgram.UNSHARE, NlmProgram.NM_LOCK, NlmProgram.FREE_ALL}) {
            assertGarbage(proc, Arrays.copyOf(full, 10));
        }
    }

    @Test
    void shouldRejectBadBooleansAndShareModes() throws IOException {
        byte[] badBool = xdr().opaque(new byte[4]).int32(7).bool(true).raw(new Lk("h", fh, "o", 1, 0, 0)
            .put(xdr()).build()).bool(false).int32(1).build();
        assertGarbage(NlmProgram.LOCK, badBool);
        assertGarbage(NlmProgram.SHARE, NlmTestServer.shareArgs(new byte[4], "h", fh, "o", 7, 1, false));
    }

    @Test
    void shouldRejectAnOversizedFileHandle() throws IOException {
        byte[] args = xdr().opaque(new byte[4]).bool(true).string("h").opaque(new byte[65]).opaque(new byte[4])
            .int32(1).int64(0).int64(0).build();
        assertGarbage(NlmProgram.TEST, args);
    }

    @Test
    void shouldAnswerProgMismatchForNlmVersionsOneToThree() throws IOException {
        try (RpcTestClient c = server.client()) {
            RpcReply r = c.call(NlmTestServer.NLM, 3, 0, Cred.none(), new byte[0]);
            assertEquals(RpcTestClient.PROG_MISMATCH, r.stat());
            assertEquals(4, r.body().getInt());
            assertEquals(4, r.body().getInt());
            assertEquals(RpcTestClient.PROC_UNAVAIL, c.call(NlmTestServer.NLM, 4, 17, Cred.none(), new byte[0]).stat());
        }
    }

    @Test
    void shouldRejectGarbageNsmCallsAndKeepServing() throws IOException {
        try (RpcTestClient c = server.client()) {
            assertEquals(RpcTestClient.GARBAGE_ARGS, c.call(NlmTestServer.NSM, 1, 6, Cred.none(),
                xdr().int32(5000).build()).stat());
            assertEquals(RpcTestClient.GARBAGE_ARGS, c.call(NlmTestServer.NSM, 1, 2, Cred.none(),
                xdr().string("m").string("me").int32(1).build()).stat());
            RpcReply s = c.call(NlmTestServer.NSM, 1, 1, Cred.none(), xdr().string("x").build());
            assertTrue(s.isSuccess());
            assertEquals(NsmProgram.STAT_SUCC, s.body().getInt());
            assertEquals(1, s.body().getInt() & 1, "odd state: up");
        }
    }
}
