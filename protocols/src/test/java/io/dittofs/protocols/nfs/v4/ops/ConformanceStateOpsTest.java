package io.dittofs.protocols.nfs.v4.ops;

import static io.dittofs.protocols.nfs.v4.Nfs4Ops.*;
import static io.dittofs.protocols.nfs.v4.ops.StateServer.openCreate;
import static io.dittofs.protocols.nfs.v4.ops.StateServer.opened;
import static io.dittofs.protocols.nfs.v4.ops.StateServer.stateid;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.dittofs.core.AuthContext;
import io.dittofs.core.FileSystem;
import io.dittofs.core.SetAttr;
import io.dittofs.protocols.nfs.v4.Nfs4Status;
import io.dittofs.protocols.nfs.v4.Nfs4TestClient;
import org.junit.jupiter.api.Test;

/**
 * Session limits, opens and locks where pynfs (nfs4.1 CSESS15/25-29, SEQ6, RNM21; nfs4.0 OPDG2/3,
 * OPEN7, OPEN11, OPEN14, LKT2) found our answers off RFC 7530 / RFC 8881.
 */
class ConformanceStateOpsTest {
    /** EXCHANGE_ID then CREATE_SESSION with these fore channel attributes and csa_flags; the reply. */
    private static Nfs4TestClient.Reply createSession(StateServer s, String owner, int flags, int maxReq, int maxResp,
            int maxCached) {
        Nfs4TestClient.Reply r = s.client.compound(1).op(OP_EXCHANGE_ID, a -> a.int64(9)
                .opaque(StateServer.bytes(owner)).int32(0).int32(0).int32(0)).send();
        r.ok(OP_EXCHANGE_ID);
        long id = r.int64();
        int seq = r.int32();
        return s.client.compound(1).op(OP_CREATE_SESSION, a -> {
            a.int64(id).int32(seq).int32(flags);
            a.int32(0).int32(maxReq).int32(maxResp).int32(maxCached).int32(16).int32(8).int32(0);
            a.int32(0).int32(4096).int32(4096).int32(0).int32(2).int32(1).int32(0);
            a.int32(0x40000000).int32(1).int32(0);
        }).send();
    }

    private static byte[] sessionId(Nfs4TestClient.Reply created) {
        created.ok(OP_CREATE_SESSION);
        byte[] sid = new byte[16];
        created.body().get(sid);
        return sid;
    }

    private static Nfs4TestClient.Compound sequence(StateServer s, byte[] sid, boolean cacheThis) {
        return s.client.compound(1).op(OP_SEQUENCE, a -> a.opaqueFixed(sid).int32(1).int32(0).int32(0)
                .bool(cacheThis));
    }

    @Test
    void shouldAnswerTooSmallOrInvalWhenCreateSessionAsksTheImpossible() {
        try (StateServer s = new StateServer()) {
            assertEquals(Nfs4Status.TOOSMALL, createSession(s, "small-req", 0, 20, 8192, 8192).status());
            assertEquals(Nfs4Status.TOOSMALL, createSession(s, "small-resp", 0, 8192, 0, 8192).status());
            assertEquals(Nfs4Status.INVAL, createSession(s, "bad-flag", 0xf, 8192, 8192, 8192).status());
            assertEquals(Nfs4Status.OK, createSession(s, "fine", 0, 400, 400, 400).status());
        }
    }

    @Test
    void shouldAnswerReqTooBigWhenARequestExceedsTheSessionsMaxRequestSize() {
        try (StateServer s = new StateServer()) {
            byte[] sid = sessionId(createSession(s, "req", 0, 512, 8192, 8192));
            String longName = "12345".repeat(100);
            assertEquals(Nfs4Status.REQ_TOO_BIG, sequence(s, sid, false).putrootfh().lookup(longName).send().status());
        }
    }

