package io.dittofs.protocols.nfs.v4.ops;

import static io.dittofs.protocols.nfs.v4.Nfs4Ops.OP_GETFH;
import static io.dittofs.protocols.nfs.v4.Nfs4Ops.OP_LOCK;
import static io.dittofs.protocols.nfs.v4.Nfs4Ops.OP_LOCKU;
import static io.dittofs.protocols.nfs.v4.Nfs4Ops.OP_OPEN;
import static io.dittofs.protocols.nfs.v4.Nfs4Ops.OP_PUTFH;
import static io.dittofs.protocols.nfs.v4.Nfs4Ops.OP_SEQUENCE;
import static io.dittofs.protocols.nfs.v4.ops.StateServer.openCreate;
import static io.dittofs.protocols.nfs.v4.ops.StateServer.opened;
import static io.dittofs.protocols.nfs.v4.ops.StateServer.stateid;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.dittofs.core.FileSystem;
import io.dittofs.protocols.nfs.v4.Nfs4Status;
import io.dittofs.protocols.nfs.v4.Nfs4TestClient;
import io.dittofs.protocols.nfs.v4.state.FileClientStore;
import io.dittofs.protocols.nfs.v4.state.StateConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reclaims after a restart checked against the opens and locks the journal recorded before it
 * (RFC 8881 section 8.4.2.1): NFS4ERR_RECLAIM_BAD for state the client never had,
 * NFS4ERR_RECLAIM_CONFLICT for a reclaim that meets another client's reclaimed lock.
 */
class ReclaimOpsTest {
    private static final StateConfig CONFIG = StateConfig.withLease(Duration.ofSeconds(20));
    private static final int READ_LT = 1;
    private static final int WRITE_LT = 2;

    /** A file a 4.1 client opened (read+write) before the restart. */
    private record Held(byte[] fh, byte[] openOther) {
    }

    @Test
    void shouldAnswerReclaimBadForOpensAndLocksTheClientDidNotHold(@TempDir Path dir) {
        FileSystem files;
        Held f;
        Held other;
        try (StateServer before = new StateServer(CONFIG, new FileClientStore(dir))) {
            var a = before.session("survivor");
            var b = before.session("bystander");
            f = open(before, a, "o", "f");
            assertEquals(Nfs4Status.OK, lock(a, f, "o", WRITE_LT, false, 100, 50).status());
            assertEquals(Nfs4Status.OK, lock(a, f, "o", READ_LT, false, 200, 10).status());
            other = open(before, b, "p", "g");
            files = before.fs;
        }
        try (StateServer after = new StateServer(CONFIG, new FileClientStore(dir), files)) {
            var a = after.session("survivor");
            assertEquals(Nfs4Status.RECLAIM_BAD, reclaimOpen(a, other.fh(), "o", 3).status(), "a file it never opened");
            assertEquals(Nfs4Status.RECLAIM_BAD, reclaimOpen(a, f.fh(), "x", 3).status(), "an owner it never had");
            Nfs4TestClient.Reply r = reclaimOpen(a, f.fh(), "o", 3);
            skipSequence(r).ok(OP_PUTFH).ok(OP_OPEN);
            Held g = new Held(f.fh(), opened(r).other());
            assertEquals(Nfs4Status.RECLAIM_BAD, lock(a, g, "o", WRITE_LT, true, 0, 10).status(), "a range it never held");
            assertEquals(Nfs4Status.RECLAIM_BAD, lock(a, g, "o", WRITE_LT, true, 200, 10).status(),
                    "an exclusive reclaim of a shared lock");
            assertEquals(Nfs4Status.RECLAIM_BAD, lock(a, g, "q", WRITE_LT, true, 100, 50).status(),
                    "a lock-owner it never had");
            assertEquals(Nfs4Status.OK, lock(a, g, "o", WRITE_LT, true, 100, 50).status());
            assertEquals(Nfs4Status.OK, lock(a, g, "o", READ_LT, true, 200, 10).status());
        }
    }

