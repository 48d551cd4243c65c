package io.dittofs.protocols.nfs.v4;

import io.dittofs.protocols.XdrArgs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import static io.dittofs.protocols.XdrArgs.xdr;
import static io.dittofs.protocols.nfs.v4.Nfs4Ops.*;
import static io.dittofs.protocols.nfs.v4.Nfs4TestClient.bitmap;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The stateless NFSv4 operations inside a share: happy paths and main errors. */
class Nfs4FileOpsTest {
    private final Nfs4Fixture f = new Nfs4Fixture();

    @AfterEach
    void tearDown() {
        f.close();
    }

    static XdrArgs anonymous(XdrArgs a) {
        return a.int32(0).opaqueFixed(new byte[12]);
    }

    static XdrArgs noAttrs(XdrArgs a) {
        return a.int32(0).int32(0);
    }

    /** CREATE of a FIFO stands in for a file here (regular files come from OPEN); WRITE needs a regular file. */
    private byte[] file(String name, byte[] content) {
        var fs = f.export;
        var c = fs.create(io.dittofs.core.AuthContext.ROOT, fs.rootId(), name, io.dittofs.core.SetAttr.mode(0666),
                io.dittofs.core.FileSystem.CreateMode.GUARDED, 0);
        if (content.length > 0) {
            fs.write(io.dittofs.core.AuthContext.ROOT, c.child().id(), 0, java.lang.foreign.MemorySegment.ofArray(content),
                    io.dittofs.core.Stability.FILE_SYNC);
        }
        return Nfs4Handle.share(1, c.child().id()).encode();
    }

    @Test
    void shouldWriteThenReadBackWithAnonymousStateidAndNfs3Verifier() {
        byte[] fh = file("w", new byte[0]);
        byte[] data = "hello nfs4".getBytes(StandardCharsets.UTF_8);
        Nfs4TestClient.Reply r = f.client.compound(0).putfh(fh)
                .op(OP_WRITE, a -> anonymous(a).int64(0).int32(0).opaque(data))
                .op(OP_COMMIT, a -> a.int64(0).int32(0))
                .op(OP_READ, a -> anonymous(a).int64(0).int32(100)).send();
        r.ok(OP_PUTFH).ok(OP_WRITE);
        assertEquals(data.length, r.int32());
        r.int32(); // committed
        assertEquals(Nfs4Fixture.VERIFIER, r.int64());
        r.ok(OP_COMMIT);
        assertEquals(Nfs4Fixture.VERIFIER, r.int64());
        r.ok(OP_READ);
        assertEquals(1, r.int32(), "eof");
        assertArrayEquals(data, XdrArgs.readOpaque(r.body()));
    }

