package io.dittofs.protocols.smb.server;

import io.dittofs.core.AuthContext;
import io.dittofs.core.FileSystem;
import io.dittofs.core.SetAttr;
import io.dittofs.core.lock.LockManager;
import io.dittofs.protocols.smb.NtStatus;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * CHANGE_NOTIFY (MS-SMB2 3.3.5.19): a watch on a directory handle completes asynchronously with
 * FILE_NOTIFY_INFORMATION entries for changes made over SMB and straight through the shared
 * {@link FileSystem} (as NFS makes them); buffered changes answer at once; overflow gives
 * NOTIFY_ENUM_DIR; close gives NOTIFY_CLEANUP; CANCEL gives CANCELLED; WATCH_TREE reaches
 * subdirectories; nobody listening leaves the file system's hook inactive.
 */
@Timeout(30)
class SmbNotifyTest {
    private static final int DIRECTORY = 0x1;
    private static final int FILE_NAME = 0x1;
    private static final int DIR_NAME = 0x2;
    private static final int ATTRIBUTES = 0x4;
    private static final int SIZE = 0x8;
    private static final int LAST_WRITE = 0x10;
    private static final int WATCH_TREE = 0x1;
    private static final int ADDED = 1;
    private static final int REMOVED = 2;
    private static final int MODIFIED = 3;
    private static final int OLD_NAME = 4;
    private static final int NEW_NAME = 5;
    private FileSystem fs;
    private Harness c;
    private long dirId;

    @BeforeEach
    void setUp() {
        fs = SmbFixtures.memoryFs();
        c = new Harness(new LockManager(), fs);
        dirId = fs.mkdir(AuthContext.ROOT, fs.rootId(), "d", SetAttr.mode(0777)).child().id();
    }

    private ByteBuffer notify(long fid, int flags, int maxOut, int filter) {
        ByteBuffer b = Harness.body(32);
        b.putShort((short) 32).putShort((short) flags).putInt(maxOut).putLong(fid).putLong(fid).putInt(filter)
                .putInt(0);
        return c.call(15, b);
    }

    private static long pending(ByteBuffer r) {
        assertEquals(NtStatus.PENDING, r.getInt(8), NtStatus.hex(r.getInt(8)));
        assertTrue((r.getInt(16) & 0x2) != 0);
        return r.getLong(32);
    }

    private ByteBuffer nextFinal() throws InterruptedException {
        ByteBuffer f = c.nextFinal(5000);
        assertNotNull(f, "final response");
        assertEquals(15, f.getShort(12));
        return f;
    }

    /** The (action, name) pairs of a CHANGE_NOTIFY response. */
    private static List<String> entries(ByteBuffer r) {
        assertEquals(NtStatus.SUCCESS, r.getInt(8), NtStatus.hex(r.getInt(8)));
        assertEquals(9, r.getShort(64));
        int off = r.getShort(66);
        int len = r.getInt(68);
        List<String> out = new ArrayList<>();
        int at = off;
        while (len > 0) {
            int next = r.getInt(at);
            int action = r.getInt(at + 4);
            int n = r.getInt(at + 8);
            byte[] name = new byte[n];
            r.get(at + 12, name);
            out.add(action + ":" + new String(name, StandardCharsets.UTF_16LE));
            if (next == 0) {
                break;
            }
            at += next;
        }
        return out;
    }

    @Test
    void shouldCompleteAWaitingNotifyWhenAFileIsCreatedOverSmb() throws Exception {
        long d = c.create("d", DIRECTORY);
        long mid = c.mid;
        long asyncId = pending(notify(d, 0, 4096, FILE_NAME));
        assertNull(c.nextFinal(200));
        c.create("d\\new.txt", 0);
        ByteBuffer f = nextFinal();
        assertEquals(mid, f.getLong(24));
        assertEquals(asyncId, f.getLong(32));
        assertEquals(List.of(ADDED + ":new.txt"), entries(f));
    }

    @Test
    void shouldReportChangesMadeThroughTheFileSystemAsNfsMakesThem() throws Exception {
        long d = c.create("d", DIRECTORY);
        pending(notify(d, 0, 4096, FILE_NAME | DIR_NAME | ATTRIBUTES | SIZE | LAST_WRITE));
        long f = fs.create(AuthContext.ROOT, dirId, "nfs.txt", SetAttr.mode(0644), FileSystem.CreateMode.GUARDED, 0)
                .child().id();
        assertEquals(List.of(ADDED + ":nfs.txt"), entries(nextFinal()));
        fs.rename(AuthContext.ROOT, dirId, "nfs.txt", dirId, "moved.txt");
        fs.setattr(AuthContext.ROOT, f, SetAttr.mode(0600), -1);
        fs.mkdir(AuthContext.ROOT, dirId, "sub", SetAttr.mode(0755));
        fs.remove(AuthContext.ROOT, dirId, "moved.txt");
        assertEquals(List.of(OLD_NAME + ":nfs.txt", NEW_NAME + ":moved.txt", MODIFIED + ":moved.txt",
                ADDED + ":sub", REMOVED + ":moved.txt"), entries(notify(d, 0, 4096, 0x17)),
                "buffered between requests, answered at once");
    }

