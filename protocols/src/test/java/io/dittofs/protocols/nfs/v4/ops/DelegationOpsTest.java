package io.dittofs.protocols.nfs.v4.ops;

import io.dittofs.core.AuthContext;
import io.dittofs.core.buffer.BufferPool;
import io.dittofs.protocols.nfs.FileHandles;
import io.dittofs.protocols.nfs.v3.Nfs3Program;
import io.dittofs.protocols.nfs.v4.Nfs4Handle;
import io.dittofs.protocols.nfs.v4.Nfs4Status;
import io.dittofs.protocols.nfs.v4.Nfs4TestClient;
import io.dittofs.protocols.nfs.v4.state.CallbackPath;
import io.dittofs.protocols.nfs.v4.state.SessionId;
import io.dittofs.protocols.rpc.RpcCall;
import io.dittofs.protocols.xdr.XdrDecoder;
import io.dittofs.protocols.xdr.XdrEncoder;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static io.dittofs.protocols.XdrArgs.xdr;
import static io.dittofs.protocols.nfs.v4.Nfs4Ops.*;
import static io.dittofs.protocols.nfs.v4.ops.StateServer.bytes;
import static io.dittofs.protocols.nfs.v4.ops.StateServer.openCreate;
import static io.dittofs.protocols.nfs.v4.ops.StateServer.opened;
import static io.dittofs.protocols.nfs.v4.ops.StateServer.stateid;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Read delegations through COMPOUNDs: granted on OPEN for reading to a 4.1 client with a back channel,
 * recalled with CB_RECALL (answered by an in-process {@link CallbackClient}) when another client opens
 * for writing or NFSv3 writes, returned with DELEGRETURN, revoked when not returned within a lease.
 */
class DelegationOpsTest {
    private static final int CONN_BACK_CHAN = 2;
    private static final int SEQ4_STATUS_CB_PATH_DOWN = 0x1;
    private static final int SEQ4_STATUS_RECALLABLE_STATE_REVOKED = 0x40;

    /** An OPEN4resok's stateid and its delegation (null other when OPEN_DELEGATE_NONE). */
    record Open(int seqid, byte[] other, int delegType, byte[] delegOther) {
    }

    private static void skipSequence(Nfs4TestClient.Reply r) {
        r.ok(OP_SEQUENCE);
        r.body().position(r.body().position() + 16 + 20);
    }

    /** SEQUENCE alone; its sr_status_flags. */
    private static int statusFlags(StateServer.Session41 ses) {
        Nfs4TestClient.Reply r = ses.compound().send();
        r.ok(OP_SEQUENCE);
        ByteBuffer b = r.body();
        return b.getInt(b.position() + 16 + 16);
    }

    private static Open readOpen(Nfs4TestClient.Reply r) {
        ByteBuffer b = r.body();
        int seqid = b.getInt();
        byte[] other = new byte[12];
        b.get(other);
        b.getInt();
        b.getLong();
        b.getLong();
        b.getInt();
        int words = b.getInt();
        b.position(b.position() + 4 * words);
        int type = b.getInt();
        if (type == 0) {
            return new Open(seqid, other, 0, null);
        }
        assertEquals(1, type, "OPEN_DELEGATE_READ");
        assertEquals(1, b.getInt(), "delegation stateid seqid");
        byte[] d = new byte[12];
        b.get(d);
        assertEquals(0, b.getInt(), "recall");
        b.getInt();
        b.getInt();
        b.getInt();
        b.position(b.position() + (b.getInt() + 3 & ~3));
        return new Open(seqid, other, type, d);
    }

    /** OPEN (no create, CLAIM_NULL) of {@code name} in the export. */
    private static Nfs4TestClient.Reply open(StateServer s, StateServer.Session41 ses, String owner, String name,
                                             int access) {
        return ses.compound().putfh(s.exportFh).op(OP_OPEN, a -> {
            a.int32(0).int32(access).int32(0).int64(ses.clientId).opaque(bytes(owner));
            a.int32(0);
            a.int32(0).string(name);
        }).getfh().send();
    }

