package io.dittofs.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.dittofs.core.AuthContext;
import io.dittofs.core.FileSystem;
import io.dittofs.core.FileSystem.CreateMode;
import io.dittofs.core.FileType;
import io.dittofs.core.FsError;
import io.dittofs.core.FsException;
import io.dittofs.core.Inode;
import io.dittofs.core.SetAttr;
import io.dittofs.core.SetAttr.TimeSet;
import io.dittofs.storage.block.memory.MemoryBlockStore;
import io.dittofs.storage.metadata.memory.MemoryMetadataStore;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The ownership and mode rules of core's {@link FileSystem} (AttrOps, NamespaceOps, Permissions)
 * that the e2e PosixDifferentialIT found to differ from Linux, each pinned on its own here, over
 * the in-memory stores (core has no store of its own to run them on). The expected values are
 * what Linux (tmpfs, 6.1) does for the same calls.
 */
class PosixRulesTest {
    private static final AuthContext ROOT = AuthContext.ROOT;
    private static final AuthContext ALICE = new AuthContext(1000, 1000, new int[0], "t");
    private static final AuthContext BOB = new AuthContext(1001, 1001, new int[0], "t");

    private final AtomicLong time = new AtomicLong(1_000_000_000L);
    private MemoryMetadataStore meta;
    private MemoryBlockStore blocks;
    private FileSystem fs;
    private long root;

    @BeforeEach
    void setUp() {
        meta = new MemoryMetadataStore();
        blocks = new MemoryBlockStore();
        fs = new FileSystem(meta, blocks, false, () -> time.addAndGet(1000));
        root = fs.rootId();
        fs.setattr(ROOT, root, SetAttr.mode(0777), -1);
    }

    @AfterEach
    void tearDown() {
        blocks.close();
        meta.close();
    }

    private static void assertFsError(FsError expected, Executable op) {
        FsException e = assertThrows(FsException.class, op);
        assertEquals(expected, e.error(), e.getMessage());
    }

    private static SetAttr owner(long uid, long gid) {
        return new SetAttr(-1, uid, gid, -1, TimeSet.DONT_CHANGE, TimeSet.DONT_CHANGE);
    }

    private static SetAttr size(long s) {
        return new SetAttr(-1, -1, -1, s, TimeSet.DONT_CHANGE, TimeSet.DONT_CHANGE);
    }

    private Inode file(AuthContext ctx, String name, int mode) {
        Inode f = fs.create(ctx, root, name, SetAttr.mode(0644), CreateMode.GUARDED, 0).child();
        return fs.setattr(ctx, f.id(), SetAttr.mode(mode), -1).after();
    }

    private int modeAfter(AuthContext ctx, long id, SetAttr sa) {
        return fs.setattr(ctx, id, sa, -1).after().mode();
    }

    @Test
    void shouldRefuseNoOpChownWhenCallerIsNotTheOwner() {
        Inode f = file(ALICE, "f", 0644);
        // Linux chown_ok/chgrp_ok: lchown(f, 1000, -1) by uid 1001 is EPERM although nothing changes
        assertFsError(FsError.NOT_OWNER, () -> fs.setattr(BOB, f.id(), owner(ALICE.uid(), -1), -1));
        assertFsError(FsError.NOT_OWNER, () -> fs.setattr(BOB, f.id(), owner(-1, ALICE.gid()), -1));
        assertEquals(0644, modeAfter(ALICE, f.id(), owner(ALICE.uid(), ALICE.gid())), "the owner's no-op chown is fine");
    }

    @Test
    void shouldClearSetIdBitsWhenRootChownsAnyNonDirectoryToTheSameIds() {
        Inode fifo = fs.mknod(ROOT, root, "fifo", FileType.FIFO, 0, SetAttr.mode(06755)).child();
        assertEquals(06755, fifo.mode(), "root's mknod keeps the set-id bits");
        assertEquals(0755, modeAfter(ROOT, fifo.id(), owner(0, 0)), "S_ISUID, and S_ISGID with group-exec, go");
        Inode chr = fs.mknod(ROOT, root, "chr", FileType.CHAR_DEVICE, (1L << 32) | 3, SetAttr.mode(04666)).child();
        assertEquals(0666, modeAfter(ROOT, chr.id(), owner(-1, 0)));
        Inode noGroupExec = file(ROOT, "f", 02745);
        assertEquals(02745, modeAfter(ROOT, noGroupExec.id(), owner(0, -1)), "S_ISGID without group-exec is mandatory locking");
        Inode dir = fs.mkdir(ROOT, root, "d", SetAttr.mode(0755)).child();
        fs.setattr(ROOT, dir.id(), SetAttr.mode(06755), -1);
        assertEquals(06755, modeAfter(ROOT, dir.id(), owner(ALICE.uid(), ALICE.gid())), "directories keep theirs");
    }

    @Test
    void shouldClearSetgidWithGroupExecWhenNonRootTruncates() {
        Inode f = file(ALICE, "f", 06775);
        assertEquals(0775, modeAfter(ALICE, f.id(), size(0)));
        Inode locking = file(ALICE, "g", 02765);
        assertEquals(02765, modeAfter(ALICE, locking.id(), size(0)), "S_ISGID without group-exec stays");
        Inode byRoot = file(ALICE, "h", 06775);
        assertEquals(06775, modeAfter(ROOT, byRoot.id(), size(0)), "root's truncate keeps them");
    }

    @Test
    void shouldKeepOnlyPermissionAndStickyBitsOfARequestedDirectoryMode() {
        assertEquals(0755, fs.mkdir(ROOT, root, "a", SetAttr.mode(06755)).child().mode());
        assertEquals(01777, fs.mkdir(ROOT, root, "b", SetAttr.mode(01777)).child().mode());
    }

    @Test
    void shouldRefuseHardLinkToDirectoryWithNotOwner() {
        Inode d = fs.mkdir(ROOT, root, "d", SetAttr.mode(0755)).child();
        assertFsError(FsError.NOT_OWNER, () -> fs.link(ROOT, d.id(), root, "dirlink")); // link(2): EPERM
    }

    @Test
    void shouldRefuseRemoveAndRenameOfOthersFileInStickyDirectoryWithNotOwner() {
        Inode tmp = fs.mkdir(ROOT, root, "tmp", SetAttr.mode(01777)).child();
        fs.create(ALICE, tmp.id(), "alice", SetAttr.mode(0666), CreateMode.GUARDED, 0);
        // may_delete: EPERM, not EACCES, when the sticky bit is what refuses
        assertFsError(FsError.NOT_OWNER, () -> fs.remove(BOB, tmp.id(), "alice"));
        assertFsError(FsError.NOT_OWNER, () -> fs.rename(BOB, tmp.id(), "alice", tmp.id(), "stolen"));
    }
}