    @Test
    void shouldLetAClientReclaimOnlyWhatItStillHeldAfterUnlocking(@TempDir Path dir) {
        FileSystem files;
        Held f;
        try (StateServer before = new StateServer(CONFIG, new FileClientStore(dir))) {
            var a = before.session("survivor");
            f = open(before, a, "o", "f");
            Nfs4TestClient.Reply l = lock(a, f, "o", WRITE_LT, false, 0, -1L);
            skipSequence(l).ok(OP_PUTFH).ok(OP_LOCK);
            int seqid = l.int32();
            byte[] lockOther = new byte[12];
            l.body().get(lockOther);
            a.compound().putfh(f.fh()).op(OP_LOCKU, x -> stateid(x.int32(WRITE_LT).int32(0), seqid, lockOther)
                    .int64(0).int64(4096)).send().ok(OP_SEQUENCE);
            files = before.fs;
        }
        try (StateServer after = new StateServer(CONFIG, new FileClientStore(dir), files)) {
            var a = after.session("survivor");
            Nfs4TestClient.Reply r = reclaimOpen(a, f.fh(), "o", 3);
            skipSequence(r).ok(OP_PUTFH).ok(OP_OPEN);
            Held g = new Held(f.fh(), opened(r).other());
            assertEquals(Nfs4Status.RECLAIM_BAD, lock(a, g, "o", WRITE_LT, true, 0, -1L).status(), "the unlocked head");
            assertEquals(Nfs4Status.OK, lock(a, g, "o", WRITE_LT, true, 4096, -1L).status());
        }
    }

    @Test
    void shouldAnswerReclaimConflictWhenTwoClientsReclaimTheSameRange(@TempDir Path dir) throws Exception {
        FileSystem files;
        Held f;
        try (StateServer before = new StateServer(CONFIG, new FileClientStore(dir))) {
            var a = before.session("first");
            before.session("second");
            f = open(before, a, "o", "f");
            assertEquals(Nfs4Status.OK, lock(a, f, "o", WRITE_LT, false, 0, -1L).status());
            files = before.fs;
        }
        Files.delete(dir.resolve("nfs4-state.log")); // as after a machine crash: nothing is known of the locks
        try (StateServer after = new StateServer(CONFIG, new FileClientStore(dir), files)) {
            var a = after.session("first");
            var b = after.session("second");
            Nfs4TestClient.Reply ra = reclaimOpen(a, f.fh(), "o", 3);
            skipSequence(ra).ok(OP_PUTFH).ok(OP_OPEN);
            Held fa = new Held(f.fh(), opened(ra).other());
            assertEquals(Nfs4Status.OK, lock(a, fa, "o", WRITE_LT, true, 0, -1L).status());
            Nfs4TestClient.Reply rb = reclaimOpen(b, f.fh(), "p", 3);
            skipSequence(rb).ok(OP_PUTFH).ok(OP_OPEN);
            Held fb = new Held(f.fh(), opened(rb).other());
            assertEquals(Nfs4Status.RECLAIM_CONFLICT, lock(b, fb, "p", WRITE_LT, true, 10, 10).status());
        }
    }

    /** OPEN (create, read+write, deny none) of {@code name} in the export by {@code owner}; its handle and stateid. */
    private static Held open(StateServer s, StateServer.Session41 ses, String owner, String name) {
        Nfs4TestClient.Reply r = openCreate(ses.compound().putfh(s.exportFh), 0, 0, owner, name, 3, 0).getfh().send();
        skipSequence(r).ok(OP_PUTFH).ok(OP_OPEN);
        byte[] other = opened(r).other();
        r.ok(OP_GETFH);
        return new Held(r.fh(), other);
    }

    /** OPEN CLAIM_PREVIOUS of the current file (no delegation). */
    private static Nfs4TestClient.Reply reclaimOpen(StateServer.Session41 ses, byte[] fh, String owner, int access) {
        return ses.compound().putfh(fh).op(OP_OPEN, a -> {
            a.int32(0).int32(access).int32(0).int64(ses.clientId).opaque(StateServer.bytes(owner));
            a.int32(0).int32(1).int32(0); // NOCREATE, CLAIM_PREVIOUS, OPEN_DELEGATE_NONE
        }).send();
    }

    /** LOCK by a new lock-owner {@code owner} from the open's stateid. */
    private static Nfs4TestClient.Reply lock(StateServer.Session41 ses, Held f, String owner, int type, boolean reclaim,
            long offset, long length) {
        return ses.compound().putfh(f.fh()).op(OP_LOCK, x -> {
            x.int32(type).bool(reclaim).int64(offset).int64(length).bool(true);
            stateid(x.int32(0), 0, f.openOther()).int32(0).int64(ses.clientId).opaque(StateServer.bytes(owner));
        }).send();
    }

    private static Nfs4TestClient.Reply skipSequence(Nfs4TestClient.Reply r) {
        r.ok(OP_SEQUENCE);
        r.body().position(r.body().position() + 16 + 20);
        return r;
    }
}