    /** Creates {@code name} through {@code ses} and closes it; its filehandle. */
    private static byte[] createFile(StateServer s, StateServer.Session41 ses, String name) {
        Nfs4TestClient.Reply r = openCreate(ses.compound().putfh(s.exportFh), 0, 0, "creator", name, 3, 0).getfh()
                .send();
        skipSequence(r);
        r.ok(OP_PUTFH).ok(OP_OPEN);
        StateServer.Opened o = opened(r);
        r.ok(OP_GETFH);
        byte[] fh = r.fh();
        Nfs4TestClient.Reply c = ses.compound().putfh(fh).op(OP_CLOSE, x -> stateid(x.int32(0), o.seqid(), o.other()))
                .send();
        skipSequence(c);
        c.ok(OP_PUTFH).ok(OP_CLOSE);
        return fh;
    }

    /** Waits (up to 5 s) until the session's back channel answered the server's CB_NULL probe. */
    private static void awaitCallbackPath(StateServer s, StateServer.Session41 ses) {
        CallbackPath p = s.state.sessions().get(SessionId.of(ses.id)).callback();
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!p.usable() && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
    }

    /** Client a (with a back channel) opens {@code name} for reading and must get a read delegation. */
    private static Open openDelegated(StateServer s, StateServer.Session41 a, String name) {
        awaitCallbackPath(s, a);
        Nfs4TestClient.Reply r = open(s, a, "reader", name, 1);
        skipSequence(r);
        r.ok(OP_PUTFH).ok(OP_OPEN);
        Open o = readOpen(r);
        assertNotNull(o.delegOther(), "a read delegation is granted");
        return o;
    }

    private static int delegreturn(StateServer.Session41 ses, byte[] fh, byte[] other) {
        return ses.compound().putfh(fh).op(OP_DELEGRETURN, x -> stateid(x, 1, other)).send().status();
    }

    @Test
    @Timeout(30)
    void shouldRecallTheReadDelegationWhenAnotherClientOpensForWriteAndGoOnOnceReturned() throws Exception {
        try (StateServer s = new StateServer()) {
            s.state.delegations().enable(true);
            CallbackClient cb = new CallbackClient();
            var a = s.session("client-a", s.client.withBackChannel(cb), CONN_BACK_CHAN);
            var b = s.session("client-b");
            byte[] fh = createFile(s, b, "f");
            Open o = openDelegated(s, a, "f");
            assertEquals(0, statusFlags(a) & SEQ4_STATUS_CB_PATH_DOWN);
            // the holder reads with its delegation stateid
            Nfs4TestClient.Reply rd = a.compound().putfh(fh).op(OP_READ, x -> stateid(x, 1, o.delegOther())
                    .int64(0).int32(10)).send();
            assertEquals(Nfs4Status.OK, rd.status());

            assertEquals(Nfs4Status.DELAY, open(s, b, "writer", "f", 3).status());
            CallbackClient.Recall rc = cb.nextRecall();
            assertNotNull(rc, "CB_RECALL sent");
            assertArrayEquals(o.delegOther(), rc.other());
            assertArrayEquals(fh, rc.fh());
            assertEquals(1, rc.sequence(), "first back-channel sequence id");
            assertEquals(0x40000000, rc.program());
            assertEquals(Nfs4Status.DELAY, open(s, b, "writer", "f", 3).status(), "still held");
            assertNull(cb.recalls.poll(), "recalled once");

            assertEquals(Nfs4Status.OK, delegreturn(a, fh, o.delegOther()));
            assertEquals(Nfs4Status.OK, open(s, b, "writer", "f", 3).status());
            assertEquals(Nfs4Status.BAD_STATEID, delegreturn(a, fh, o.delegOther()));
            assertEquals(0, s.state.locks().delegations().count());
        }
    }

