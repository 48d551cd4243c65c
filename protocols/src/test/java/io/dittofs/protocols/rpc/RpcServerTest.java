package io.dittofs.protocols.rpc;

import io.dittofs.protocols.RpcTestClient;
import io.dittofs.protocols.RpcTestClient.Cred;
import io.dittofs.protocols.RpcTestClient.RpcReply;
import io.dittofs.protocols.TestNfsServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;

import static io.dittofs.protocols.RpcTestClient.AUTH_BADCRED;
import static io.dittofs.protocols.RpcTestClient.AUTH_ERROR;
import static io.dittofs.protocols.RpcTestClient.GARBAGE_ARGS;
import static io.dittofs.protocols.RpcTestClient.MOUNT;
import static io.dittofs.protocols.RpcTestClient.MSG_ACCEPTED;
import static io.dittofs.protocols.RpcTestClient.MSG_DENIED;
import static io.dittofs.protocols.RpcTestClient.NFS;
import static io.dittofs.protocols.RpcTestClient.PROC_UNAVAIL;
import static io.dittofs.protocols.RpcTestClient.PROG_MISMATCH;
import static io.dittofs.protocols.RpcTestClient.PROG_UNAVAIL;
import static io.dittofs.protocols.RpcTestClient.RPC_MISMATCH;
import static io.dittofs.protocols.RpcTestClient.SUCCESS;
import static io.dittofs.protocols.RpcTestClient.callMessage;
import static io.dittofs.protocols.RpcTestClient.range;
import static io.dittofs.protocols.XdrArgs.xdr;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** RPC-level behaviour (RFC 5531) over real loopback sockets against an in-process server. */
class RpcServerTest {
    private static final int GETATTR = 1;
    private static TestNfsServer server;

