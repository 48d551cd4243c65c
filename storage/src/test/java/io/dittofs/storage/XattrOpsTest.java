package io.dittofs.storage;

import io.dittofs.core.AuthContext;
import io.dittofs.core.FileSystem;
import io.dittofs.core.FileSystem.CreateMode;
import io.dittofs.core.FsError;
import io.dittofs.core.FsException;
import io.dittofs.core.Inode;
import io.dittofs.core.Results.Wcc;
import io.dittofs.core.SetAttr;
import io.dittofs.core.XattrOps;
import io.dittofs.core.XattrOps.SetMode;
import io.dittofs.storage.block.memory.MemoryBlockStore;
import io.dittofs.storage.metadata.memory.MemoryMetadataStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link XattrOps}: RFC 8276 create/replace semantics, Linux limits and permission rules, ctime. */
class XattrOpsTest {
    private static final AuthContext ROOT = AuthContext.ROOT;
    private static final AuthContext ALICE = new AuthContext(1000, 1000, new int[0], "t");
    private static final AuthContext BOB = new AuthContext(1001, 1001, new int[0], "t");

    private final AtomicLong time = new AtomicLong(1_000_000_000L);
    private FileSystem fs;
    private XattrOps x;
    private long file;

    @BeforeEach
    void setUp() {
        fs = new FileSystem(new MemoryMetadataStore(), new MemoryBlockStore(), false, () -> time.addAndGet(1000));
        fs.setattr(ROOT, fs.rootId(), SetAttr.mode(0777), -1);
        x = fs.xattrs();
        file = fs.create(ALICE, fs.rootId(), "f", SetAttr.mode(0644), CreateMode.GUARDED, 0).child().id();
    }

    private static void fails(FsError want, Executable e) {
        assertEquals(want, assertThrows(FsException.class, e).error());
    }

    @Test
    void shouldReadBackValueWhenSet() {
        x.set(ALICE, file, "foo", new byte[] {1, 2}, SetMode.EITHER);
        assertArrayEquals(new byte[] {1, 2}, x.get(BOB, file, "foo"), "others with read permission read it");
        assertEquals(List.of("foo"), x.list(ALICE, file));
        assertEquals(1, x.all(ALICE, file).size());
    }

    @Test
    void shouldFailNoXattrWhenGettingOrRemovingMissing() {
        fails(FsError.NO_XATTR, () -> x.get(ALICE, file, "nope"));
        fails(FsError.NO_XATTR, () -> x.remove(ALICE, file, "nope"));
    }

    @Test
    void shouldHonourCreateAndReplaceModes() {
        fails(FsError.NO_XATTR, () -> x.set(ALICE, file, "a", new byte[] {1}, SetMode.REPLACE));
        x.set(ALICE, file, "a", new byte[] {1}, SetMode.CREATE);
        fails(FsError.EXISTS, () -> x.set(ALICE, file, "a", new byte[] {2}, SetMode.CREATE));
        x.set(ALICE, file, "a", new byte[] {3}, SetMode.REPLACE);
        assertArrayEquals(new byte[] {3}, x.get(ALICE, file, "a"));
    }

    @Test
    void shouldMoveCtimeButNotMtimeWhenSetOrRemoved() {
        Inode before = fs.getattr(file);
        Wcc w = x.set(ALICE, file, "a", new byte[] {1}, SetMode.EITHER);
        assertEquals(before.ctimeNs(), w.before().ctimeNs());
        assertTrue(w.after().ctimeNs() > before.ctimeNs());
        assertEquals(before.mtimeNs(), w.after().mtimeNs());
        assertEquals(w.after().ctimeNs(), fs.getattr(file).ctimeNs());
        Wcc r = x.remove(ALICE, file, "a");
        assertTrue(r.after().ctimeNs() > w.after().ctimeNs());
    }

