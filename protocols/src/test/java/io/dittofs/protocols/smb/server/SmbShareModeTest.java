package io.dittofs.protocols.smb.server;

import io.dittofs.core.AuthContext;
import io.dittofs.core.FileSystem;
import io.dittofs.core.FsException;
import io.dittofs.core.lock.LockManager;
import io.dittofs.protocols.smb.NtStatus;
import io.dittofs.protocols.smb.SmbServices;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static io.dittofs.protocols.smb.server.SmbTestConn.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Share modes, delete pending and delete-on-close between two connections of one server
 * (MS-FSA 2.1.5.1.2, 2.1.5.4, 2.1.5.15.3).
 */
class SmbShareModeTest {
    private FileSystem fs;
    private SmbTestConn a;
    private SmbTestConn b;

    @BeforeEach
    void setUp() {
        fs = memoryFs();
        SmbServices server = server(fs, new LockManager());
        a = new SmbTestConn(server);
        b = new SmbTestConn(server);
        a.close(fid(a.create("f.txt", GENERIC_RW, SHARE_ALL, CREATE, 0)));
    }

    @Test
    void shouldRefuseAWriterWhenAnOpenDeniesWrite() {
        long f = fid(a.create("f.txt", READ_DATA, SHARE_READ, OPEN, 0));
        assertEquals(NtStatus.SHARING_VIOLATION, status(b.create("f.txt", WRITE_DATA, SHARE_ALL, OPEN, 0)));
        assertEquals(NtStatus.SUCCESS, status(b.create("f.txt", READ_DATA, SHARE_ALL, OPEN, 0)));
        a.close(f);
        assertEquals(NtStatus.SUCCESS, status(b.create("f.txt", WRITE_DATA, SHARE_ALL, OPEN, 0)), "released at close");
    }

    @Test
    void shouldRefuseAnOpenThatDeniesWhatAnotherOpenHas() {
        fid(a.create("f.txt", GENERIC_RW, SHARE_ALL, OPEN, 0));
        assertEquals(NtStatus.SHARING_VIOLATION, status(b.create("f.txt", READ_DATA, SHARE_READ, OPEN, 0)));
    }

    @Test
    void shouldRefuseDeleteAccessWithoutShareDelete() {
        fid(a.create("f.txt", READ_DATA, SHARE_READ | SHARE_WRITE, OPEN, 0));
        assertEquals(NtStatus.SHARING_VIOLATION, status(b.create("f.txt", DELETE, SHARE_ALL, OPEN, 0)));
        assertEquals(NtStatus.SHARING_VIOLATION,
                status(b.create("f.txt", DELETE, SHARE_ALL, OPEN, DELETE_ON_CLOSE)));
    }

    @Test
    void shouldIgnoreShareModesOfAttributeOnlyOpens() {
        fid(a.create("f.txt", READ_DATA, SHARE_NONE, OPEN, 0));
        assertEquals(NtStatus.SUCCESS, status(b.create("f.txt", READ_ATTRIBUTES, SHARE_NONE, OPEN, 0)));
    }

    @Test
    void shouldNotTruncateWhenTheOverwriteMeetsASharingViolation() {
        long w = fid(a.create("f.txt", GENERIC_RW, SHARE_READ, OPEN, 0));
        a.write(w, 0, new byte[100]);
        assertEquals(NtStatus.SHARING_VIOLATION, status(b.create("f.txt", GENERIC_RW, SHARE_ALL, 5, 0)));
        assertEquals(100, fs.lookup(AuthContext.ROOT, fs.rootId(), "f.txt").size());
    }

    @Test
    void shouldAnswerDeletePendingAndDeleteAtTheLastClose() {
        long keep = fid(a.create("f.txt", READ_DATA, SHARE_ALL, OPEN, 0));
        long del = fid(b.create("f.txt", DELETE, SHARE_ALL, OPEN, 0));
        assertEquals(NtStatus.SUCCESS, status(b.setInfo(del, 1, 13, 0, new byte[] {1})));
        assertEquals(NtStatus.DELETE_PENDING, status(b.create("f.txt", READ_DATA, SHARE_ALL, OPEN, 0)));
        ByteBuffer std = a.queryInfo(keep, 1, 5, 0, 64);
        assertEquals(1, infoBuffer(std)[20], "FileStandardInformation.DeletePending seen by the other open");
        b.close(del);
        fs.lookup(AuthContext.ROOT, fs.rootId(), "f.txt"); // still there: a keeps it open
        a.close(keep);
        assertThrows(FsException.class, () -> fs.lookup(AuthContext.ROOT, fs.rootId(), "f.txt"));
        assertEquals(NtStatus.SUCCESS, status(b.create("f.txt", GENERIC_RW, SHARE_ALL, CREATE, 0)), "name free");
    }