    @Test
    @Timeout(30)
    void shouldRevokeADelegationNotReturnedWithinTheLeaseAndFlagItInSequence() throws Exception {
        try (StateServer s = new StateServer()) {
            s.state.delegations().enable(true);
            CallbackClient cb = new CallbackClient();
            var a = s.session("client-a", s.client.withBackChannel(cb), CONN_BACK_CHAN);
            var b = s.session("client-b");
            byte[] fh = createFile(s, b, "g");
            Open o = openDelegated(s, a, "g");
            assertEquals(Nfs4Status.DELAY, open(s, b, "writer", "g", 3).status());
            assertNotNull(cb.nextRecall());
            s.advance(Duration.ofSeconds(60));
            s.state.tickDelegations();
            assertEquals(0, statusFlags(a) & SEQ4_STATUS_RECALLABLE_STATE_REVOKED, "not yet");
            statusFlags(b);
            s.advance(Duration.ofSeconds(40));
            s.state.tickDelegations();
            assertEquals(SEQ4_STATUS_RECALLABLE_STATE_REVOKED, statusFlags(a) & SEQ4_STATUS_RECALLABLE_STATE_REVOKED);
            assertEquals(Nfs4Status.OK, open(s, b, "writer", "g", 3).status(), "the change goes on");

            Nfs4TestClient.Reply t = a.compound().op(OP_TEST_STATEID, x -> stateid(x.int32(1), 1, o.delegOther()))
                    .send();
            skipSequence(t);
            t.ok(OP_TEST_STATEID);
            assertEquals(1, t.int32());
            assertEquals(Nfs4Status.DELEG_REVOKED, t.int32());
            assertEquals(Nfs4Status.OK, a.compound().op(OP_FREE_STATEID, x -> stateid(x, 1, o.delegOther())).send()
                    .status());
            assertEquals(0, statusFlags(a) & SEQ4_STATUS_RECALLABLE_STATE_REVOKED, "freed");
        }
    }

    @Test
    @Timeout(30)
    void shouldRecallWhenNfsv3WritesTheFileAndAnswerJukeboxMeanwhile() throws Exception {
        try (StateServer s = new StateServer(); BufferPool pool = new BufferPool()) {
            s.state.delegations().enable(true);
            Nfs3Program v3 = new Nfs3Program(s.shares);
            v3.useDelegations(s.state.locks().delegations());
            CallbackClient cb = new CallbackClient();
            var a = s.session("client-a", s.client.withBackChannel(cb), CONN_BACK_CHAN);
            byte[] fh = createFile(s, a, "h");
            Open o = openDelegated(s, a, "h");
            long inode = Nfs4Handle.decode(MemorySegment.ofArray(fh)).id();
            byte[] write = xdr().opaque(FileHandles.encode(1, inode)).int64(0).int32(4).int32(2)
                    .opaque(new byte[] {1, 2, 3, 4}).build();
            assertEquals(10008, v3Call(v3, pool, 7, write), "NFS3ERR_JUKEBOX");
            assertNotNull(cb.nextRecall(), "CB_RECALL sent");
            assertEquals(Nfs4Status.OK, delegreturn(a, fh, o.delegOther()));
            assertEquals(0, v3Call(v3, pool, 7, write), "NFS3_OK once returned");
        }
    }