    @Test
    void shouldFilterByCompletionFilterAndWatchSubdirectoriesOnlyWithWatchTree() throws Exception {
        long sub = fs.mkdir(AuthContext.ROOT, dirId, "sub", SetAttr.mode(0777)).child().id();
        long flat = c.create("d", DIRECTORY);
        long deep = c.create("d", DIRECTORY);
        pending(notify(flat, 0, 4096, DIR_NAME));
        pending(notify(deep, WATCH_TREE, 4096, FILE_NAME));
        fs.create(AuthContext.ROOT, sub, "x", SetAttr.mode(0644), FileSystem.CreateMode.GUARDED, 0);
        assertEquals(List.of(ADDED + ":sub\\x"), entries(nextFinal()), "only the tree watch");
        fs.create(AuthContext.ROOT, dirId, "y", SetAttr.mode(0644), FileSystem.CreateMode.GUARDED, 0);
        assertNull(c.nextFinal(200), "a file name change does not match DIR_NAME; the tree watch is not re-armed");
        fs.mkdir(AuthContext.ROOT, dirId, "z", SetAttr.mode(0755));
        assertEquals(List.of(ADDED + ":z"), entries(nextFinal()));
    }

    @Test
    void shouldAnswerNotifyEnumDirWhenMoreChangedThanFits() throws Exception {
        long d = c.create("d", DIRECTORY);
        pending(notify(d, 0, 64, FILE_NAME));
        assertTrue(entries(nextFinalAfter(() -> fs.create(AuthContext.ROOT, dirId, "a", SetAttr.mode(0644),
                FileSystem.CreateMode.GUARDED, 0))).contains(ADDED + ":a"));
        for (int i = 0; i < 10; i++) {
            fs.create(AuthContext.ROOT, dirId, "file-" + i, SetAttr.mode(0644), FileSystem.CreateMode.GUARDED, 0);
        }
        ByteBuffer r = notify(d, 0, 64, FILE_NAME);
        assertEquals(NtStatus.NOTIFY_ENUM_DIR, r.getInt(8), NtStatus.hex(r.getInt(8)));
        pending(notify(d, 0, 64, FILE_NAME));
        fs.remove(AuthContext.ROOT, dirId, "a");
        assertEquals(List.of(REMOVED + ":a"), entries(nextFinal()), "the watch goes on after an overflow");
    }

    private ByteBuffer nextFinalAfter(Runnable change) throws InterruptedException {
        change.run();
        return nextFinal();
    }

    @Test
    void shouldEndWithNotifyCleanupOnCloseAndCancelledOnCancel() throws Exception {
        long d = c.create("d", DIRECTORY);
        long mid = c.mid;
        long asyncId = pending(notify(d, 0, 4096, FILE_NAME));
        c.cancel(true, asyncId);
        ByteBuffer f = nextFinal();
        assertEquals(NtStatus.CANCELLED, f.getInt(8));
        assertEquals(mid, f.getLong(24));
        pending(notify(d, 0, 4096, FILE_NAME));
        assertTrue(fs.changes().active());
        assertEquals(NtStatus.SUCCESS, c.close(d));
        assertEquals(0x10B, nextFinal().getInt(8), "STATUS_NOTIFY_CLEANUP");
        assertFalse(fs.changes().active(), "the watch left with its handle");
        assertEquals(0, c.conn.async().size());
    }

    @Test
    void shouldEndWithDeletePendingWhenTheWatchedDirectoryIsRemoved() throws Exception {
        long d = c.create("d", DIRECTORY);
        pending(notify(d, 0, 1000, FILE_NAME | DIR_NAME));
        fs.rmdir(AuthContext.ROOT, fs.rootId(), "d");
        assertEquals(NtStatus.DELETE_PENDING, nextFinal().getInt(8));
        assertEquals(NtStatus.DELETE_PENDING, notify(d, 0, 1000, FILE_NAME).getInt(8), "and so do later requests");
    }

    @Test
    void shouldRefuseNotifyOnAFileAndAnOversizedBuffer() {
        long f = c.create("d\\f", 0);
        assertEquals(NtStatus.INVALID_PARAMETER, notify(f, 0, 4096, FILE_NAME).getInt(8));
        long d = c.create("d", DIRECTORY);
        assertEquals(NtStatus.INVALID_PARAMETER, notify(d, 0, 64 << 20, FILE_NAME).getInt(8));
        assertFalse(fs.changes().active());
    }
}
