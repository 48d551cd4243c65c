package io.dittofs.protocols.nfs.v4;

import io.dittofs.core.AuthContext;
import io.dittofs.core.FileSystem;
import io.dittofs.core.Inode;
import io.dittofs.core.SetAttr;
import io.dittofs.core.Stability;
import io.dittofs.protocols.XdrArgs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

import static io.dittofs.protocols.nfs.v4.Nfs4Ops.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * NFSv4.2 ALLOCATE, DEALLOCATE, COPY and SEEK over holes (RFC 7862), on the memory block store (256 KiB chunks: a punched whole chunk is
 * dropped and becomes a hole SEEK reports).
 */
class Nfs42SpaceOpsTest {
    private static final int K256 = 256 * 1024;
    private static final int MIB = 1 << 20;

    private final Nfs4Fixture f = new Nfs4Fixture();
    private final FileSystem fs = f.export;

    @AfterEach
    void tearDown() {
        f.close();
    }

    private long file(String name, byte[] content) {
        var c = fs.create(AuthContext.ROOT, fs.rootId(), name, SetAttr.mode(0644), FileSystem.CreateMode.GUARDED, 0);
        if (content.length > 0) {
            fs.write(AuthContext.ROOT, c.child().id(), 0, MemorySegment.ofArray(content), Stability.FILE_SYNC);
        }
        return c.child().id();
    }

    private static byte[] fh(long id) {
        return Nfs4Handle.share(1, id).encode();
    }

    private static byte[] pattern(int len, int seed) {
        byte[] b = new byte[len];
        for (int i = 0; i < len; i++) {
            b[i] = (byte) (i * 31 + seed + 1);
        }
        return b;
    }