    @Test
    void shouldAnswerRepTooBigWhenTheReplyOutgrowsTheSession() {
        try (StateServer s = new StateServer()) {
            byte[] sid = sessionId(createSession(s, "resp", 0, 8192, 400, 400));
            int[] attrs = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 19, 20, 33, 36, 37};
            Nfs4TestClient.Reply r = sequence(s, sid, false).putrootfh().getattr(attrs).getattr(attrs)
                    .getattr(attrs).getattr(attrs).getattr(attrs).getattr(attrs).getattr(attrs).getattr(attrs).send();
            assertEquals(Nfs4Status.REP_TOO_BIG, r.status());
        }
    }

    @Test
    void shouldAnswerRepTooBigToCacheWhenNotEvenSequencesReplyFitsTheCache() {
        try (StateServer s = new StateServer()) {
            byte[] sid = sessionId(createSession(s, "cache", 0, 8192, 8192, 10));
            assertEquals(Nfs4Status.REP_TOO_BIG_TO_CACHE, sequence(s, sid, true).send().status());
            assertEquals(Nfs4Status.OK, sequence(s, sid, false).send().status());
        }
    }

    @Test
    void shouldLetCloseThroughWhenTheOpenFileWasRenamedOver() {
        try (StateServer s = new StateServer()) {
            var ses = s.session("rename-over");
            Nfs4TestClient.Reply r = openCreate(ses.compound().putfh(s.exportFh), 0, 0, "o", "target", 3, 0)
                    .getfh().send();
            r.ok(OP_SEQUENCE);
            r.body().position(r.body().position() + 16 + 20);
            r.ok(OP_PUTFH).ok(OP_OPEN);
            StateServer.Opened o = opened(r);
            r.ok(OP_GETFH);
            byte[] fh = r.fh();
            FileSystem fs = s.fs;
            fs.create(AuthContext.ROOT, fs.rootId(), "source", SetAttr.mode(0644), FileSystem.CreateMode.GUARDED, 0);
            fs.rename(AuthContext.ROOT, fs.rootId(), "source", fs.rootId(), "target");
            assertEquals(Nfs4Status.OK, ses.compound().putfh(fh)
                    .op(OP_CLOSE, x -> stateid(x.int32(0), o.seqid(), o.other())).send().status());
            assertEquals(Nfs4Status.STALE, ses.compound().putfh(fh).send().status(), "closed: the handle is stale");
        }
    }

    @Test
    void shouldAnswerInvalWhenOpenDowngradeAsksForAModeNeverOpened() {
        try (StateServer s = new StateServer()) {
            var ses = s.session("downgrade");
            Nfs4TestClient.Reply r = openCreate(ses.compound().putfh(s.exportFh), 0, 0, "o", "f", 3, 0)
                    .getfh().send();
            r.ok(OP_SEQUENCE);
            r.body().position(r.body().position() + 16 + 20);
            r.ok(OP_PUTFH).ok(OP_OPEN);
            StateServer.Opened o = opened(r);
            r.ok(OP_GETFH);
            byte[] fh = r.fh();
            assertEquals(Nfs4Status.INVAL, ses.compound().putfh(fh).op(OP_OPEN_DOWNGRADE,
                    x -> stateid(x, o.seqid(), o.other()).int32(0).int32(1).int32(0)).send().status());
            // opened for READ as well: now READ is a mode in effect
            openCreate(ses.compound().putfh(s.exportFh), 0, 0, "o", "f", 1, 0).send().ok(OP_SEQUENCE);
            assertEquals(Nfs4Status.OK, ses.compound().putfh(fh).op(OP_OPEN_DOWNGRADE,
                    x -> stateid(x, 0, o.other()).int32(0).int32(1).int32(0)).send().status());
        }
    }

    /** A 4.0 OPEN (no create) of {@code name} in the export, claim NULL. */
    private static Nfs4TestClient.Reply open40(StateServer s, long clientId, String name) {
        return s.client.compound(0).putfh(s.exportFh).op(OP_OPEN, a -> {
            a.int32(1).int32(1).int32(0).int64(clientId).opaque(StateServer.bytes("o40-" + name.length()));
            a.int32(0); // OPEN4_NOCREATE
            a.int32(0).string(name);
        }).send();
    }

    @Test
    void shouldAnswerLikeRfc7530WhenOpenOrLocktMeetsANonFile() {
        try (StateServer s = new StateServer()) {
            long id = s.setclientid("types");
            FileSystem fs = s.fs;
            fs.mkdir(AuthContext.ROOT, fs.rootId(), "dir", SetAttr.mode(0755));
            fs.mknod(AuthContext.ROOT, fs.rootId(), "fifo", io.dittofs.core.FileType.FIFO, 0, SetAttr.mode(0644));
            assertEquals(Nfs4Status.SYMLINK, open40(s, id, "fifo").status());
            assertEquals(Nfs4Status.NAMETOOLONG, open40(s, id, "n".repeat(300)).status());
            byte[] dirFh = lookupFh(s, "dir");
            byte[] fifoFh = lookupFh(s, "fifo");
            assertEquals(Nfs4Status.ISDIR, s.client.compound(0).putfh(dirFh).op(OP_LOCKT, x -> x.int32(1).int64(0)
                    .int64(1).int64(id).opaque(new byte[] {1})).send().status());
            assertEquals(Nfs4Status.INVAL, s.client.compound(0).putfh(fifoFh).op(OP_LOCKT, x -> x.int32(1).int64(0)
                    .int64(1).int64(id).opaque(new byte[] {1})).send().status());
        }
    }

    @Test
    void shouldAnswerInvalWhenOpenCreateattrsHoldAReadOnlyAttribute() {
        try (StateServer s = new StateServer()) {
            long id = s.setclientid("ro-attr");
            Nfs4TestClient.Reply r = s.client.compound(0).putfh(s.exportFh).op(OP_OPEN, a -> {
                a.int32(1).int32(3).int32(0).int64(id).opaque(StateServer.bytes("o"));
                a.int32(1).int32(0); // OPEN4_CREATE, UNCHECKED4
                a.int32(1).int32(1 << 20).int32(8).int64(5); // {fileid} = 5: read-only
                a.int32(0).string("ro");
            }).send();
            assertEquals(Nfs4Status.INVAL, r.status());
        }
    }

    @Test
    void shouldReplayARetransmittedLockuWhoseStateidMovedOn() {
        try (StateServer s = new StateServer()) {
            long id = s.setclientid("replay");
            Nfs4TestClient.Reply r = openCreate(s.client.compound(0).putfh(s.exportFh), 1, id, "o", "f", 3, 0)
                    .getfh().send();
            r.ok(OP_PUTFH).ok(OP_OPEN);
            StateServer.Opened o = opened(r);
            r.ok(OP_GETFH);
            byte[] fh = r.fh();
            s.client.compound(0).putfh(fh).op(OP_OPEN_CONFIRM, x -> stateid(x, o.seqid(), o.other()).int32(2)).send()
                    .ok(OP_PUTFH).ok(OP_OPEN_CONFIRM);
            Nfs4TestClient.Reply l = s.client.compound(0).putfh(fh).op(OP_LOCK, x -> {
                x.int32(2).bool(false).int64(0).int64(10).bool(true);
                stateid(x.int32(3), 2, o.other()).int32(0).int64(id).opaque(new byte[] {7});
            }).send();
            l.ok(OP_PUTFH).ok(OP_LOCK);
            int lockSeqid = l.int32();
            byte[] lockOther = new byte[12];
            l.body().get(lockOther);
            for (int i = 0; i < 2; i++) { // the second LOCKU is a retransmission: same answer, not OLD_STATEID
                Nfs4TestClient.Reply u = s.client.compound(0).putfh(fh).op(OP_LOCKU, x -> stateid(x.int32(2).int32(1),
                        lockSeqid, lockOther).int64(0).int64(10)).send();
                u.ok(OP_PUTFH).ok(OP_LOCKU);
                assertEquals(lockSeqid + 1, u.int32());
            }
        }
    }

    @Test
    void shouldIgnoreCreateattrsButTruncateToZeroWhenUncheckedOpenFindsTheFile() {
        try (StateServer s = new StateServer()) {
            var ses = s.session("unchecked");
            long[] sizes = {32, 16, 0};
            long[] expect = {32, 32, 0};
            for (int i = 0; i < sizes.length; i++) {
                long size = sizes[i];
                Nfs4TestClient.Reply r = ses.compound().putfh(s.exportFh).op(OP_OPEN, a -> {
                    a.int32(0).int32(3).int32(0).int64(0).opaque(StateServer.bytes("u"));
                    a.int32(1).int32(0); // OPEN4_CREATE, UNCHECKED4
                    a.int32(1).int32(1 << 4).int32(8).int64(size); // {size}
                    a.int32(0).string("u");
                }).send();
                assertEquals(Nfs4Status.OK, r.status());
                var n = s.fs.lookup(AuthContext.ROOT, s.fs.rootId(), "u");
                assertEquals(expect[i], s.fs.getattr(n.id()).size(), "after OPEN with size " + size);
            }
            Nfs4TestClient.Reply g = ses.compound().putfh(s.exportFh).op(OP_OPEN, a -> {
                a.int32(0).int32(3).int32(0).int64(0).opaque(StateServer.bytes("u"));
                a.int32(1).int32(1); // OPEN4_CREATE, GUARDED4
                a.int32(1).int32(1 << 4).int32(8).int64(32); // {size}
                a.int32(0).string("g");
            }).send();
            assertEquals(Nfs4Status.OK, g.status());
            assertEquals(32, s.fs.getattr(s.fs.lookup(AuthContext.ROOT, s.fs.rootId(), "g").id()).size(), "GUARDED");
        }
    }

    private static byte[] lookupFh(StateServer s, String name) {
        Nfs4TestClient.Reply r = s.client.compound(0).putfh(s.exportFh).lookup(name).getfh().send();
        r.ok(OP_PUTFH).ok(OP_LOOKUP).ok(OP_GETFH);
        return r.fh();
    }
}