    @Test
    @Timeout(30)
    void shouldGrantNoDelegationAndSayCbPathDownWithoutAUsableBackChannel() throws Exception {
        try (StateServer s = new StateServer()) {
            s.state.delegations().enable(true);
            var a = s.session("client-a", s.client, CONN_BACK_CHAN); // asked, but this transport cannot call back
            byte[] fh = createFile(s, a, "k");
            assertEquals(SEQ4_STATUS_CB_PATH_DOWN, statusFlags(a) & SEQ4_STATUS_CB_PATH_DOWN);
            Nfs4TestClient.Reply r = open(s, a, "reader", "k", 1);
            skipSequence(r);
            r.ok(OP_PUTFH).ok(OP_OPEN);
            assertNull(readOpen(r).delegOther());
            // binding a connection that can call back brings the path up
            CallbackClient cb = new CallbackClient();
            Nfs4TestClient.Reply bind = s.client.withBackChannel(cb).compound(1)
                    .op(OP_BIND_CONN_TO_SESSION, x -> x.opaqueFixed(a.id).int32(3).bool(false)).send();
            assertEquals(Nfs4Status.OK, bind.status());
            assertEquals(0, statusFlags(a) & SEQ4_STATUS_CB_PATH_DOWN);
            Open o = openDelegated(s, a, "k");
            // a recall that cannot be delivered puts the path down again
            cb.broken = true;
            var b = s.session("client-b");
            assertEquals(Nfs4Status.DELAY, open(s, b, "writer", "k", 3).status());
            long deadline = System.nanoTime() + 5_000_000_000L;
            while ((statusFlags(a) & SEQ4_STATUS_CB_PATH_DOWN) == 0 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertEquals(SEQ4_STATUS_CB_PATH_DOWN, statusFlags(a) & SEQ4_STATUS_CB_PATH_DOWN);
            assertEquals(Nfs4Status.OK, delegreturn(a, fh, o.delegOther()));
        }
    }

    @Test
    @Timeout(30)
    void shouldGrantNoDelegationWhenTheBackChannelDoesNotAnswerTheCbNullProbe() throws Exception {
        try (StateServer s = new StateServer()) {
            s.state.delegations().enable(true);
            CallbackClient cb = new CallbackClient();
            cb.answerNull = false; // the connection is open, but the probe goes unanswered
            var a = s.session("client-a", s.client.withBackChannel(cb), CONN_BACK_CHAN);
            createFile(s, a, "p");
            long deadline = System.nanoTime() + 5_000_000_000L;
            while ((statusFlags(a) & SEQ4_STATUS_CB_PATH_DOWN) == 0 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertEquals(SEQ4_STATUS_CB_PATH_DOWN, statusFlags(a) & SEQ4_STATUS_CB_PATH_DOWN);
            Nfs4TestClient.Reply r = open(s, a, "reader", "p", 1);
            skipSequence(r);
            r.ok(OP_PUTFH).ok(OP_OPEN);
            assertNull(readOpen(r).delegOther());
        }
    }

    @Test
    @Timeout(30)
    void shouldRecallOverAnotherSessionOfTheClientWhenTheFirstBackChannelIsGone() throws Exception {
        try (StateServer s = new StateServer()) {
            s.state.delegations().enable(true);
            CallbackClient cb1 = new CallbackClient();
            var a1 = s.session("client-a", s.client.withBackChannel(cb1), CONN_BACK_CHAN);
            byte[] fh = createFile(s, a1, "q");
            Open o = openDelegated(s, a1, "q");
            CallbackClient cb2 = new CallbackClient();
            var a2 = s.session("client-a", s.client.withBackChannel(cb2), CONN_BACK_CHAN);
            assertEquals(a1.clientId, a2.clientId);
            awaitCallbackPath(s, a2);
            cb1.broken = true; // the first session's connection is gone
            var b = s.session("client-b");
            assertEquals(Nfs4Status.DELAY, open(s, b, "writer", "q", 3).status());
            CallbackClient.Recall rc = cb2.nextRecall();
            assertNotNull(rc, "recalled over the second session");
            assertArrayEquals(o.delegOther(), rc.other());
            assertEquals(Nfs4Status.OK, delegreturn(a2, fh, o.delegOther()));
        }
    }

    @Test
    void shouldGrantNoDelegationWhenDisabledOrTheFileIsOpenForWriting() {
        try (StateServer s = new StateServer()) {
            CallbackClient cb = new CallbackClient();
            var a = s.session("client-a", s.client.withBackChannel(cb), CONN_BACK_CHAN);
            createFile(s, a, "m");
            Nfs4TestClient.Reply r = open(s, a, "reader", "m", 1);
            skipSequence(r);
            r.ok(OP_PUTFH).ok(OP_OPEN);
            assertNull(readOpen(r).delegOther(), "off by default");
            s.state.delegations().enable(true);
            var b = s.session("client-b");
            assertEquals(Nfs4Status.OK, open(s, b, "writer", "m", 3).status());
            Nfs4TestClient.Reply r2 = open(s, a, "reader2", "m", 1);
            skipSequence(r2);
            r2.ok(OP_PUTFH).ok(OP_OPEN);
            assertNull(readOpen(r2).delegOther(), "open for writing elsewhere");
        }
    }

    /** Runs one NFSv3 procedure in process; its nfsstat3. */
    private static int v3Call(Nfs3Program v3, BufferPool pool, int proc, byte[] args) {
        try (XdrEncoder e = new XdrEncoder(pool, 4096)) {
            MemorySegment seg = MemorySegment.ofArray(args);
            v3.call(new RpcCall(1, 100003, 3, proc, 1, AuthContext.ROOT,
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), 700)), new XdrDecoder(seg), e);
            return e.written().get(ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN), 0);
        }
    }
}