    private byte[] content(long id, long off, int len) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment m = a.allocate(len);
            fs.read(AuthContext.ROOT, id, off, m);
            return m.toArray(ValueLayout.JAVA_BYTE);
        }
    }

    private Nfs4TestClient.Compound at(Nfs4TestClient client, byte[] fh) {
        return client.compound(2).op(OP_SEQUENCE, a -> a.int32(0)).putfh(fh);
    }

    private static void range(XdrArgs a, long off, long len) {
        Nfs4FileOpsTest.anonymous(a).int64(off).int64(len);
    }

    private Nfs4TestClient.Reply space(int op, long id, long off, long len) {
        return at(f.client, fh(id)).op(op, a -> range(a, off, len)).send().ok(OP_SEQUENCE).ok(OP_PUTFH);
    }

    private Nfs4TestClient.Reply seek(long id, long off, int what) {
        return at(f.client, fh(id)).op(OP_SEEK, a -> Nfs4FileOpsTest.anonymous(a).int64(off).int32(what)).send()
                .ok(OP_SEQUENCE).ok(OP_PUTFH);
    }

    @Test
    void shouldPunchHoleKeepSizeAndMoveCtimeWhenDeallocate() throws Exception {
        byte[] data = pattern(MIB, 1);
        long id = file("d", data);
        Inode before = fs.getattr(id);
        Thread.sleep(2);
        space(OP_DEALLOCATE, id, K256, 2 * K256).ok(OP_DEALLOCATE);
        Inode after = fs.getattr(id);
        assertEquals(MIB, after.size(), "the size stays");
        assertTrue(after.ctimeNs() > before.ctimeNs() && after.mtimeNs() > before.mtimeNs(), "mtime and ctime move");
        byte[] expect = data.clone();
        Arrays.fill(expect, K256, 3 * K256, (byte) 0);
        assertArrayEquals(expect, content(id, 0, MIB));

        Nfs4TestClient.Reply r = seek(id, 0, 1).ok(OP_SEEK);
        assertEquals(0, r.int32());
        assertEquals((long) K256, r.int64(), "SEEK_HOLE finds the punched range");
        r = seek(id, K256, 0).ok(OP_SEEK);
        assertEquals(0, r.int32());
        assertEquals(3L * K256, r.int64(), "SEEK_DATA skips it");
        r = seek(id, 3 * K256, 1).ok(OP_SEEK);
        assertEquals(1, r.int32(), "no hole before the end of file");
        assertEquals((long) MIB, r.int64());

        space(OP_DEALLOCATE, id, MIB - 10, 10 * MIB).ok(OP_DEALLOCATE);
        assertEquals(MIB, fs.getattr(id).size(), "a range past the end does not grow the file");
        assertArrayEquals(new byte[10], content(id, MIB - 10, 10));
    }

    @Test
    void shouldExtendSizeWithZerosWhenAllocatePastEndOfFile() {
        byte[] data = pattern(1000, 2);
        long id = file("a", data);
        space(OP_ALLOCATE, id, 0, 3 * MIB).ok(OP_ALLOCATE);
        assertEquals(3 * MIB, fs.getattr(id).size());
        assertArrayEquals(data, content(id, 0, 1000));
        assertArrayEquals(new byte[3 * MIB - 1000], content(id, 1000, 3 * MIB - 1000));
        space(OP_ALLOCATE, id, 0, 100).ok(OP_ALLOCATE);
        assertEquals(3 * MIB, fs.getattr(id).size(), "a range inside the file keeps the size");
        assertEquals(Nfs4Status.INVAL, space(OP_ALLOCATE, id, 0, 0).next(OP_ALLOCATE), "zero length");
        assertEquals(Nfs4Status.FBIG, space(OP_ALLOCATE, id, Long.MAX_VALUE, 2).next(OP_ALLOCATE));
    }

    @Test
    void shouldRefuseAllocateAndDeallocateWithoutWritePermission() {
        long id = file("ro", pattern(100, 3));
        Nfs4TestClient other = f.client.as(1000, 1000);
        int s = at(other, fh(id)).op(OP_DEALLOCATE, a -> range(a, 0, 50)).send()
                .ok(OP_SEQUENCE).ok(OP_PUTFH).next(OP_DEALLOCATE);
        assertEquals(Nfs4Status.ACCESS, s);
        assertArrayEquals(pattern(100, 3), content(id, 0, 100), "nothing punched");
    }

    @Test
    void shouldCopyDataKeepHolesAndReplySynchronouslyWhenCopy() {
        byte[] head = pattern(K256, 4);
        byte[] tail = pattern(100, 5);
        long src = file("src", head);
        fs.write(AuthContext.ROOT, src, MIB, MemorySegment.ofArray(tail), Stability.FILE_SYNC); // a hole between
        byte[] old = new byte[2 * MIB];
        Arrays.fill(old, (byte) 0x7F);
        long dst = file("dst", old);

        Nfs4TestClient.Reply r = at(f.client, fh(src)).op(OP_SAVEFH).putfh(fh(dst))
                .op(OP_COPY, a -> Nfs4FileOpsTest.anonymous(Nfs4FileOpsTest.anonymous(a)).int64(0).int64(0).int64(0)
                        .bool(false).bool(false).int32(0))
                .send().ok(OP_SEQUENCE).ok(OP_PUTFH).ok(OP_SAVEFH).ok(OP_PUTFH).ok(OP_COPY);
        assertEquals(0, r.int32(), "no callback id: done synchronously");
        assertEquals(MIB + 100L, r.int64(), "count 0 copies to the end of the source");
        assertEquals(2, r.int32(), "FILE_SYNC");
        r.int64(); // verifier
        assertEquals(1, r.int32(), "consecutive");
        assertEquals(1, r.int32(), "synchronous");

        byte[] expect = old.clone();
        System.arraycopy(head, 0, expect, 0, K256);
        Arrays.fill(expect, K256, MIB, (byte) 0);
        System.arraycopy(tail, 0, expect, MIB, 100);
        assertArrayEquals(expect, content(dst, 0, 2 * MIB));
        assertEquals(2 * MIB, fs.getattr(dst).size());
        assertEquals(MIB, fs.blockStore().nextData(dst, K256), "the source's hole is a hole in the copy");
    }

    @Test
    void shouldRefuseBadCopies() {
        long src = file("s", pattern(1000, 6));
        long dst = file("t", new byte[0]);
        assertEquals(Nfs4Status.INVAL, copy(src, src, 0, 500, 600), "overlapping ranges of one file");
        assertEquals(Nfs4Status.INVAL, copy(src, dst, 500, 0, 600), "past the end of the source");
        int noSaved = at(f.client, fh(dst)).op(OP_COPY, a -> Nfs4FileOpsTest.anonymous(Nfs4FileOpsTest.anonymous(a))
                .int64(0).int64(0).int64(10).bool(true).bool(true).int32(0)).send().ok(OP_SEQUENCE).ok(OP_PUTFH)
                .next(OP_COPY);
        assertEquals(Nfs4Status.NOFILEHANDLE, noSaved);
        assertEquals(0, fs.getattr(dst).size(), "nothing copied");
    }

    private int copy(long src, long dst, long srcOff, long dstOff, long count) {
        return at(f.client, fh(src)).op(OP_SAVEFH).putfh(fh(dst))
                .op(OP_COPY, a -> Nfs4FileOpsTest.anonymous(Nfs4FileOpsTest.anonymous(a)).int64(srcOff).int64(dstOff)
                        .int64(count).bool(true).bool(true).int32(0))
                .send().ok(OP_SEQUENCE).ok(OP_PUTFH).ok(OP_SAVEFH).ok(OP_PUTFH).next(OP_COPY);
    }

    @Test
    void shouldFindHolesNeverWrittenWhenSeek() {
        long id = file("sparse", pattern(K256, 8));
        fs.write(AuthContext.ROOT, id, 3 * K256, MemorySegment.ofArray(pattern(100, 9)), Stability.FILE_SYNC);
        Nfs4TestClient.Reply r = seek(id, 10, 1).ok(OP_SEEK);
        assertEquals(0, r.int32());
        assertEquals((long) K256, r.int64(), "the hole after the first write");
        r = seek(id, K256 + 5, 0).ok(OP_SEEK);
        assertEquals(0, r.int32());
        assertEquals(3L * K256, r.int64(), "the data of the second write");
        assertEquals(Nfs4Status.NXIO, seek(id, 3 * K256 + 100, 0).next(OP_SEEK), "at the end of file");
    }
}