    @BeforeAll
    static void startServer() throws IOException {
        server = TestNfsServer.start();
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    private static void assertAccepted(RpcReply r, int acceptStat) {
        assertEquals(MSG_ACCEPTED, r.replyStat(), "reply_stat");
        assertEquals(acceptStat, r.stat(), "accept_stat");
    }

    private static void assertAuthError(RpcReply r, int authStat) {
        assertEquals(MSG_DENIED, r.replyStat(), "reply_stat");
        assertEquals(AUTH_ERROR, r.stat(), "reject_stat");
        assertEquals(authStat, r.body().getInt(), "auth_stat");
    }

    @Test
    @Timeout(10)
    void shouldAnswerNullWhenCalledOnEachProgram() throws IOException {
        try (RpcTestClient c = server.client()) {
            RpcReply r = c.nullCall(NFS, 3);
            assertAccepted(r, SUCCESS);
            assertEquals(0, r.body().remaining(), "NULL has no results");
            assertAccepted(c.nullCall(MOUNT, 3), SUCCESS);
            assertAccepted(c.call(NFS, 3, 0, Cred.sys(1000, 1000), new byte[0]), SUCCESS);
        }
    }

    @Test
    @Timeout(10)
    void shouldDenyWithRpcMismatchWhenRpcVersionIs3() throws IOException {
        try (RpcTestClient c = server.client()) {
            int xid = RpcTestClient.nextXid();
            c.sendRecord(callMessage(xid, 3, NFS, 3, 0, Cred.none(), new byte[0]));
            RpcReply r = c.readReply();
            assertEquals(xid, r.xid());
            assertEquals(MSG_DENIED, r.replyStat());
            assertEquals(RPC_MISMATCH, r.stat());
            assertEquals(2, r.body().getInt(0), "low");
            assertEquals(2, r.body().getInt(4), "high");
        }
    }

    @Test
    @Timeout(10)
    void shouldReplyProgUnavailWhenProgramUnknown() throws IOException {
        try (RpcTestClient c = server.client()) {
            assertAccepted(c.nullCall(200_000, 1), PROG_UNAVAIL);
        }
    }

    @Test
    @Timeout(10)
    void shouldReplyProgMismatchWithSupportedRangeWhenNfsVersionIs4() throws IOException {
        try (RpcTestClient c = server.client()) {
            RpcReply r = c.nullCall(NFS, 4);
            assertAccepted(r, PROG_MISMATCH);
            assertEquals(3, r.body().getInt(0), "low");
            assertEquals(3, r.body().getInt(4), "high");
            assertEquals(8, r.body().limit(), "nothing after mismatch_info");
        }
    }

    @Test
    @Timeout(10)
    void shouldReplyProcUnavailWhenProcedureIs99() throws IOException {
        try (RpcTestClient c = server.client()) {
            assertAccepted(c.call(NFS, 3, 99, Cred.root(), new byte[0]), PROC_UNAVAIL);
            assertAccepted(c.call(MOUNT, 3, 99, Cred.root(), new byte[0]), PROC_UNAVAIL);
            assertAccepted(c.call(NFS, 3, -1, Cred.root(), new byte[0]), PROC_UNAVAIL);
        }
    }

    @Test
    @Timeout(10)
    void shouldReplyGarbageArgsWhenHandleOpaqueTruncated() throws IOException {
        try (RpcTestClient c = server.client()) {
            byte[] truncated = xdr().int32(16).raw(new byte[8]).build();
            assertAccepted(c.call(NFS, 3, GETATTR, Cred.root(), truncated), GARBAGE_ARGS);
            assertAccepted(c.call(NFS, 3, GETATTR, Cred.root(), new byte[0]), GARBAGE_ARGS);
            assertAccepted(c.call(NFS, 3, GETATTR, Cred.root(), xdr().int32(0x7fff_ffff).build()), GARBAGE_ARGS);
            assertAccepted(c.nullCall(NFS, 3), SUCCESS); // the connection is still usable
        }
    }

    @Test
    @Timeout(10)
    void shouldReplyGarbageArgsWhenCallHeaderTruncatedAfterRpcVersion() throws IOException {
        try (RpcTestClient c = server.client()) {
            int xid = RpcTestClient.nextXid();
            c.sendRecord(xdr().int32(xid).int32(0).int32(2).int32(NFS).build());
            RpcReply r = c.readReply();
            assertEquals(xid, r.xid());
            assertAccepted(r, GARBAGE_ARGS);
        }
    }

    @Test
    @Timeout(10)
    void shouldDenyWithBadCredWhenAuthFlavorUnknown() throws IOException {
        try (RpcTestClient c = server.client()) {
            assertAuthError(c.call(NFS, 3, 0, new Cred(6, new byte[8]), new byte[0]), AUTH_BADCRED);
        }
    }

    @Test
    @Timeout(10)
    void shouldDenyWithBadCredWhenAuthSysHasSeventeenGids() throws IOException {
        try (RpcTestClient c = server.client()) {
            assertAuthError(c.call(NFS, 3, 0, Cred.sys(1000, 1000, new int[17]), new byte[0]), AUTH_BADCRED);
            assertAccepted(c.call(NFS, 3, 0, Cred.sys(1000, 1000, new int[16]), new byte[0]), SUCCESS);
        }
    }

    @Test
    @Timeout(10)
    void shouldDenyWithBadCredWhenAuthSysBodyTruncated() throws IOException {
        try (RpcTestClient c = server.client()) {
            byte[] body = Cred.sys(1000, 1000).body();
            assertAuthError(c.call(NFS, 3, 0, new Cred(1, range(body, 0, body.length - 4)), new byte[0]), AUTH_BADCRED);
        }
    }

    @Test
    @Timeout(10)
    void shouldAcceptRecordSplitAcrossFragments() throws IOException {
        try (RpcTestClient c = server.client()) {
            int xid = RpcTestClient.nextXid();
            byte[] msg = callMessage(xid, 2, NFS, 3, GETATTR, Cred.root(), xdr().opaque(server.rootHandle()).build());
            // splits inside the xid, inside the credential and inside the handle
            c.sendFragments(range(msg, 0, 1), range(msg, 1, 30), range(msg, 30, 30), range(msg, 30, msg.length - 5),
                    range(msg, msg.length - 5, msg.length));
            RpcReply r = c.readReply();
            assertEquals(xid, r.xid());
            assertAccepted(r, SUCCESS);
            assertEquals(0, r.body().getInt(), "NFS3_OK");
        }
    }

    @Test
    @Timeout(10)
    void shouldAnswerPipelinedCallsEachWithItsXid() throws IOException {
        try (RpcTestClient c = server.client()) {
            java.util.Set<Integer> sent = new java.util.HashSet<>();
            for (int i = 0; i < 50; i++) {
                int xid = RpcTestClient.nextXid();
                sent.add(xid);
                c.sendRecord(callMessage(xid, 2, NFS, 3, GETATTR, Cred.root(), xdr().opaque(server.rootHandle()).build()));
            }
            for (int i = 0; i < 50; i++) {
                RpcReply r = c.readReply();
                assertTrue(sent.remove(r.xid()), "unexpected xid " + r.xid());
                assertAccepted(r, SUCCESS);
            }
        }
    }
}
