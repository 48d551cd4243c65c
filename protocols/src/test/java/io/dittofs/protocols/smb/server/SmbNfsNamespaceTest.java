package io.dittofs.protocols.smb.server;

import io.dittofs.core.AuthContext;
import io.dittofs.core.FileSystem;
import io.dittofs.core.Share;
import io.dittofs.core.ShareRegistry;
import io.dittofs.core.lock.LockManager;
import io.dittofs.protocols.nfs.v4.Nfs4Ops;
import io.dittofs.protocols.nfs.v4.Nfs4Program;
import io.dittofs.protocols.nfs.v4.Nfs4Services;
import io.dittofs.protocols.nfs.v4.Nfs4Status;
import io.dittofs.protocols.nfs.v4.Nfs4TestClient;
import io.dittofs.protocols.nfs.v4.state.ClientStore;
import io.dittofs.protocols.nfs.v4.state.Nfs4StateChecker;
import io.dittofs.protocols.nfs.v4.state.StateConfig;
import io.dittofs.protocols.nfs.v4.state.StateManager;
import io.dittofs.protocols.smb.NtStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static io.dittofs.protocols.smb.server.SmbTestConn.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * One namespace and one lock manager for SMB and NFSv4 (issue 10 point 8): SMB share modes and
 * NFSv4 share reservations refuse each other, and an SMB delete-on-close meets an NFS REMOVE as on
 * a Linux server that exports one file system over both (the NFS remove wins at once; the SMB
 * close then deletes nothing, not even a new file of the same name).
 */
class SmbNfsNamespaceTest {
    private static final int OPEN4_SHARE_ACCESS_READ = 1;
    private static final int OPEN4_SHARE_ACCESS_WRITE = 2;
    private static final int OPEN4_SHARE_DENY_NONE = 0;
    private static final int OPEN4_SHARE_DENY_WRITE = 2;
    private FileSystem fs;
    private SmbTestConn smb;
    private Nfs4TestClient nfs;
    private long clientId;
    private int owners;

    @BeforeEach
    void setUp() {
        fs = memoryFs();
        ShareRegistry shares = new ShareRegistry();
        shares.add(new Share(1, "/export", fs, false, 65534, 65534));
        LockManager locks = new LockManager();
        smb = new SmbTestConn(server(shares, locks));
        StateManager state = new StateManager(StateConfig.defaults(), ClientStore.none(), locks, System::nanoTime, 1);
        nfs = Nfs4TestClient.inProcess(new Nfs4Program(Nfs4Services.of(shares, null, 42L).withState(state)
                .withStateChecker(new Nfs4StateChecker(state))));
        clientId = setclientid();
        smb.close(fid(smb.create("f.txt", GENERIC_RW, SHARE_ALL, CREATE, 0)));
    }

    @AfterEach
    void tearDown() {
        nfs.close();
    }

    private long setclientid() {
        Nfs4TestClient.Reply r = nfs.compound(0).op(Nfs4Ops.OP_SETCLIENTID, a -> a.int64(7).opaque(bytes("smb-x"))
                .int32(0x40000000).string("tcp").string("127.0.0.1.3.4").int32(1)).send();
        r.ok(Nfs4Ops.OP_SETCLIENTID);
        long id = r.int64();
        long verf = r.int64();
        nfs.compound(0).op(Nfs4Ops.OP_SETCLIENTID_CONFIRM, a -> a.int64(id).int64(verf)).send()
                .ok(Nfs4Ops.OP_SETCLIENTID_CONFIRM);
        return id;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** NFSv4.0 OPEN (no create) of a file in /export; the compound's status. */
    private int nfsOpen(String name, int access, int deny) {
        return nfs.compound(0).putrootfh().lookup("export").op(Nfs4Ops.OP_OPEN, a -> {
            a.int32(1).int32(access).int32(deny).int64(clientId).opaque(bytes("owner-" + owners++)); // new owner: seqid 1
            a.int32(0); // OPEN4_NOCREATE
            a.int32(0).string(name); // CLAIM_NULL
        }).send().status();
    }

    private int nfsRemove(String name) {
        return nfs.compound(0).putrootfh().lookup("export").op(Nfs4Ops.OP_REMOVE, a -> a.string(name)).send().status();
    }

    @Test
    void shouldRefuseAnNfsOpenForWriteWhileAnSmbOpenDeniesWrite() {
        long f = fid(smb.create("f.txt", READ_DATA, SHARE_READ, OPEN, 0));
        assertEquals(Nfs4Status.SHARE_DENIED, nfsOpen("f.txt", OPEN4_SHARE_ACCESS_WRITE, OPEN4_SHARE_DENY_NONE));
        assertEquals(Nfs4Status.OK, nfsOpen("f.txt", OPEN4_SHARE_ACCESS_READ, OPEN4_SHARE_DENY_NONE));
        smb.close(f);
        assertEquals(Nfs4Status.OK, nfsOpen("f.txt", OPEN4_SHARE_ACCESS_WRITE, OPEN4_SHARE_DENY_NONE));
    }

    @Test
    void shouldRefuseAnSmbWriterWhileAnNfsOpenDeniesWrite() {
        assertEquals(Nfs4Status.OK, nfsOpen("f.txt", OPEN4_SHARE_ACCESS_READ, OPEN4_SHARE_DENY_WRITE));
        assertEquals(NtStatus.SHARING_VIOLATION, status(smb.create("f.txt", WRITE_DATA, SHARE_ALL, OPEN, 0)));
        assertEquals(NtStatus.SUCCESS, status(smb.create("f.txt", READ_DATA, SHARE_ALL, OPEN, 0)));
    }

    @Test
    void shouldKeepTheNewFileWhenNfsRemovedTheDeleteOnCloseOne() {
        long doc = fid(smb.create("f.txt", DELETE | READ_DATA, SHARE_ALL, OPEN, DELETE_ON_CLOSE));
        assertEquals(Nfs4Status.OK, nfsRemove("f.txt"), "NFS REMOVE of a file SMB holds open");
        assertEquals(NtStatus.OBJECT_NAME_NOT_FOUND, status(smb.create("f.txt", READ_DATA, SHARE_ALL, OPEN, 0)),
                "SMB sees the removal at once");
        long fresh = fs.create(new AuthContext(1000, 1000, new int[0], "nfs"), fs.rootId(), "f.txt",
                io.dittofs.core.SetAttr.mode(0666), FileSystem.CreateMode.GUARDED, 0).child().id();
        assertEquals(NtStatus.SUCCESS, status(smb.close(doc)));
        assertEquals(fresh, fs.lookup(AuthContext.ROOT, fs.rootId(), "f.txt").id(),
                "the new file (same owner, so the old handle could delete it) survives the old handle's close");
    }

    @Test
    void shouldDeleteAtCloseWhatNfsDidNotRemove() {
        long doc = fid(smb.create("f.txt", DELETE, SHARE_ALL, OPEN, DELETE_ON_CLOSE));
        assertEquals(NtStatus.SUCCESS, status(smb.close(doc)));
        assertEquals(Nfs4Status.NOENT, nfsRemove("f.txt"));
    }
}