    @Test
    void shouldAnswerBadStateidWhenIoUsesUnknownStateid() {
        byte[] fh = file("s", new byte[0]);
        Nfs4TestClient.Reply r = f.client.compound(0).putfh(fh)
                .op(OP_WRITE, a -> a.int32(1).opaqueFixed(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})
                        .int64(0).int32(2).opaque(new byte[3])).send();
        r.ok(OP_PUTFH);
        assertEquals(Nfs4Status.BAD_STATEID, r.next(OP_WRITE));
        Nfs4TestClient.Reply s = f.client.compound(0).putfh(fh)
                .op(OP_SETATTR, a -> bitmap(a.int32(7).opaqueFixed(new byte[12]), Fattr4.SIZE)
                        .opaque(xdr().int64(10).build())).send();
        s.ok(OP_PUTFH);
        assertEquals(Nfs4Status.BAD_STATEID, s.next(OP_SETATTR));
        assertEquals(0, s.int32(), "attrsset empty on failure");
        assertEquals(0, f.export.getattr(Nfs4Handle.decode(java.lang.foreign.MemorySegment.ofArray(fh)).id()).size());
    }

    @Test
    void shouldSetModeOwnerSizeAndTimesWhenSetattr() {
        byte[] fh = file("attrs", new byte[] {1, 2, 3});
        Nfs4TestClient.Reply r = f.client.compound(0).putfh(fh)
                .op(OP_SETATTR, a -> bitmap(anonymous(a), Fattr4.SIZE, Fattr4.MODE, Fattr4.OWNER,
                        Fattr4.OWNER_GROUP, Fattr4.TIME_ACCESS_SET, Fattr4.TIME_MODIFY_SET)
                        .opaque(xdr().int64(100).int32(0640).string("1234").string("99@example.org")
                                .int32(1).int64(1_000_000).int32(5).int32(0).build()))
                .getattr(Fattr4.SIZE, Fattr4.MODE, Fattr4.OWNER, Fattr4.OWNER_GROUP, Fattr4.TIME_ACCESS,
                        Fattr4.TIME_MODIFY).send();
        r.ok(OP_PUTFH).ok(OP_SETATTR);
        long[] set = Attrs4.readBitmap(r.body());
        assertTrue(Attrs4.has(set, Fattr4.MODE) && Attrs4.has(set, Fattr4.TIME_MODIFY_SET));
        r.ok(OP_GETATTR);
        Map<Integer, Object> attrs = Attrs4.read(r.body());
        assertEquals(100L, attrs.get(Fattr4.SIZE));
        assertEquals(0640, attrs.get(Fattr4.MODE));
        assertEquals("1234", attrs.get(Fattr4.OWNER));
        assertEquals("99", attrs.get(Fattr4.OWNER_GROUP));
        assertArrayEquals(new long[] {1_000_000, 5}, (long[]) attrs.get(Fattr4.TIME_ACCESS));
        long mtime = ((long[]) attrs.get(Fattr4.TIME_MODIFY))[0];
        assertTrue(Math.abs(mtime - System.currentTimeMillis() / 1000) < 60, "server time");
    }

    @Test
    void shouldAnswerBadownerAndAttrnotsuppAndInvalWhenSetattrIsWrong() {
        byte[] fh = file("bad", new byte[0]);
        Nfs4TestClient.Reply r = f.client.compound(0).putfh(fh).op(OP_SETATTR, a -> bitmap(anonymous(a),
                Fattr4.OWNER).opaque(xdr().string("alice@example.org").build())).send();
        r.ok(OP_PUTFH);
        assertEquals(Nfs4Status.BADOWNER, r.next(OP_SETATTR));
        Nfs4TestClient.Reply acl = f.client.compound(0).putfh(fh).op(OP_SETATTR, a -> bitmap(anonymous(a),
                Fattr4.ACL).opaque(xdr().int32(0).build())).send();
        acl.ok(OP_PUTFH);
        assertEquals(Nfs4Status.ATTRNOTSUPP, acl.next(OP_SETATTR));
        Nfs4TestClient.Reply ro = f.client.compound(0).putfh(fh).op(OP_SETATTR, a -> bitmap(anonymous(a),
                Fattr4.FILEID).opaque(xdr().int64(5).build())).send();
        ro.ok(OP_PUTFH);
        assertEquals(Nfs4Status.INVAL, ro.next(OP_SETATTR));
    }

    @Test
    void shouldReturnMandatoryAndRecommendedAttributesWhenGetattr() {
        byte[] fh = file("g", new byte[] {1, 2, 3, 4, 5});
        int[] all = {Fattr4.SUPPORTED_ATTRS, Fattr4.TYPE, Fattr4.FH_EXPIRE_TYPE, Fattr4.CHANGE, Fattr4.SIZE,
            Fattr4.LINK_SUPPORT, Fattr4.SYMLINK_SUPPORT, Fattr4.NAMED_ATTR, Fattr4.FSID, Fattr4.UNIQUE_HANDLES,
            Fattr4.LEASE_TIME, Fattr4.RDATTR_ERROR, Fattr4.ACLSUPPORT, Fattr4.CANSETTIME, Fattr4.CASE_INSENSITIVE,
            Fattr4.CASE_PRESERVING, Fattr4.CHOWN_RESTRICTED, Fattr4.FILEHANDLE, Fattr4.FILEID, Fattr4.FILES_AVAIL,
            Fattr4.FILES_FREE, Fattr4.FILES_TOTAL, Fattr4.FS_LOCATIONS, Fattr4.HOMOGENEOUS, Fattr4.MAXFILESIZE,
            Fattr4.MAXLINK, Fattr4.MAXNAME, Fattr4.MAXREAD, Fattr4.MAXWRITE, Fattr4.MODE, Fattr4.NO_TRUNC,
            Fattr4.NUMLINKS, Fattr4.OWNER, Fattr4.OWNER_GROUP, Fattr4.RAWDEV, Fattr4.SPACE_AVAIL, Fattr4.SPACE_FREE,
            Fattr4.SPACE_TOTAL, Fattr4.SPACE_USED, Fattr4.TIME_ACCESS, Fattr4.TIME_DELTA, Fattr4.TIME_METADATA,
            Fattr4.TIME_MODIFY, Fattr4.MOUNTED_ON_FILEID, Fattr4.SUPPATTR_EXCLCREAT};
        Nfs4TestClient.Reply r = f.client.compound(0).putfh(fh).getattr(all).send();
        r.ok(OP_PUTFH).ok(OP_GETATTR);
        Map<Integer, Object> a = Attrs4.read(r.body());
        assertFalse(a.containsKey(Fattr4.SUPPATTR_EXCLCREAT), "4.1 attribute not in 4.0");
        assertEquals(all.length - 1, a.size());
        assertEquals(Fattr4Values.NF4REG, a.get(Fattr4.TYPE));
        assertEquals(5L, a.get(Fattr4.SIZE));
        assertEquals(90, a.get(Fattr4.LEASE_TIME));
        assertArrayEquals(fh, (byte[]) a.get(Fattr4.FILEHANDLE));
        assertEquals(a.get(Fattr4.FILEID), a.get(Fattr4.MOUNTED_ON_FILEID));
        assertArrayEquals(new long[] {0, 1}, (long[]) a.get(Fattr4.TIME_DELTA));
        assertArrayEquals(new long[] {0, 0}, (long[]) a.get(Fattr4.FS_LOCATIONS));
        assertEquals(0, a.get(Fattr4.ACLSUPPORT));
        long[] supported = (long[]) a.get(Fattr4.SUPPORTED_ATTRS);
        assertTrue(Attrs4.has(supported, Fattr4.TIME_MODIFY_SET) && !Attrs4.has(supported, Fattr4.ACL));
        Nfs4TestClient.Reply r41 = f.client.compound(1).op(OP_SEQUENCE, x -> x.int32(0)).putfh(fh)
                .getattr(Fattr4.SUPPATTR_EXCLCREAT).send();
        r41.ok(OP_SEQUENCE).ok(OP_PUTFH).ok(OP_GETATTR);
        assertTrue(Attrs4.read(r41.body()).containsKey(Fattr4.SUPPATTR_EXCLCREAT));
    }

    @Test
    void shouldMoveChangeAttributeWhenFileIsWritten() {
        byte[] fh = file("c", new byte[0]);
        Nfs4TestClient.Reply before = f.client.compound(0).putfh(fh).getattr(Fattr4.CHANGE).send();
        before.ok(OP_PUTFH).ok(OP_GETATTR);
        long c0 = (long) Attrs4.read(before.body()).get(Fattr4.CHANGE);
        Nfs4TestClient.Reply r = f.client.compound(0).putfh(fh)
                .op(OP_WRITE, a -> anonymous(a).int64(0).int32(2).opaque(new byte[10])).getattr(Fattr4.CHANGE).send();
        r.ok(OP_PUTFH).ok(OP_WRITE);
        r.int32();
        r.int32();
        r.int64();
        r.ok(OP_GETATTR);
        assertNotEquals(c0, Attrs4.read(r.body()).get(Fattr4.CHANGE));
    }

    @Test
    void shouldCreateDirectorySymlinkAndFifoWhenCreate() {
        Nfs4TestClient.Reply r = f.atExport()
                .op(OP_CREATE, a -> bitmap(a.int32(Fattr4Values.NF4DIR).string("dir"), Fattr4.MODE)
                        .opaque(xdr().int32(0700).build()))
                .getattr(Fattr4.TYPE, Fattr4.MODE)
                .op(OP_LOOKUPP)
                .op(OP_CREATE, a -> noAttrs(a.int32(Fattr4Values.NF4LNK).string("target/path").string("ln")))
                .op(OP_READLINK)
                .op(OP_LOOKUPP).send();
        r.ok(OP_PUTROOTFH).ok(OP_LOOKUP).ok(OP_CREATE);
        assertEquals(1, r.int32(), "atomic change_info");
        assertNotEquals(r.int64(), r.int64(), "directory changed");
        assertTrue(Attrs4.has(Attrs4.readBitmap(r.body()), Fattr4.MODE));
        r.ok(OP_GETATTR);
        Map<Integer, Object> dir = Attrs4.read(r.body());
        assertEquals(Fattr4Values.NF4DIR, dir.get(Fattr4.TYPE));
        assertEquals(0700, dir.get(Fattr4.MODE));
        r.ok(OP_LOOKUPP).ok(OP_CREATE);
        r.body().position(r.body().position() + 4 + 16);
        Attrs4.readBitmap(r.body());
        r.ok(OP_READLINK);
        assertEquals("target/path", r.string());
        assertEquals(Nfs4Status.SYMLINK, r.next(OP_LOOKUPP), "LOOKUPP from a symlink");
        Nfs4TestClient.Reply reg = f.atExport().op(OP_CREATE, a -> noAttrs(a.int32(Fattr4Values.NF4REG).string("x")))
                .send();
        reg.ok(OP_PUTROOTFH).ok(OP_LOOKUP);
        assertEquals(Nfs4Status.BADTYPE, reg.next(OP_CREATE));
        Nfs4TestClient.Reply fifo = f.atExport().op(OP_CREATE, a -> noAttrs(a.int32(Fattr4Values.NF4FIFO).string("p")))
                .getattr(Fattr4.TYPE).send();
        fifo.ok(OP_PUTROOTFH).ok(OP_LOOKUP).ok(OP_CREATE);
        fifo.body().position(fifo.body().position() + 20);
        Attrs4.readBitmap(fifo.body());
        fifo.ok(OP_GETATTR);
        assertEquals(Fattr4Values.NF4FIFO, Attrs4.read(fifo.body()).get(Fattr4.TYPE));
    }

    @Test
    void shouldRemoveRenameAndLinkWithinAShare() {
        byte[] fh = file("orig", new byte[0]);
        Nfs4TestClient.Reply r = f.atExport().op(OP_SAVEFH)
                .op(OP_RENAME, a -> a.string("orig").string("moved"))
                .lookup("moved").op(OP_SAVEFH).op(OP_PUTROOTFH).lookup("export")
                .op(OP_LINK, a -> a.string("hard"))
                .lookup("hard").getattr(Fattr4.NUMLINKS).op(OP_PUTROOTFH).lookup("export")
                .op(OP_REMOVE, a -> a.string("moved"))
                .lookup("moved").send();
        r.ok(OP_PUTROOTFH).ok(OP_LOOKUP).ok(OP_SAVEFH).ok(OP_RENAME);
        r.body().position(r.body().position() + 40);
        r.ok(OP_LOOKUP).ok(OP_SAVEFH).ok(OP_PUTROOTFH).ok(OP_LOOKUP).ok(OP_LINK);
        r.body().position(r.body().position() + 20);
        r.ok(OP_LOOKUP).ok(OP_GETATTR);
        assertEquals(2, Attrs4.read(r.body()).get(Fattr4.NUMLINKS));
        r.ok(OP_PUTROOTFH).ok(OP_LOOKUP).ok(OP_REMOVE);
        r.body().position(r.body().position() + 20);
        assertEquals(Nfs4Status.NOENT, r.next(OP_LOOKUP));
        assertEquals(16, fh.length);
    }

    @Test
    void shouldAnswerXdevWhenRenamingAcrossShares() {
        file("x", new byte[0]);
        Nfs4TestClient.Reply r = f.atExport().op(OP_SAVEFH).op(OP_PUTROOTFH).lookup("a").lookup("b")
                .op(OP_RENAME, a -> a.string("x").string("y")).send();
        r.ok(OP_PUTROOTFH).ok(OP_LOOKUP).ok(OP_SAVEFH).ok(OP_PUTROOTFH).ok(OP_LOOKUP).ok(OP_LOOKUP);
        assertEquals(Nfs4Status.XDEV, r.next(OP_RENAME));
        Nfs4TestClient.Reply none = f.atExport().op(OP_RENAME, a -> a.string("x").string("y")).send();
        none.ok(OP_PUTROOTFH).ok(OP_LOOKUP);
        assertEquals(Nfs4Status.NOFILEHANDLE, none.next(OP_RENAME), "no saved filehandle");
    }

    @Test
    void shouldPageThroughDirectoryWithCookiesWhenReaddirIsSmall() {
        for (int i = 0; i < 40; i++) {
            file("file-" + i, new byte[0]);
        }
        Set<String> seen = new HashSet<>();
        long cookie = 0;
        int pages = 0;
        boolean eof = false;
        while (!eof) {
            long c = cookie;
            Nfs4TestClient.Reply r = f.atExport().op(OP_READDIR, a -> bitmap(a.int64(c).int64(0).int32(512).int32(600),
                    Fattr4.FILEID, Fattr4.RDATTR_ERROR)).send();
            r.ok(OP_PUTROOTFH).ok(OP_LOOKUP).ok(OP_READDIR);
            r.int64();
            while (r.int32() == 1) {
                cookie = r.int64();
                String name = r.string();
                assertTrue(seen.add(name), "seen once: " + name);
                assertFalse(name.equals(".") || name.equals(".."));
                assertEquals(0, Attrs4.read(r.body()).get(Fattr4.RDATTR_ERROR));
            }
            eof = r.int32() == 1;
            pages++;
        }
        assertEquals(40, seen.size());
        assertTrue(pages > 2, "small maxcount needs several pages: " + pages);
        Nfs4TestClient.Reply small = f.atExport().op(OP_READDIR, a -> bitmap(a.int64(0).int64(0).int32(10).int32(30),
                Fattr4.FILEID)).send();
        small.ok(OP_PUTROOTFH).ok(OP_LOOKUP);
        assertEquals(Nfs4Status.TOOSMALL, small.next(OP_READDIR));
        Nfs4TestClient.Reply reserved = f.atExport().op(OP_READDIR, a -> bitmap(a.int64(1).int64(0).int32(10)
                .int32(3000), Fattr4.FILEID)).send();
        reserved.ok(OP_PUTROOTFH).ok(OP_LOOKUP);
        assertEquals(Nfs4Status.BAD_COOKIE, reserved.next(OP_READDIR));
    }

    @Test
    void shouldCompareAttributesWhenVerifyAndNverify() {
        byte[] fh = file("v", new byte[] {9, 9});
        Nfs4TestClient.Reply r = f.client.compound(0).putfh(fh)
                .op(OP_VERIFY, a -> bitmap(a, Fattr4.SIZE).opaque(xdr().int64(2).build()))
                .op(OP_NVERIFY, a -> bitmap(a, Fattr4.SIZE).opaque(xdr().int64(3).build()))
                .op(OP_VERIFY, a -> bitmap(a, Fattr4.SIZE).opaque(xdr().int64(3).build())).send();
        r.ok(OP_PUTFH).ok(OP_VERIFY).ok(OP_NVERIFY);
        assertEquals(Nfs4Status.NOT_SAME, r.next(OP_VERIFY));
        Nfs4TestClient.Reply same = f.client.compound(0).putfh(fh)
                .op(OP_NVERIFY, a -> bitmap(a, Fattr4.SIZE).opaque(xdr().int64(2).build())).send();
        same.ok(OP_PUTFH);
        assertEquals(Nfs4Status.SAME, same.next(OP_NVERIFY));
        Nfs4TestClient.Reply err = f.client.compound(0).putfh(fh)
                .op(OP_VERIFY, a -> bitmap(a, Fattr4.RDATTR_ERROR).opaque(xdr().int32(0).build())).send();
        err.ok(OP_PUTFH);
        assertEquals(Nfs4Status.INVAL, err.next(OP_VERIFY));
    }

    @Test
    void shouldGrantOnlyWhatPermissionsAllowWhenAccess() {
        byte[] fh = file("ro", new byte[0]);
        f.export.setattr(io.dittofs.core.AuthContext.ROOT,
                Nfs4Handle.decode(java.lang.foreign.MemorySegment.ofArray(fh)).id(),
                io.dittofs.core.SetAttr.mode(0644), -1);
        try (Nfs4TestClient user = f.client.as(1000, 1000)) {
            Nfs4TestClient.Reply r = user.compound(0).putfh(fh).op(OP_ACCESS, a -> a.int32(0x3F)).send();
            r.ok(OP_PUTFH).ok(OP_ACCESS);
            assertEquals(0x3F & ~0x12, r.int32(), "supported: LOOKUP and DELETE mean nothing for a file");
            assertEquals(0x01, r.int32(), "READ only");
        }
    }

    @Test
    void shouldSquashRootWhenShareSquashes() {
        Nfs4TestClient.Reply r = f.client.compound(0).putrootfh().lookup("a").lookup("b")
                .op(OP_CREATE, a -> noAttrs(a.int32(Fattr4Values.NF4DIR).string("sq")))
                .getattr(Fattr4.OWNER).send();
        r.ok(OP_PUTROOTFH).ok(OP_LOOKUP).ok(OP_LOOKUP).ok(OP_CREATE);
        r.body().position(r.body().position() + 20);
        Attrs4.readBitmap(r.body());
        r.ok(OP_GETATTR);
        assertEquals("65534", Attrs4.read(r.body()).get(Fattr4.OWNER));
    }

    @Test
    void shouldRejectBadNamesAndHandles() {
        Nfs4TestClient.Reply dot = f.atExport().lookup("..").send();
        dot.ok(OP_PUTROOTFH).ok(OP_LOOKUP);
        assertEquals(Nfs4Status.BADNAME, dot.next(OP_LOOKUP));
        Nfs4TestClient.Reply longName = f.atExport().lookup("n".repeat(300)).send();
        longName.ok(OP_PUTROOTFH).ok(OP_LOOKUP);
        assertEquals(Nfs4Status.NAMETOOLONG, longName.next(OP_LOOKUP));
        Nfs4TestClient.Reply utf = f.atExport().op(OP_LOOKUP, a -> a.opaque(new byte[] {(byte) 0xFF, 'a'})).send();
        utf.ok(OP_PUTROOTFH).ok(OP_LOOKUP);
        assertEquals(Nfs4Status.INVAL, utf.next(OP_LOOKUP));
        Nfs4TestClient.Reply bad = f.client.compound(0).putfh(new byte[] {1, 2, 3}).send();
        assertEquals(Nfs4Status.BADHANDLE, bad.next(OP_PUTFH));
        Nfs4TestClient.Reply stale = f.client.compound(0).putfh(Nfs4Handle.share(77, 1).encode()).send();
        assertEquals(Nfs4Status.STALE, stale.next(OP_PUTFH));
        Nfs4TestClient.Reply restore = f.client.compound(0).putrootfh().op(OP_RESTOREFH).send();
        restore.ok(OP_PUTROOTFH);
        assertEquals(Nfs4Status.RESTOREFH, restore.next(OP_RESTOREFH));
        Nfs4TestClient.Reply big = f.client.compound(0).op(OP_PUTFH, a -> a.opaque(new byte[200])).send();
        assertEquals(Nfs4Status.BADXDR, big.next(OP_PUTFH), "a handle over NFS4_FHSIZE");
    }

    @Test
    void shouldAnswerNofilehandleForEveryOpNeedingOne() {
        int[] ops = {OP_GETATTR, OP_LOOKUP, OP_LOOKUPP, OP_ACCESS, OP_READ, OP_WRITE, OP_COMMIT, OP_CREATE,
            OP_REMOVE, OP_RENAME, OP_LINK, OP_READLINK, OP_READDIR, OP_VERIFY, OP_NVERIFY, OP_SECINFO, OP_SAVEFH,
            OP_SETATTR, OP_GETFH};
        for (int op : ops) {
            Nfs4TestClient.Reply r = f.client.compound(0).op(op, a -> a.raw(new byte[64])).send();
            assertEquals(Nfs4Status.NOFILEHANDLE, r.next(op), Nfs4Ops.name(op));
        }
    }

    @Test
    void shouldConsumeCurrentFhWhenSecinfoIn41ButNotIn40() {
        Nfs4TestClient.Reply r40 = f.client.compound(0).putrootfh().op(OP_SECINFO, a -> a.string("export")).getfh()
                .send();
        r40.ok(OP_PUTROOTFH).ok(OP_SECINFO);
        assertEquals(1, r40.int32());
        assertEquals(1, r40.int32(), "AUTH_SYS");
        r40.ok(OP_GETFH);
        Nfs4TestClient.Reply r41 = f.client.compound(1).op(OP_SEQUENCE, a -> a.int32(0)).putrootfh()
                .op(OP_SECINFO_NO_NAME, a -> a.int32(0)).getfh().send();
        r41.ok(OP_SEQUENCE).ok(OP_PUTROOTFH).ok(OP_SECINFO_NO_NAME);
        r41.int32();
        r41.int32();
        assertEquals(Nfs4Status.NOFILEHANDLE, r41.next(OP_GETFH));
        Nfs4TestClient.Reply missing = f.client.compound(0).putrootfh().op(OP_SECINFO, a -> a.string("nope")).send();
        missing.ok(OP_PUTROOTFH);
        assertEquals(Nfs4Status.NOENT, missing.next(OP_SECINFO));
    }
}