    @Test
    void shouldEnforceLinuxLimits() {
        fails(FsError.XATTR_TOO_BIG, () -> x.set(ALICE, file, "big", new byte[XattrOps.VALUE_MAX + 1], SetMode.EITHER));
        x.set(ALICE, file, "max", new byte[XattrOps.VALUE_MAX], SetMode.EITHER);
        fails(FsError.NAME_TOO_LONG, () -> x.set(ALICE, file, "n".repeat(256), new byte[1], SetMode.EITHER));
        x.set(ALICE, file, "n".repeat(255), new byte[1], SetMode.EITHER);
        fails(FsError.INVALID, () -> x.set(ALICE, file, "", new byte[1], SetMode.EITHER));
        fails(FsError.INVALID, () -> x.set(ALICE, file, "a\0b", new byte[1], SetMode.EITHER));
    }

    @Test
    void shouldFailNoSpaceAndKeepNothingWhenObjectTotalIsExceeded() {
        byte[] v = new byte[XattrOps.VALUE_MAX];
        int fits = XattrOps.TOTAL_MAX / (XattrOps.VALUE_MAX + 3) ;
        for (int i = 0; i < fits; i++) {
            x.set(ALICE, file, "v" + i, v, SetMode.EITHER);
        }
        fails(FsError.NO_SPACE, () -> x.set(ALICE, file, "last", v, SetMode.EITHER));
        assertEquals(fits, x.list(ALICE, file).size(), "the failed set left nothing behind");
    }

    @Test
    void shouldRequireReadPermissionToReadAndList() {
        x.set(ALICE, file, "a", new byte[] {1}, SetMode.EITHER);
        fs.setattr(ALICE, file, SetAttr.mode(0600), -1);
        fails(FsError.ACCESS_DENIED, () -> x.get(BOB, file, "a"));
        fails(FsError.ACCESS_DENIED, () -> x.list(BOB, file));
        assertArrayEquals(new byte[] {1}, x.get(ROOT, file, "a"));
    }

    @Test
    void shouldRequireWritePermissionOrOwnershipToChange() {
        fails(FsError.ACCESS_DENIED, () -> x.set(BOB, file, "a", new byte[] {1}, SetMode.EITHER));
        fs.setattr(ALICE, file, SetAttr.mode(0444), -1);
        x.set(ALICE, file, "a", new byte[] {1}, SetMode.EITHER); // the owner, as for NFS writes
        fails(FsError.ACCESS_DENIED, () -> x.remove(BOB, file, "a"));
        fs.setattr(ALICE, file, SetAttr.mode(0666), -1);
        x.remove(BOB, file, "a");
    }

    @Test
    void shouldRefuseUserXattrsOnSymlinksAndOthersInStickyDirectory() {
        long link = fs.symlink(ALICE, fs.rootId(), "l", "f", SetAttr.mode(0777)).child().id();
        fails(FsError.NOT_OWNER, () -> x.set(ALICE, link, "a", new byte[] {1}, SetMode.EITHER));
        long dir = fs.mkdir(ALICE, fs.rootId(), "d", SetAttr.mode(01777)).child().id();
        fails(FsError.NOT_OWNER, () -> x.set(BOB, dir, "a", new byte[] {1}, SetMode.EITHER));
        x.set(ALICE, dir, "a", new byte[] {1}, SetMode.EITHER);
    }

    @Test
    void shouldRefuseChangesOnReadOnlyShare() {
        FileSystem ro = new FileSystem(fs.metadataStore(), new MemoryBlockStore(), true);
        fails(FsError.READ_ONLY, () -> ro.xattrs().set(ALICE, file, "a", new byte[] {1}, SetMode.EITHER));
    }

    @Test
    void shouldApplyBatchAtomicallyWhenUpdating() {
        x.set(ALICE, file, "gone", new byte[] {1}, SetMode.EITHER);
        x.update(ALICE, file, List.of(new XattrOps.Change("gone", null), new XattrOps.Change("new", new byte[] {2}),
                new XattrOps.Change("absent", null)));
        Map<String, byte[]> all = x.all(ALICE, file);
        assertEquals(List.of("new"), List.copyOf(all.keySet()));
    }

    @Test
    void shouldDropAttributesWhenFileIsRemoved() {
        x.set(ALICE, file, "a", new byte[] {1}, SetMode.EITHER);
        fs.remove(ALICE, fs.rootId(), "f");
        assertEquals(List.of(), fs.metadataStore().read(t -> t.listXattrs(file)));
    }
}