    @Test
    void shouldDeleteOnCloseOnlyWhenTheLastOpenCloses() {
        long keep = fid(a.create("f.txt", READ_DATA, SHARE_ALL, OPEN, 0));
        long doc = fid(b.create("f.txt", DELETE, SHARE_ALL, OPEN, DELETE_ON_CLOSE));
        assertEquals(NtStatus.SUCCESS, status(b.create("f.txt", READ_DATA, SHARE_ALL, OPEN, 0)),
                "delete-on-close is not pending before its open closes");
        b.close(doc);
        assertEquals(NtStatus.DELETE_PENDING, status(b.create("f.txt", READ_DATA, SHARE_ALL, OPEN, 0)));
        fs.lookup(AuthContext.ROOT, fs.rootId(), "f.txt");
        a.close(keep);
        assertEquals(NtStatus.DELETE_PENDING, status(b.create("f.txt", READ_DATA, SHARE_ALL, OPEN, 0)),
                "b's other open still holds it");
    }

    @Test
    void shouldRefuseDeleteOnCloseOfANonEmptyDirectory() {
        a.close(fid(a.create("d", GENERIC_RW, SHARE_ALL, CREATE, DIRECTORY)));
        a.close(fid(a.create("d\\x", GENERIC_RW, SHARE_ALL, CREATE, 0)));
        assertEquals(NtStatus.DIRECTORY_NOT_EMPTY,
                status(a.create("d", DELETE, SHARE_ALL, OPEN, DIRECTORY | DELETE_ON_CLOSE)));
    }

    @Test
    void shouldNotReplaceAFileThatIsOpenByRename() {
        a.close(fid(a.create("g.txt", GENERIC_RW, SHARE_ALL, CREATE, 0)));
        fid(b.create("g.txt", READ_DATA, SHARE_ALL, OPEN, 0));
        long f = fid(a.create("f.txt", DELETE, SHARE_ALL, OPEN, 0));
        assertEquals(NtStatus.ACCESS_DENIED, status(a.setInfo(f, 1, 10, 0, rename(true, "g.txt"))));
    }

    @Test
    void shouldRefuseARenameWhileItsDirectoryIsOpenWithDeleteOrWithoutShareDelete() {
        a.close(fid(a.create("d", GENERIC_RW, SHARE_ALL, CREATE, DIRECTORY)));
        long f = fid(a.create("d\\x", GENERIC_RW | DELETE, SHARE_NONE, CREATE, 0));
        long d = fid(b.create("d", READ_DATA, SHARE_READ | SHARE_WRITE, OPEN, DIRECTORY));
        assertEquals(NtStatus.SHARING_VIOLATION, status(a.setInfo(f, 1, 10, 0, rename(false, "d\\y"))));
        b.close(d);
        d = fid(b.create("d", READ_DATA | DELETE, SHARE_ALL, OPEN, DIRECTORY));
        assertEquals(NtStatus.SHARING_VIOLATION, status(a.setInfo(f, 1, 10, 0, rename(false, "d\\y"))));
        b.close(d);
        d = fid(b.create("d", READ_DATA, SHARE_ALL, OPEN, DIRECTORY));
        assertEquals(NtStatus.SUCCESS, status(a.setInfo(f, 1, 10, 0, rename(false, "d\\y"))));
    }

    @Test
    void shouldRefuseInvalidCreateOptionCombinations() {
        assertEquals(NtStatus.INVALID_PARAMETER, status(a.create("h", GENERIC_RW, SHARE_ALL, 5, DIRECTORY)));
        assertEquals(NtStatus.INVALID_PARAMETER, status(a.create("h", GENERIC_RW, 8, CREATE, 0)));
    }
}
