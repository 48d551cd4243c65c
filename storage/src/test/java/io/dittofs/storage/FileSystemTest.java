package io.dittofs.storage;

import io.dittofs.core.AuthContext;
import io.dittofs.core.FileSystem;
import io.dittofs.core.FileSystem.CreateMode;
import io.dittofs.core.FileType;
import io.dittofs.core.FsError;
import io.dittofs.core.FsException;
import io.dittofs.core.Inode;
import io.dittofs.core.Results.Created;
import io.dittofs.core.Results.DirPage;
import io.dittofs.core.Results.Entry;
import io.dittofs.core.Results.Read;
import io.dittofs.core.Results.Wcc;
import io.dittofs.core.SetAttr;
import io.dittofs.core.SetAttr.TimeSet;
import io.dittofs.core.Stability;
import io.dittofs.storage.block.memory.MemoryBlockStore;
import io.dittofs.storage.metadata.memory.MemoryMetadataStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** POSIX semantics of {@link FileSystem} over the in-memory stores, as an NFS server needs them. */
class FileSystemTest {
    private static final AuthContext ROOT = AuthContext.ROOT;
    private static final AuthContext ALICE = new AuthContext(1000, 1000, new int[] {2000}, "t");
    private static final AuthContext BOB = new AuthContext(1001, 1001, new int[0], "t");
    /** In Alice's primary group only as a supplementary group. */
    private static final AuthContext CAROL = new AuthContext(1002, 1002, new int[] {1000}, "t");

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
    }

    @AfterEach
    void tearDown() {
        blocks.close();
        meta.close();
    }

    // ---------------------------------------------------------------- helpers

    private static void assertFsError(FsError expected, Executable op) {
        FsException e = assertThrows(FsException.class, op);
        assertEquals(expected, e.error(), e.getMessage());
    }

    private static SetAttr mode(int m) {
        return SetAttr.mode(m);
    }

    private static SetAttr owner(long uid, long gid) {
        return new SetAttr(-1, uid, gid, -1, TimeSet.DONT_CHANGE, TimeSet.DONT_CHANGE);
    }

    private static SetAttr size(long s) {
        return new SetAttr(-1, -1, -1, s, TimeSet.DONT_CHANGE, TimeSet.DONT_CHANGE);
    }

    private Inode create(AuthContext ctx, long dir, String name, int mode) {
        return fs.create(ctx, dir, name, mode(mode), CreateMode.GUARDED, 0).child();
    }

    private Inode mkdir(AuthContext ctx, long dir, String name, int mode) {
        return fs.mkdir(ctx, dir, name, mode(mode)).child();
    }

    /** A directory under the root owned by {@code owner}, with {@code mode}. */
    private Inode dirOf(AuthContext owner, String name, int mode) {
        Inode d = mkdir(ROOT, root, name, 0755);
        fs.setattr(ROOT, d.id(), owner(owner.uid(), owner.gid()), -1);
        fs.setattr(ROOT, d.id(), mode(mode), -1);
        return fs.getattr(d.id());
    }

    private void write(AuthContext ctx, long id, long offset, String text) {
        fs.write(ctx, id, offset, MemorySegment.ofArray(text.getBytes(StandardCharsets.UTF_8)), Stability.FILE_SYNC);
    }

    private byte[] readBytes(AuthContext ctx, long id, long offset, int count) {
        byte[] buf = new byte[count];
        Read r = fs.read(ctx, id, offset, MemorySegment.ofArray(buf));
        return Arrays.copyOf(buf, r.count());
    }

    private String read(AuthContext ctx, long id) {
        return new String(readBytes(ctx, id, 0, 1 << 16), StandardCharsets.UTF_8);
    }

    // ---------------------------------------------------------------- create and lookup

    @Test
    void shouldLookupCreatedFileAndDotEntries() {
        Inode d = mkdir(ROOT, root, "d", 0755);
        Inode f = create(ROOT, d.id(), "f", 0640);
        assertEquals(FileType.REGULAR, f.type());
        assertEquals(0640, f.mode());
        assertEquals(1, f.nlink());
        assertEquals(f.id(), fs.lookup(ROOT, d.id(), "f").id());
        assertEquals(d.id(), fs.lookup(ROOT, d.id(), ".").id());
        assertEquals(root, fs.lookup(ROOT, d.id(), "..").id());
        assertEquals(root, fs.lookup(ROOT, root, "..").id(), "the root is its own parent");
        assertFsError(FsError.NOT_FOUND, () -> fs.lookup(ROOT, d.id(), "missing"));
        assertFsError(FsError.NOT_DIRECTORY, () -> fs.lookup(ROOT, f.id(), "x"));
    }

    @Test
    void shouldRefuseGuardedCreateWhenNameExists() {
        create(ROOT, root, "f", 0644);
        assertFsError(FsError.EXISTS, () -> fs.create(ROOT, root, "f", SetAttr.NONE, CreateMode.GUARDED, 0));
        assertFsError(FsError.EXISTS, () -> fs.create(ROOT, root, ".", SetAttr.NONE, CreateMode.GUARDED, 0));
    }

    @Test
    void shouldReplayExclusiveCreateWhenVerifierMatches() {
        Created first = fs.create(ALICE, dirOf(ALICE, "a", 0755).id(), "f", SetAttr.NONE, CreateMode.EXCLUSIVE, 0xABCDL);
        long dir = fs.lookup(ROOT, root, "a").id();
        Created replay = fs.create(ALICE, dir, "f", SetAttr.NONE, CreateMode.EXCLUSIVE, 0xABCDL);
        assertEquals(first.child().id(), replay.child().id());
        assertFsError(FsError.EXISTS, () -> fs.create(ALICE, dir, "f", SetAttr.NONE, CreateMode.EXCLUSIVE, 0x1234L));
    }

    @Test
    void shouldReturnExistingFileWhenUncheckedCreate() {
        Inode f = create(ROOT, root, "f", 0644);
        write(ROOT, f.id(), 0, "content");
        Created again = fs.create(ROOT, root, "f", SetAttr.NONE, CreateMode.UNCHECKED, 0);
        assertEquals(f.id(), again.child().id());
        assertEquals("content", read(ROOT, f.id()), "UNCHECKED without size keeps data");
        Created truncating = fs.create(ROOT, root, "f", size(0), CreateMode.UNCHECKED, 0);
        assertEquals(0, truncating.child().size());
        assertEquals("", read(ROOT, f.id()));
        mkdir(ROOT, root, "d", 0755);
        assertFsError(FsError.EXISTS, () -> fs.create(ROOT, root, "d", SetAttr.NONE, CreateMode.UNCHECKED, 0));
    }

    // ---------------------------------------------------------------- directories

    @Test
    void shouldCountLinksWhenMkdirAndRmdir() {
        assertEquals(2, fs.getattr(root).nlink());
        Inode d = mkdir(ROOT, root, "d", 0755);
        assertEquals(2, d.nlink());
        assertEquals(3, fs.getattr(root).nlink());
        mkdir(ROOT, d.id(), "sub", 0755);
        assertEquals(3, fs.getattr(d.id()).nlink());
        create(ROOT, d.id(), "file", 0644);
        assertEquals(3, fs.getattr(d.id()).nlink(), "files do not count");
        fs.rmdir(ROOT, d.id(), "sub");
        assertEquals(2, fs.getattr(d.id()).nlink());
        fs.remove(ROOT, d.id(), "file");
        fs.rmdir(ROOT, root, "d");
        assertEquals(2, fs.getattr(root).nlink());
        assertFsError(FsError.STALE, () -> fs.getattr(d.id()));
    }

    @Test
    void shouldRefuseRmdirWhenNotEmpty() {
        Inode d = mkdir(ROOT, root, "d", 0755);
        create(ROOT, d.id(), "f", 0644);
        assertFsError(FsError.NOT_EMPTY, () -> fs.rmdir(ROOT, root, "d"));
        assertEquals(d.id(), fs.lookup(ROOT, root, "d").id());
    }

    @Test
    void shouldRefuseRemoveOfDirectoryAndRmdirOfFile() {
        mkdir(ROOT, root, "d", 0755);
        create(ROOT, root, "f", 0644);
        assertFsError(FsError.IS_DIRECTORY, () -> fs.remove(ROOT, root, "d"));
        assertFsError(FsError.NOT_DIRECTORY, () -> fs.rmdir(ROOT, root, "f"));
        assertFsError(FsError.NOT_FOUND, () -> fs.remove(ROOT, root, "nope"));
    }

    // ---------------------------------------------------------------- rename

    @Test
    void shouldRenameWithinDirectory() {
        Inode f = create(ROOT, root, "old", 0644);
        fs.rename(ROOT, root, "old", root, "new");
        assertFsError(FsError.NOT_FOUND, () -> fs.lookup(ROOT, root, "old"));
        assertEquals(f.id(), fs.lookup(ROOT, root, "new").id());
        assertEquals(2, fs.getattr(root).nlink());
    }

    @Test
    void shouldMoveDirectoryAcrossDirectories() {
        Inode a = mkdir(ROOT, root, "a", 0755);
        Inode b = mkdir(ROOT, root, "b", 0755);
        Inode sub = mkdir(ROOT, a.id(), "sub", 0755);
        Inode f = create(ROOT, a.id(), "f", 0644);
        fs.rename(ROOT, a.id(), "sub", b.id(), "moved");
        fs.rename(ROOT, a.id(), "f", b.id(), "f2");
        assertEquals(sub.id(), fs.lookup(ROOT, b.id(), "moved").id());
        assertEquals(f.id(), fs.lookup(ROOT, b.id(), "f2").id());
        assertEquals(b.id(), fs.lookup(ROOT, sub.id(), "..").id(), "'..' follows the move");
        assertEquals(2, fs.getattr(a.id()).nlink());
        assertEquals(3, fs.getattr(b.id()).nlink());
        assertEquals(4, fs.getattr(root).nlink());
        assertTrue(fs.readdir(ROOT, a.id(), 0, 100, false).entries().stream().allMatch(e -> e.name().startsWith(".")));
    }

    @Test
    void shouldFreeOldTargetWhenRenamingOverFile() {
        Inode src = create(ROOT, root, "src", 0644);
        Inode dst = create(ROOT, root, "dst", 0644);
        write(ROOT, src.id(), 0, "new data");
        fs.write(ROOT, dst.id(), 0, MemorySegment.ofArray(new byte[300_000]), Stability.UNSTABLE);
        long usedBefore = blocks.usedBytes();
        fs.rename(ROOT, root, "src", root, "dst");
        assertEquals(src.id(), fs.lookup(ROOT, root, "dst").id());
        assertFsError(FsError.STALE, () -> fs.getattr(dst.id()));
        assertTrue(blocks.usedBytes() < usedBefore, "old target's content freed");
        assertEquals("new data", read(ROOT, src.id()));
    }

    @Test
    void shouldRefuseRenameOverNonEmptyDirectory() {
        mkdir(ROOT, root, "a", 0755);
        Inode b = mkdir(ROOT, root, "b", 0755);
        create(ROOT, b.id(), "keep", 0644);
        assertFsError(FsError.NOT_EMPTY, () -> fs.rename(ROOT, root, "a", root, "b"));
        mkdir(ROOT, root, "empty", 0755);
        fs.rename(ROOT, root, "a", root, "empty");
        assertEquals(4, fs.getattr(root).nlink(), "replacing an empty directory drops one link");
        create(ROOT, root, "file", 0644);
        assertFsError(FsError.IS_DIRECTORY, () -> fs.rename(ROOT, root, "file", root, "b"));
        assertFsError(FsError.NOT_DIRECTORY, () -> fs.rename(ROOT, root, "b", root, "file"));
    }

    @Test
    void shouldRefuseMovingDirectoryIntoItsOwnSubtree() {
        Inode a = mkdir(ROOT, root, "a", 0755);
        Inode b = mkdir(ROOT, a.id(), "b", 0755);
        Inode c = mkdir(ROOT, b.id(), "c", 0755);
        assertFsError(FsError.INVALID, () -> fs.rename(ROOT, root, "a", c.id(), "a"));
        assertFsError(FsError.INVALID, () -> fs.rename(ROOT, root, "a", a.id(), "self"));
        assertEquals(a.id(), fs.lookup(ROOT, root, "a").id());
    }

    @Test
    void shouldDoNothingWhenRenamingHardLinkOntoItself() {
        Inode f = create(ROOT, root, "a", 0644);
        fs.link(ROOT, f.id(), root, "b");
        fs.rename(ROOT, root, "a", root, "b");
        assertEquals(f.id(), fs.lookup(ROOT, root, "a").id());
        assertEquals(f.id(), fs.lookup(ROOT, root, "b").id());
        assertEquals(2, fs.getattr(f.id()).nlink());
    }

    // ---------------------------------------------------------------- links

    @Test
    void shouldCountHardLinksAndFreeContentWithLastName() {
        Inode f = create(ROOT, root, "a", 0644);
        write(ROOT, f.id(), 0, "shared");
        Inode d = mkdir(ROOT, root, "d", 0755);
        assertEquals(2, fs.link(ROOT, f.id(), d.id(), "b").file().nlink());
        assertEquals(3, fs.link(ROOT, f.id(), root, "c").file().nlink());
        assertFsError(FsError.EXISTS, () -> fs.link(ROOT, f.id(), root, "c"));
        assertFsError(FsError.NOT_OWNER, () -> fs.link(ROOT, d.id(), root, "dirlink"));
        fs.remove(ROOT, root, "a");
        assertEquals(2, fs.getattr(f.id()).nlink());
        fs.remove(ROOT, d.id(), "b");
        assertEquals(1, fs.getattr(f.id()).nlink());
        assertEquals("shared", read(ROOT, fs.lookup(ROOT, root, "c").id()));
        long used = blocks.usedBytes();
        fs.remove(ROOT, root, "c");
        assertFsError(FsError.STALE, () -> fs.getattr(f.id()));
        assertTrue(blocks.usedBytes() < used);
    }

    @Test
    void shouldReadBackSymlinkTarget() {
        Inode l = fs.symlink(ALICE, dirOf(ALICE, "h", 0755).id(), "l", "../target/ü", SetAttr.NONE).child();
        assertEquals(FileType.SYMLINK, l.type());
        assertEquals("../target/ü".getBytes(StandardCharsets.UTF_8).length, l.size());
        assertEquals("../target/ü", fs.readlink(ALICE, l.id()));
        Inode f = create(ROOT, root, "f", 0644);
        assertFsError(FsError.INVALID, () -> fs.readlink(ROOT, f.id()));
        assertFsError(FsError.INVALID, () -> fs.symlink(ROOT, root, "empty", "", SetAttr.NONE));
    }

    @Test
    void shouldAllowFifoButRefuseDeviceWhenNotRoot() {
        long home = dirOf(ALICE, "h", 0755).id();
        Inode fifo = fs.mknod(ALICE, home, "fifo", FileType.FIFO, 0, mode(0600)).child();
        assertEquals(FileType.FIFO, fifo.type());
        assertEquals(ALICE.uid(), fifo.uid());
        assertFsError(FsError.NOT_OWNER, () -> fs.mknod(ALICE, home, "tty", FileType.CHAR_DEVICE, (4L << 32) | 1, SetAttr.NONE));
        Inode dev = fs.mknod(ROOT, home, "tty", FileType.CHAR_DEVICE, (4L << 32) | 1, SetAttr.NONE).child();
        assertEquals((4L << 32) | 1, dev.rdev());
        assertFsError(FsError.BAD_TYPE, () -> fs.mknod(ROOT, home, "dir", FileType.DIRECTORY, 0, SetAttr.NONE));
    }

    // ---------------------------------------------------------------- data

    @Test
    void shouldGrowSizeAndReportEofWhenReadingAndWriting() {
        Inode f = create(ROOT, root, "f", 0644);
        write(ROOT, f.id(), 0, "0123456789");
        assertEquals(10, fs.getattr(f.id()).size());
        byte[] buf = new byte[5];
        Read part = fs.read(ROOT, f.id(), 0, MemorySegment.ofArray(buf));
        assertEquals(5, part.count());
        assertFalse(part.eof());
        Read rest = fs.read(ROOT, f.id(), 5, MemorySegment.ofArray(new byte[100]));
        assertEquals(5, rest.count());
        assertTrue(rest.eof());
        Read beyond = fs.read(ROOT, f.id(), 50, MemorySegment.ofArray(new byte[10]));
        assertEquals(0, beyond.count());
        assertTrue(beyond.eof());
        write(ROOT, f.id(), 20, "x");
        assertEquals(21, fs.getattr(f.id()).size());
        byte[] all = readBytes(ROOT, f.id(), 0, 100);
        assertEquals(21, all.length);
        assertArrayEquals(new byte[10], Arrays.copyOfRange(all, 10, 20), "the hole reads as zeros");
        write(ROOT, f.id(), 0, "ab");
        assertEquals(21, fs.getattr(f.id()).size(), "overwrite inside does not grow");
        Inode d = mkdir(ROOT, root, "d", 0755);
        assertFsError(FsError.IS_DIRECTORY, () -> write(ROOT, d.id(), 0, "x"));
    }

    @Test
    void shouldReadZerosAfterTruncateDownAndUp() {
        Inode f = create(ROOT, root, "f", 0644);
        write(ROOT, f.id(), 0, "abcdefghij");
        fs.setattr(ROOT, f.id(), size(3), -1);
        assertEquals("abc", read(ROOT, f.id()));
        Wcc up = fs.setattr(ROOT, f.id(), size(8), -1);
        assertEquals(8, up.after().size());
        byte[] b = readBytes(ROOT, f.id(), 0, 100);
        assertArrayEquals(new byte[] {'a', 'b', 'c', 0, 0, 0, 0, 0}, b);
        Inode d = mkdir(ROOT, root, "d", 0755);
        assertFsError(FsError.IS_DIRECTORY, () -> fs.setattr(ROOT, d.id(), size(0), -1));
    }

    @Test
    void shouldKeepContentWhenRefusedSetattrAlsoAskedForTruncate() {
        long home = dirOf(ALICE, "h", 0755).id();
        Inode f = create(ALICE, home, "f", 0666);
        write(ALICE, f.id(), 0, "precious");
        SetAttr truncAndChmod = new SetAttr(0777, -1, -1, 0, TimeSet.DONT_CHANGE, TimeSet.DONT_CHANGE);
        assertFsError(FsError.NOT_OWNER, () -> fs.setattr(BOB, f.id(), truncAndChmod, -1));
        assertEquals(8, fs.getattr(f.id()).size());
        assertEquals("precious", read(ALICE, f.id()));
    }

    @Test
    void shouldRefuseSetattrWhenCtimeGuardDiffers() {
        Inode f = create(ROOT, root, "f", 0644);
        long ctime = fs.getattr(f.id()).ctimeNs();
        assertFsError(FsError.NOT_SYNC, () -> fs.setattr(ROOT, f.id(), mode(0600), ctime - 1));
        assertEquals(0644, fs.getattr(f.id()).mode());
        Wcc ok = fs.setattr(ROOT, f.id(), mode(0600), ctime);
        assertEquals(0600, ok.after().mode());
        assertTrue(ok.after().ctimeNs() > ctime);
    }

    // ---------------------------------------------------------------- permissions

    @Test
    void shouldRefuseChmodWhenNotOwner() {
        long home = dirOf(ALICE, "h", 0755).id();
        Inode f = create(ALICE, home, "f", 0644);
        assertFsError(FsError.NOT_OWNER, () -> fs.setattr(BOB, f.id(), mode(0777), -1));
        assertEquals(0600, fs.setattr(ALICE, f.id(), mode(0600), -1).after().mode());
        assertEquals(0666, fs.setattr(ROOT, f.id(), mode(0666), -1).after().mode());
    }

    @Test
    void shouldRefuseWriteWhenNotPermittedByMode() {
        long home = dirOf(ALICE, "h", 0755).id();
        Inode f = create(ALICE, home, "f", 0644);
        assertFsError(FsError.ACCESS_DENIED, () -> write(BOB, f.id(), 0, "x"));
        assertFsError(FsError.ACCESS_DENIED, () -> fs.setattr(BOB, f.id(), size(0), -1));
        assertEquals("", read(BOB, f.id()), "0644 is readable by others");
        fs.setattr(ALICE, f.id(), mode(0600), -1);
        assertFsError(FsError.ACCESS_DENIED, () -> read(BOB, f.id()));
    }

    @Test
    void shouldChangeNothingWhenWriteIsZeroLengthEvenPastEof() {
        long home = dirOf(ALICE, "h", 0755).id();
        Inode f = create(ALICE, home, "f", 0644);
        write(ALICE, f.id(), 0, "abc");
        Inode before = fs.getattr(f.id());
        for (Stability s : Stability.values()) {
            var w = fs.write(ALICE, f.id(), 1L << 20, MemorySegment.ofArray(new byte[0]), s);
            assertEquals(0, w.count());
        }
        Inode after = fs.getattr(f.id());
        assertEquals(3, after.size());
        assertEquals(before.mtimeNs(), after.mtimeNs(), "a zero-length WRITE does not modify the file");
        assertEquals(before.ctimeNs(), after.ctimeNs());
        assertFsError(FsError.ACCESS_DENIED, () -> fs.write(BOB, f.id(), 0, MemorySegment.ofArray(new byte[0]),
                Stability.UNSTABLE));
    }

    @Test
    void shouldAllowWriteWhenSupplementaryGroupMatches() {
        long home = dirOf(ALICE, "h", 0755).id();
        Inode f = create(ALICE, home, "f", 0664);
        assertEquals(1000, f.gid());
        write(CAROL, f.id(), 0, "carol");
        assertEquals("carol", read(ALICE, f.id()));
        assertFsError(FsError.ACCESS_DENIED, () -> write(BOB, f.id(), 0, "bob"));
    }

    @Test
    void shouldRefuseLookupInPrivateDirectoryExceptForRoot() {
        Inode home = dirOf(ALICE, "h", 0700);
        create(ALICE, home.id(), "secret", 0644);
        assertFsError(FsError.ACCESS_DENIED, () -> fs.lookup(BOB, home.id(), "secret"));
        assertFsError(FsError.ACCESS_DENIED, () -> fs.readdir(BOB, home.id(), 0, 10, false));
        assertFsError(FsError.ACCESS_DENIED, () -> create(BOB, home.id(), "intruder", 0644));
        assertEquals(fs.lookup(ALICE, home.id(), "secret").id(), fs.lookup(ROOT, home.id(), "secret").id());
        write(ROOT, fs.lookup(ROOT, home.id(), "secret").id(), 0, "root writes anywhere");
    }

    @Test
    void shouldProtectOthersFilesInStickyDirectory() {
        Inode tmp = mkdir(ROOT, root, "tmp", 01777);
        assertEquals(01777, tmp.mode());
        create(ALICE, tmp.id(), "alice", 0666);
        create(BOB, tmp.id(), "bob", 0666);
        assertFsError(FsError.NOT_OWNER, () -> fs.remove(BOB, tmp.id(), "alice"));
        assertFsError(FsError.NOT_OWNER, () -> fs.rename(BOB, tmp.id(), "alice", tmp.id(), "stolen"));
        fs.remove(BOB, tmp.id(), "bob");
        fs.remove(ROOT, tmp.id(), "alice");
        assertEquals(2, fs.readdir(ROOT, tmp.id(), 0, 10, false).entries().size(), "only . and .. left");
    }

    @Test
    void shouldInheritGroupInSetgidDirectory() {
        Inode shared = mkdir(ROOT, root, "shared", 0777);
        fs.setattr(ROOT, shared.id(), owner(0, 500), -1);
        fs.setattr(ROOT, shared.id(), mode(02777), -1);
        Inode f = create(ALICE, shared.id(), "f", 0644);
        assertEquals(500, f.gid());
        Inode sub = mkdir(ALICE, shared.id(), "sub", 0755);
        assertEquals(500, sub.gid());
        assertEquals(Inode.S_ISGID, sub.mode() & Inode.S_ISGID);
        Inode plain = mkdir(ALICE, dirOf(ALICE, "h", 0755).id(), "plain", 0755);
        assertEquals(ALICE.gid(), plain.gid());
        assertEquals(0, plain.mode() & Inode.S_ISGID);
    }

    @Test
    void shouldRestrictChownAndChgrp() {
        long home = dirOf(ALICE, "h", 0755).id();
        Inode f = create(ALICE, home, "f", 0644);
        assertFsError(FsError.NOT_OWNER, () -> fs.setattr(ALICE, f.id(), owner(BOB.uid(), -1), -1));
        assertEquals(2000, fs.setattr(ALICE, f.id(), owner(-1, 2000), -1).after().gid(), "ALICE is in group 2000");
        assertFsError(FsError.NOT_OWNER, () -> fs.setattr(ALICE, f.id(), owner(-1, 3000), -1));
        assertFsError(FsError.NOT_OWNER, () -> fs.setattr(BOB, f.id(), owner(-1, 1001), -1));
        Inode given = fs.setattr(ROOT, f.id(), owner(BOB.uid(), BOB.gid()), -1).after();
        assertEquals(BOB.uid(), given.uid());
        assertEquals(BOB.gid(), given.gid());
    }

    // ---------------------------------------------------------------- names, readdir, times

    @Test
    void shouldValidateNames() {
        assertFsError(FsError.NAME_TOO_LONG, () -> create(ROOT, root, "n".repeat(256), 0644));
        assertFsError(FsError.NAME_TOO_LONG, () -> create(ROOT, root, "é".repeat(128), 0644));
        Inode longest = create(ROOT, root, "n".repeat(255), 0644);
        assertEquals(longest.id(), fs.lookup(ROOT, root, "n".repeat(255)).id());
        assertFsError(FsError.INVALID, () -> create(ROOT, root, "a/b", 0644));
        assertFsError(FsError.INVALID, () -> mkdir(ROOT, root, "", 0755));
        assertFsError(FsError.INVALID, () -> fs.lookup(ROOT, root, "a/b"));
        assertFsError(FsError.NAME_TOO_LONG, () -> fs.lookup(ROOT, root, "n".repeat(256)));
    }

    @Test
    void shouldListAllEntriesAcrossReaddirPages() {
        Inode d = mkdir(ROOT, root, "big", 0755);
        int n = 10_000;
        for (int i = 0; i < n; i++) {
            create(ROOT, d.id(), "file-" + i, 0644);
        }
        Set<String> seen = new HashSet<>();
        Set<Long> cookies = new HashSet<>();
        long cookie = 0;
        int pages = 0;
        while (true) {
            DirPage page = fs.readdir(ROOT, d.id(), cookie, 97, pages % 2 == 0);
            pages++;
            for (Entry e : page.entries()) {
                assertTrue(seen.add(e.name()), "seen twice: " + e.name());
                assertTrue(cookies.add(e.cookie()), "cookie reused: " + e.cookie());
                assertTrue(e.cookie() > cookie);
                cookie = e.cookie();
            }
            if (page.eof()) {
                break;
            }
            assertFalse(page.entries().isEmpty());
        }
        assertEquals(n + 2, seen.size());
        assertTrue(seen.contains(".") && seen.contains(".."));
        assertTrue(pages >= n / 97);
    }

    @Test
    void shouldMoveParentTimesWhenCreatingAndRemoving() {
        Inode d = mkdir(ROOT, root, "d", 0755);
        Inode before = fs.getattr(d.id());
        Created c = fs.create(ROOT, d.id(), "f", SetAttr.NONE, CreateMode.GUARDED, 0);
        Inode afterCreate = fs.getattr(d.id());
        assertTrue(afterCreate.mtimeNs() > before.mtimeNs());
        assertTrue(afterCreate.ctimeNs() > before.ctimeNs());
        assertEquals(before, c.dir().before());
        assertEquals(afterCreate, c.dir().after());
        Wcc rm = fs.remove(ROOT, d.id(), "f");
        Inode afterRemove = fs.getattr(d.id());
        assertTrue(afterRemove.mtimeNs() > afterCreate.mtimeNs());
        assertTrue(afterRemove.ctimeNs() > afterCreate.ctimeNs());
        assertEquals(afterRemove, rm.after());
    }

    @Test
    void shouldRefuseChangesWhenReadOnly() {
        Inode f = create(ROOT, root, "f", 0644);
        write(ROOT, f.id(), 0, "data");
        mkdir(ROOT, root, "d", 0755);
        FileSystem ro = new FileSystem(meta, blocks, true);
        MemorySegment one = MemorySegment.ofArray(new byte[1]);
        assertFsError(FsError.READ_ONLY, () -> ro.create(ROOT, root, "g", SetAttr.NONE, CreateMode.GUARDED, 0));
        assertFsError(FsError.READ_ONLY, () -> ro.mkdir(ROOT, root, "e", SetAttr.NONE));
        assertFsError(FsError.READ_ONLY, () -> ro.write(ROOT, f.id(), 0, one, Stability.UNSTABLE));
        assertFsError(FsError.READ_ONLY, () -> ro.setattr(ROOT, f.id(), size(0), -1));
        assertFsError(FsError.READ_ONLY, () -> ro.remove(ROOT, root, "f"));
        assertFsError(FsError.READ_ONLY, () -> ro.rmdir(ROOT, root, "d"));
        assertFsError(FsError.READ_ONLY, () -> ro.rename(ROOT, root, "f", root, "g"));
        assertFsError(FsError.READ_ONLY, () -> ro.link(ROOT, f.id(), root, "g"));
        assertFsError(FsError.READ_ONLY, () -> ro.symlink(ROOT, root, "s", "f", SetAttr.NONE));
        assertFsError(FsError.READ_ONLY, () -> ro.mknod(ROOT, root, "p", FileType.FIFO, 0, SetAttr.NONE));
        assertEquals(f.id(), ro.lookup(ROOT, root, "f").id());
        byte[] buf = new byte[10];
        assertEquals(4, ro.read(ROOT, f.id(), 0, MemorySegment.ofArray(buf)).count());
        assertEquals(0, ro.access(ROOT, f.id()) & 2, "no write access on a read-only share");
        assertNotEquals(0, ro.access(ROOT, f.id()) & 4);
    }
}
