package io.dittofs.protocols.nfs.v4.ops;

import static io.dittofs.protocols.nfs.v4.Nfs4Ops.*;
import static io.dittofs.protocols.nfs.v4.ops.StateServer.openCreate;
import static io.dittofs.protocols.nfs.v4.ops.StateServer.opened;
import static io.dittofs.protocols.nfs.v4.ops.StateServer.stateid;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.dittofs.core.FileSystem;
import io.dittofs.protocols.nfs.v4.Nfs4Status;
import io.dittofs.protocols.nfs.v4.Nfs4TestClient;
import io.dittofs.protocols.nfs.v4.state.ClientStore;
import io.dittofs.protocols.nfs.v4.state.FileClientStore;
import io.dittofs.protocols.nfs.v4.state.StateConfig;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client, session, open and lock operations, driven in process through COMPOUNDs. */
class StateOpsTest {
    private static byte[] rest(Nfs4TestClient.Reply r) {
        ByteBuffer b = r.body().duplicate();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    @Test
    void shouldReturnTheCachedReplyWhenASlotIsReplayed() {
        try (StateServer s = new StateServer()) {
            var ses = s.session("linux-a");
            Nfs4TestClient.Reply first = ses.compound(0, 1, true).putrootfh().getfh().send();
            assertEquals(Nfs4Status.OK, first.status());
            Nfs4TestClient.Reply again = ses.compound(0, 1, true).putrootfh().getfh().send();
            assertEquals(3, again.count());
            assertArrayEquals(rest(first), rest(again));
            assertEquals(Nfs4Status.SEQ_MISORDERED, ses.compound(0, 3, true).putrootfh().send().status());
            assertEquals(Nfs4Status.BADSLOT, ses.compound(8, 1, true).putrootfh().send().status());
            assertEquals(Nfs4Status.OK, ses.compound(0, 2, false).putrootfh().send().status());
            assertEquals(Nfs4Status.RETRY_UNCACHED_REP, ses.compound(0, 2, false).putrootfh().send().status());
        }
    }

    @Test
    void shouldAnswerBadSessionAndOpNotInSessionOutsideASession() {
        try (StateServer s = new StateServer()) {
            var ses = s.session("linux-a");
            byte[] bogus = ses.id.clone();
            bogus[15] ^= 1;
            assertEquals(Nfs4Status.BADSESSION, s.client.compound(1).op(OP_SEQUENCE, a -> a.opaqueFixed(bogus)
                    .int32(1).int32(0).int32(0).bool(false)).send().status());
            assertEquals(Nfs4Status.OK, s.client.compound(1).op(OP_DESTROY_SESSION, a -> a.opaqueFixed(ses.id))
                    .send().status());
            assertEquals(Nfs4Status.BADSESSION, ses.compound().putrootfh().send().status());
        }
    }

    @Test
    void shouldAnswerBadStateidForAStateidOfAnotherClient() {
        try (StateServer s = new StateServer()) {
            var a = s.session("client-a");
            var b = s.session("client-b");
            Nfs4TestClient.Reply r = openCreate(a.compound().putfh(s.exportFh), 0, 0, "o1", "f", 3, 0).getfh().send();
            r.ok(OP_SEQUENCE);
            r.body().position(r.body().position() + 16 + 20);
            r.ok(OP_PUTFH).ok(OP_OPEN);
            StateServer.Opened o = opened(r);
            r.ok(OP_GETFH);
            byte[] fh = r.fh();
            Nfs4TestClient.Reply t = b.compound().op(OP_TEST_STATEID, x -> stateid(x.int32(1), o.seqid(), o.other()))
                    .send();
            t.ok(OP_SEQUENCE);
            t.body().position(t.body().position() + 16 + 20);
            t.ok(OP_TEST_STATEID);
            assertEquals(1, t.int32());
            assertEquals(Nfs4Status.BAD_STATEID, t.int32());
            Nfs4TestClient.Reply c = b.compound().putfh(fh)
                    .op(OP_CLOSE, x -> stateid(x.int32(0), o.seqid(), o.other())).send();
            assertEquals(Nfs4Status.BAD_STATEID, c.status());
            Nfs4TestClient.Reply own = a.compound().putfh(fh)
                    .op(OP_CLOSE, x -> stateid(x.int32(0), o.seqid(), o.other())).send();
            assertEquals(Nfs4Status.OK, own.status());
        }
    }

    @Test
    void shouldRunTheV40OpenConfirmLockAndReplayFlow() {
        try (StateServer s = new StateServer()) {
            long id = s.setclientid("v40-client");
            Nfs4TestClient.Reply r = openCreate(s.client.compound(0).putfh(s.exportFh), 1, id, "owner", "g",
                    3, 0).getfh().send();
            r.ok(OP_PUTFH).ok(OP_OPEN);
            StateServer.Opened o = opened(r);
            assertEquals(0x2, o.rflags() & 0x2); // OPEN4_RESULT_CONFIRM
            r.ok(OP_GETFH);
            byte[] fh = r.fh();
            // a retransmitted OPEN (same seqid) gets the same answer
            Nfs4TestClient.Reply again = openCreate(s.client.compound(0).putfh(s.exportFh), 1, id, "owner",
                    "g", 3, 0).send();
            again.ok(OP_PUTFH).ok(OP_OPEN);
            assertArrayEquals(o.other(), opened(again).other());
            Nfs4TestClient.Reply conf = s.client.compound(0).putfh(fh)
                    .op(OP_OPEN_CONFIRM, x -> stateid(x, o.seqid(), o.other()).int32(2)).send();
            conf.ok(OP_PUTFH).ok(OP_OPEN_CONFIRM);
            int openSeqid = conf.int32();
            assertEquals(2, openSeqid);
            assertEquals(Nfs4Status.BAD_SEQID, s.client.compound(0).putfh(fh)
                    .op(OP_OPEN_CONFIRM, x -> stateid(x, openSeqid, o.other()).int32(9)).send().status());
            // LOCK with a new lock-owner, then LOCKT from another client sees it
            Nfs4TestClient.Reply l = s.client.compound(0).putfh(fh).op(OP_LOCK, x -> {
                x.int32(2).bool(false).int64(0).int64(100).bool(true);
                stateid(x.int32(3), openSeqid, o.other()).int32(0).int64(id).opaque(new byte[] {1});
            }).send();
            l.ok(OP_PUTFH).ok(OP_LOCK);
            int lockSeqid = l.int32();
            byte[] lockOther = new byte[12];
            l.body().get(lockOther);
            long other = s.setclientid("another");
            Nfs4TestClient.Reply t = s.client.compound(0).putfh(fh).op(OP_LOCKT, x -> x.int32(1).int64(50).int64(1)
                    .int64(other).opaque(new byte[] {2})).send();
            t.ok(OP_PUTFH);
            assertEquals(Nfs4Status.DENIED, t.next(OP_LOCKT));
            assertEquals(0, t.int64());
            assertEquals(100, t.int64());
            Nfs4TestClient.Reply u = s.client.compound(0).putfh(fh).op(OP_LOCKU, x -> stateid(x.int32(2).int32(1),
                    lockSeqid, lockOther).int64(0).int64(-1L)).send();
            u.ok(OP_PUTFH).ok(OP_LOCKU);
            assertEquals(Nfs4Status.OK, s.client.compound(0).putfh(fh).op(OP_LOCKT, x -> x.int32(2).int64(0).int64(-1L)
                    .int64(other).opaque(new byte[] {2})).send().status());
            assertEquals(Nfs4Status.OK, s.client.compound(0).putfh(fh)
                    .op(OP_CLOSE, x -> stateid(x.int32(4), openSeqid, o.other())).send().status());
        }
    }

    @Test
    void shouldGiveAnExpiredClientsLockToAnotherClientAndForgetTheExpiredOne() {
        try (StateServer s = new StateServer(StateConfig.withLease(Duration.ofSeconds(10)), ClientStore.none())) {
            long a = s.setclientid("a");
            long b = s.setclientid("b");
            byte[] fh = lockWhole(s, a, "oa", "h", Nfs4Status.OK);
            assertNotEquals(null, fh);
            lockWhole(s, b, "ob", "h", Nfs4Status.DENIED);
            s.advance(Duration.ofSeconds(11));
            s.client.compound(0).op(OP_RENEW, x -> x.int64(b)).send().ok(OP_RENEW);
            lockWhole(s, b, "ob2", "h", Nfs4Status.OK);
            assertEquals(Nfs4Status.STALE_CLIENTID, s.client.compound(0).op(OP_RENEW, x -> x.int64(a)).send().status());
        }
    }

    /** 4.0: OPEN (create, confirm) then a whole-file write LOCK; returns the handle; checks the LOCK status. */
    private static byte[] lockWhole(StateServer s, long client, String owner, String name, int expect) {
        Nfs4TestClient.Reply r = openCreate(s.client.compound(0).putfh(s.exportFh), 1, client, owner, name,
                3, 0).getfh().send();
        r.ok(OP_PUTFH).ok(OP_OPEN);
        StateServer.Opened o = opened(r);
        r.ok(OP_GETFH);
        byte[] fh = r.fh();
        s.client.compound(0).putfh(fh).op(OP_OPEN_CONFIRM, x -> stateid(x, o.seqid(), o.other()).int32(2)).send()
                .ok(OP_PUTFH).ok(OP_OPEN_CONFIRM);
        Nfs4TestClient.Reply l = s.client.compound(0).putfh(fh).op(OP_LOCK, x -> {
            x.int32(2).bool(false).int64(0).int64(-1L).bool(true);
            stateid(x.int32(3), 2, o.other()).int32(0).int64(client).opaque(StateServer.bytes(owner));
        }).send();
        l.ok(OP_PUTFH);
        assertEquals(Nfs4Status.name(expect), Nfs4Status.name(l.next(OP_LOCK)));
        return fh;
    }

    @Test
    void shouldRefuseNewOpensInGraceAndLetKnownClientsReclaim(@TempDir Path dir) {
        StateConfig cfg = StateConfig.withLease(Duration.ofSeconds(20));
        byte[] fh;
        FileSystem files;
        try (StateServer before = new StateServer(cfg, new FileClientStore(dir))) {
            long id = before.setclientid("survivor");
            fh = lockWhole(before, id, "o", "k", Nfs4Status.OK);
            files = before.fs;
        }
        try (StateServer after = new StateServer(cfg, new FileClientStore(dir), files)) {
            after.state.locks(); // a fresh lock manager: the restart lost every lock
            long stranger = after.setclientid("stranger");
            Nfs4TestClient.Reply r = openCreate(after.client.compound(0).putfh(after.exportFh), 1, stranger, "o",
                    "n", 3, 0).send();
            assertEquals(Nfs4Status.GRACE, r.status());
            long id = after.setclientid("survivor");
            Nfs4TestClient.Reply rec = after.client.compound(0).putfh(fh).op(OP_OPEN, a -> {
                a.int32(1).int32(3).int32(0).int64(id).opaque(StateServer.bytes("o"));
                a.int32(0).int32(1).int32(0); // NOCREATE, CLAIM_PREVIOUS, OPEN_DELEGATE_NONE
            }).send();
            rec.ok(OP_PUTFH).ok(OP_OPEN);
            after.advance(Duration.ofSeconds(21));
            Nfs4TestClient.Reply late = after.client.compound(0).putfh(fh).op(OP_OPEN, a -> {
                a.int32(1).int32(3).int32(0).int64(stranger).opaque(StateServer.bytes("p"));
                a.int32(0).int32(1).int32(0);
            }).send();
            assertEquals(Nfs4Status.NO_GRACE, late.status());
        }
    }

    @Test
    void shouldAnswerResourceAndDelayWhenAClientOpensTooManyFiles() {
        StateConfig small = new StateConfig(StateConfig.DEFAULT_LEASE, StateConfig.DEFAULT_LEASE,
                StateConfig.DEFAULT_LEASE, 8, 2, 4, 1024, 3, 3, 3);
        try (StateServer s = new StateServer(small, ClientStore.none())) {
            long id = s.setclientid("greedy");
            int[] statuses = new int[5];
            for (int i = 0; i < 5; i++) {
                int seq = i + 1;
                statuses[i] = openCreate(s.client.compound(0).putfh(s.exportFh), seq, id, "o" + i, "f" + i,
                        1, 0).send().status();
            }
            assertEquals(Nfs4Status.RESOURCE, statuses[3], Arrays.toString(statuses));
            var ses = s.session("greedy41");
            int last = Nfs4Status.OK;
            for (int i = 0; i < 5 && last == Nfs4Status.OK; i++) {
                last = openCreate(ses.compound().putfh(s.exportFh), 0, 0, "p", "q" + i, 1, 0).send().status();
            }
            assertEquals(Nfs4Status.DELAY, last);
            for (int i = 0; i < 3; i++) {
                s.session("greedy41-" + i);
            }
            Nfs4TestClient.Reply r = s.client.compound(1).op(OP_EXCHANGE_ID, a -> a.int64(9)
                    .opaque(StateServer.bytes("one-too-many")).int32(0).int32(0).int32(0)).send();
            assertEquals(Nfs4Status.OK, r.status()); // 6 of 8 client records
        }
    }
}
