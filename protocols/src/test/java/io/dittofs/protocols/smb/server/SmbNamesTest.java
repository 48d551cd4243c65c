package io.dittofs.protocols.smb.server;

import io.dittofs.core.AuthContext;
import io.dittofs.core.FileSystem;
import io.dittofs.core.FsException;
import io.dittofs.core.SetAttr;
import io.dittofs.core.lock.LockManager;
import io.dittofs.protocols.smb.NtStatus;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

import static io.dittofs.protocols.smb.server.SmbTestConn.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Case-insensitive SMB names over a case-sensitive namespace, and the Windows name rules. */
class SmbNamesTest {
    private FileSystem fs;
    private SmbTestConn c;

    @BeforeEach
    void setUp() {
        fs = memoryFs();
        c = new SmbTestConn(server(fs, new LockManager()));
    }

    private long inode(long fid) {
        return ByteBuffer.wrap(infoBuffer(c.queryInfo(fid, 1, 6, 0, 8))).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    private String normalizedName(long fid) {
        byte[] b = infoBuffer(c.queryInfo(fid, 1, 48, 0, 1024));
        int len = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getInt();
        return new String(b, 4, len, StandardCharsets.UTF_16LE);
    }

    @Test
    void shouldOpenANameGivenInAnotherCase() {
        c.close(fid(c.create("Dir", GENERIC_RW, SHARE_ALL, CREATE, DIRECTORY)));
        c.close(fid(c.create("Dir\\MixedCase.txt", GENERIC_RW, SHARE_ALL, CREATE, 0)));
        long f = fid(c.create("DIR\\mixedcase.TXT", GENERIC_RW, SHARE_ALL, OPEN, 0));
        assertEquals(fs.lookup(AuthContext.ROOT, fs.lookup(AuthContext.ROOT, fs.rootId(), "Dir").id(),
                "MixedCase.txt").id(), inode(f));
        assertEquals("Dir\\MixedCase.txt", normalizedName(f), "the stored names");
    }

    @Test
    void shouldNotCreateASecondNameThatDiffersOnlyInCase() {
        c.close(fid(c.create("Foo", GENERIC_RW, SHARE_ALL, CREATE, 0)));
        ByteBuffer r = c.create("FOO", GENERIC_RW, SHARE_ALL, OPEN_IF, 0);
        assertEquals(1, r.getInt(64 + 4), "FILE_OPENED, not created");
        assertEquals(NtStatus.OBJECT_NAME_COLLISION, status(c.create("foo", GENERIC_RW, SHARE_ALL, CREATE, 0)));
        assertThrows(FsException.class, () -> fs.lookup(AuthContext.ROOT, fs.rootId(), "FOO"));
    }

    @Test
    void shouldPreferTheExactNameWhenNfsMadeTwoThatDifferInCase() {
        long lower = fs.create(AuthContext.ROOT, fs.rootId(), "a", SetAttr.mode(0666),
                FileSystem.CreateMode.GUARDED, 0).child().id();
        long upper = fs.create(AuthContext.ROOT, fs.rootId(), "A", SetAttr.mode(0666),
                FileSystem.CreateMode.GUARDED, 0).child().id();
        assertEquals(upper, inode(fid(c.create("A", GENERIC_RW, SHARE_ALL, OPEN, 0))));
        assertEquals(lower, inode(fid(c.create("a", GENERIC_RW, SHARE_ALL, OPEN, 0))));
    }

    @Test
    void shouldChangeTheCaseOfANameByRename() {
        c.close(fid(c.create("name.txt", GENERIC_RW, SHARE_ALL, CREATE, 0)));
        long f = fid(c.create("name.txt", DELETE, SHARE_ALL, OPEN, 0));
        assertEquals(NtStatus.SUCCESS, status(c.setInfo(f, 1, 10, 0, rename(false, "NAME.txt"))));
        c.close(f);
        fs.lookup(AuthContext.ROOT, fs.rootId(), "NAME.txt");
        assertThrows(FsException.class, () -> fs.lookup(AuthContext.ROOT, fs.rootId(), "name.txt"));
    }

    @Test
    void shouldReplaceTheStoredNameWhenRenamingOntoAnotherCase() {
        c.close(fid(c.create("src", GENERIC_RW, SHARE_ALL, CREATE, 0)));
        c.close(fid(c.create("Target", GENERIC_RW, SHARE_ALL, CREATE, 0)));
        long f = fid(c.create("src", DELETE, SHARE_ALL, OPEN, 0));
        assertEquals(NtStatus.OBJECT_NAME_COLLISION, status(c.setInfo(f, 1, 10, 0, rename(false, "TARGET"))));
        assertEquals(NtStatus.SUCCESS, status(c.setInfo(f, 1, 10, 0, rename(true, "TARGET"))));
        assertEquals(3, fs.readdir(AuthContext.ROOT, fs.rootId(), 0, 10, false).entries().size(),
                "., .. and one name");
    }

    @Test
    void shouldRefuseNamesWindowsDoesNotAllow() {
        for (String bad : new String[] {"a:stream", "a*b", "a?", "x<y", "x>y", "p|q", "q\"", "trailing ", "ctl\u0001"}) {
            assertEquals(NtStatus.OBJECT_NAME_INVALID, status(c.create(bad, GENERIC_RW, SHARE_ALL, OPEN_IF, 0)), bad);
        }
        assertEquals(NtStatus.OBJECT_NAME_INVALID, status(c.create("sub:x\\f", GENERIC_RW, SHARE_ALL, OPEN_IF, 0)));
    }
}
