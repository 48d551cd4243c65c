package io.dittofs.protocols.nfs.v4.ops;

import io.dittofs.core.FileSystem;
import io.dittofs.core.Share;
import io.dittofs.core.ShareRegistry;
import io.dittofs.core.lock.Delegations;
import io.dittofs.core.lock.LockLimits;
import io.dittofs.core.lock.LockManager;
import io.dittofs.protocols.XdrArgs;
import io.dittofs.protocols.nfs.v4.Nfs4Handle;
import io.dittofs.protocols.nfs.v4.Nfs4Ops;
import io.dittofs.protocols.nfs.v4.Nfs4Program;
import io.dittofs.protocols.nfs.v4.Nfs4Services;
import io.dittofs.protocols.nfs.v4.Nfs4Status;
import io.dittofs.protocols.nfs.v4.Nfs4TestClient;
import io.dittofs.protocols.nfs.v4.state.ClientStore;
import io.dittofs.protocols.nfs.v4.state.Nfs4StateChecker;
import io.dittofs.protocols.nfs.v4.state.StateConfig;
import io.dittofs.protocols.nfs.v4.state.StateManager;
import io.dittofs.storage.block.memory.MemoryBlockStore;
import io.dittofs.storage.metadata.memory.MemoryMetadataStore;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import static io.dittofs.protocols.nfs.v4.Nfs4Ops.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * An in-process NFSv4 server with the state layer, a clock the test moves, and helpers that speak
 * the state ops (4.0 client ids, 4.1 sessions, OPEN, LOCK). Not thread-safe.
 */
final class StateServer implements AutoCloseable {
    final AtomicLong clock = new AtomicLong(1_000_000_000L);
    final StateManager state;
    final Nfs4TestClient client;
    final ShareRegistry shares = new ShareRegistry();
    final byte[] exportFh;

    final FileSystem fs;

    StateServer(StateConfig config, ClientStore store) {
        this(config, store, new FileSystem(new MemoryMetadataStore(), new MemoryBlockStore(), false));
    }

    /** A server over an existing file system (a "restart" keeps the files, loses the memory state). */
    StateServer(StateConfig config, ClientStore store, FileSystem fs) {
        this.fs = fs;
        shares.add(new Share(1, "/export", fs, false, 65534, 65534));
        exportFh = Nfs4Handle.share(1, fs.rootId()).encode();
        state = new StateManager(config, store, new LockManager(LockLimits.DEFAULT, new Delegations(clock::get, 64, 8)),
                clock::get, 5);
        Nfs4Services services = Nfs4Services.of(shares, null, 42L).withState(state)
                .withStateChecker(new Nfs4StateChecker(state));
        client = Nfs4TestClient.inProcess(new Nfs4Program(services));
    }

    StateServer() {
        this(StateConfig.defaults(), ClientStore.none());
    }

    void advance(Duration d) {
        clock.addAndGet(d.toNanos());
    }

    @Override
    public void close() {
        client.close();
    }

    /** A 4.0 client: SETCLIENTID + SETCLIENTID_CONFIRM; returns the clientid. */
    long setclientid(String owner) {
        Nfs4TestClient.Reply r = client.compound(0).op(OP_SETCLIENTID, a -> a.int64(7).opaque(bytes(owner))
                .int32(0x40000000).string("tcp").string("127.0.0.1.3.4").int32(1)).send();
        r.ok(OP_SETCLIENTID);
        long id = r.int64();
        long verf = r.int64();
        client.compound(0).op(OP_SETCLIENTID_CONFIRM, a -> a.int64(id).int64(verf)).send().ok(OP_SETCLIENTID_CONFIRM);
        return id;
    }

    /** A 4.1 session of a new client; the session id. */
    Session41 session(String owner) {
        return session(owner, client, 0);
    }

    /** A 4.1 session of a new client created through {@code via} with csa_flags {@code flags}. */
    Session41 session(String owner, Nfs4TestClient via, int flags) {
        Nfs4TestClient.Reply r = via.compound(1).op(OP_EXCHANGE_ID, a -> a.int64(9).opaque(bytes(owner)).int32(0)
                .int32(0).int32(0)).send();
        r.ok(OP_EXCHANGE_ID);
        long id = r.int64();
        int seq = r.int32();
        Nfs4TestClient.Reply c = via.compound(1).op(OP_CREATE_SESSION, a -> {
            a.int64(id).int32(seq).int32(flags);
            attrs(a, 8);
            attrs(a, 1);
            a.int32(0x40000000).int32(1).int32(0);
        }).send();
        c.ok(OP_CREATE_SESSION);
        byte[] sid = new byte[16];
        c.body().get(sid);
        return new Session41(id, sid);
    }

    private static void attrs(XdrArgs a, int slots) {
        a.int32(0).int32(1 << 20).int32(1 << 20).int32(8192).int32(16).int32(slots).int32(0);
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** A 4.1 session and the sequence ids of its slots. */
    final class Session41 {
        final long clientId;
        final byte[] id;
        final int[] seq = new int[8];

        Session41(long clientId, byte[] id) {
            this.clientId = clientId;
            this.id = id;
        }

        /** A compound starting with SEQUENCE on slot 0 (next sequence id), cachethis set. */
        Nfs4TestClient.Compound compound() {
            return compound(0, ++seq[0], true);
        }

        Nfs4TestClient.Compound compound(int slot, int sequenceId, boolean cacheThis) {
            return client.compound(1).op(OP_SEQUENCE, a -> a.opaqueFixed(id).int32(sequenceId).int32(slot)
                    .int32(7).bool(cacheThis));
        }
    }

    /** Appends OPEN (create UNCHECKED, mode 0644) of {@code name} in the current directory by {@code owner}. */
    static Nfs4TestClient.Compound openCreate(Nfs4TestClient.Compound c, int seqid, long clientId, String owner,
            String name, int access, int deny) {
        return c.op(OP_OPEN, a -> {
            a.int32(seqid).int32(access).int32(deny).int64(clientId).opaque(bytes(owner));
            a.int32(1).int32(0); // OPEN4_CREATE, UNCHECKED4
            a.int32(2).int32(0).int32(1 << 1).int32(4).int32(0644); // bitmap {mode}, attrlist
            a.int32(0).string(name); // CLAIM_NULL
        });
    }

    /** Reads an OPEN4resok after its status; returns the stateid (seqid, other) and the rflags. */
    static Opened opened(Nfs4TestClient.Reply r) {
        ByteBuffer b = r.body();
        int seqid = b.getInt();
        byte[] other = new byte[12];
        b.get(other);
        b.getInt();
        b.getLong();
        b.getLong();
        int rflags = b.getInt();
        int words = b.getInt();
        for (int i = 0; i < words; i++) {
            b.getInt();
        }
        assertEquals(0, b.getInt()); // OPEN_DELEGATE_NONE
        return new Opened(seqid, other, rflags);
    }

    record Opened(int seqid, byte[] other, int rflags) {
    }

    /** Appends a stateid. */
    static XdrArgs stateid(XdrArgs a, int seqid, byte[] other) {
        return a.int32(seqid).opaqueFixed(other);
    }

    static int status(Nfs4TestClient.Reply r) {
        return r.status();
    }

    static final int OK = Nfs4Status.OK;

    static String name(int op) {
        return Nfs4Ops.name(op);
    }
}
