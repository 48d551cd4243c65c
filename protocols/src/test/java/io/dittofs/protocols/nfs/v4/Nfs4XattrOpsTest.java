package io.dittofs.protocols.nfs.v4;

import io.dittofs.core.AuthContext;
import io.dittofs.core.FileSystem;
import io.dittofs.core.SetAttr;
import io.dittofs.protocols.XdrArgs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.dittofs.protocols.nfs.v4.Nfs4Ops.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** NFSv4.2 extended attributes (RFC 8276) through the v4 test client: ops, errors, bounds, attribute, ACCESS bits. */
class Nfs4XattrOpsTest {
    private static final int EITHER = 0;
    private static final int CREATE = 1;
    private static final int REPLACE = 2;
    private final Nfs4Fixture f = new Nfs4Fixture();

    @AfterEach
    void tearDown() {
        f.close();
    }

    private long fileId() {
        FileSystem fs = f.export;
        return fs.create(AuthContext.ROOT, fs.rootId(), "f", SetAttr.mode(0644), FileSystem.CreateMode.GUARDED, 0)
                .child().id();
    }

    private static byte[] fh(long id) {
        return Nfs4Handle.share(1, id).encode();
    }

    private Nfs4TestClient.Compound at(byte[] fh) {
        return f.client.compound(2).op(OP_SEQUENCE, a -> a.int32(0)).putfh(fh);
    }

    private static void set(XdrArgs a, int option, String name, byte[] value) {
        a.int32(option).string(name).opaque(value);
    }

    /** Reads a change_info4: {atomic, before, after}. */
    private static long[] changeInfo(Nfs4TestClient.Reply r) {
        return new long[] {r.int32(), r.int64(), r.int64()};
    }

    @Test
    void shouldSetGetListAndRemoveWhenMinorVersionIsTwo() {
        long id = fileId();
        Nfs4TestClient.Reply r = at(fh(id))
                .op(OP_SETXATTR, a -> set(a, EITHER, "foo", new byte[] {1, 2, 3}))
                .op(OP_GETXATTR, a -> a.string("foo"))
                .op(OP_LISTXATTRS, a -> a.int64(0).int32(4096))
                .op(OP_REMOVEXATTR, a -> a.string("foo"))
                .op(OP_GETXATTR, a -> a.string("foo")).send();
        r.ok(OP_SEQUENCE).ok(OP_PUTFH).ok(OP_SETXATTR);
        long[] ci = changeInfo(r);
        assertEquals(1, ci[0], "atomic");
        assertNotEquals(ci[1], ci[2], "the change attribute moved");
        r.ok(OP_GETXATTR);
        assertArrayEquals(new byte[] {1, 2, 3}, XdrArgs.readOpaque(r.body()));
        r.ok(OP_LISTXATTRS);
        assertEquals(1L, r.int64(), "cookie");
        assertEquals(1, r.int32());
        assertEquals("foo", r.string());
        assertEquals(1, r.int32(), "eof");
        r.ok(OP_REMOVEXATTR);
        changeInfo(r);
        assertEquals(Nfs4Status.NOXATTR, r.next(OP_GETXATTR));
        assertEquals(List.of(), f.export.xattrs().list(AuthContext.ROOT, id), "the store has it removed");
    }

    @Test
    void shouldAnswerExistAndNoxattrForCreateAndReplace() {
        byte[] fh = fh(fileId());
        Nfs4TestClient.Reply r = at(fh).op(OP_SETXATTR, a -> set(a, REPLACE, "x", new byte[] {1})).send();
        r.ok(OP_SEQUENCE).ok(OP_PUTFH);
        assertEquals(Nfs4Status.NOXATTR, r.next(OP_SETXATTR));
        r = at(fh).op(OP_SETXATTR, a -> set(a, CREATE, "x", new byte[] {1}))
                .op(OP_SETXATTR, a -> set(a, CREATE, "x", new byte[] {2})).send();
        r.ok(OP_SEQUENCE).ok(OP_PUTFH).ok(OP_SETXATTR);
        changeInfo(r);
        assertEquals(Nfs4Status.EXIST, r.next(OP_SETXATTR));
        assertEquals(Nfs4Status.NOXATTR, at(fh).op(OP_REMOVEXATTR, a -> a.string("nope")).send()
                .ok(OP_SEQUENCE).ok(OP_PUTFH).next(OP_REMOVEXATTR));
    }

    @Test
    void shouldAnswerXattr2bigBeforeReadingTenMegabyteValue() {
        long id = fileId();
        // the value claims 10 MB but only 8 bytes follow: judged by its length alone, never read or allocated
        Nfs4TestClient.Reply r = at(fh(id)).op(OP_SETXATTR, a -> a.int32(EITHER).string("big").int32(10 << 20)
                .raw(new byte[8])).send();
        r.ok(OP_SEQUENCE).ok(OP_PUTFH);
        assertEquals(Nfs4Status.XATTR2BIG, r.next(OP_SETXATTR));
        r = at(fh(id)).op(OP_SETXATTR, a -> set(a, EITHER, "big", new byte[64 * 1024 + 1])).send();
        r.ok(OP_SEQUENCE).ok(OP_PUTFH);
        assertEquals(Nfs4Status.XATTR2BIG, r.next(OP_SETXATTR));
        at(fh(id)).op(OP_SETXATTR, a -> set(a, EITHER, "max", new byte[64 * 1024])).send()
                .ok(OP_SEQUENCE).ok(OP_PUTFH).ok(OP_SETXATTR);
    }

    @Test
    void shouldCheckNamesLikeComponents() {
        byte[] fh = fh(fileId());
        assertEquals(Nfs4Status.INVAL, at(fh).op(OP_GETXATTR, a -> a.string("")).send()
                .ok(OP_SEQUENCE).ok(OP_PUTFH).next(OP_GETXATTR));
        assertEquals(Nfs4Status.NAMETOOLONG, at(fh).op(OP_GETXATTR, a -> a.string("n".repeat(256))).send()
                .ok(OP_SEQUENCE).ok(OP_PUTFH).next(OP_GETXATTR));
        assertEquals(Nfs4Status.INVAL, at(fh).op(OP_GETXATTR, a -> a.opaque(new byte[] {(byte) 0xC3})).send()
                .ok(OP_SEQUENCE).ok(OP_PUTFH).next(OP_GETXATTR), "not UTF-8");
    }

    @Test
    void shouldPageNamesByCookieWithinMaxcount() {
        long id = fileId();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            names.add("name" + i); // 4 + 8 bytes each on the wire
            f.export.xattrs().set(AuthContext.ROOT, id, "name" + i, new byte[] {1}, io.dittofs.core.XattrOps.SetMode.EITHER);
        }
        List<String> got = new ArrayList<>();
        long cookie = 0;
        boolean eof = false;
        int pages = 0;
        while (!eof) {
            long c = cookie;
            Nfs4TestClient.Reply r = at(fh(id)).op(OP_LISTXATTRS, a -> a.int64(c).int32(16 + 3 * 12)).send();
            r.ok(OP_SEQUENCE).ok(OP_PUTFH).ok(OP_LISTXATTRS);
            cookie = r.int64();
            int n = r.int32();
            assertTrue(n <= 3);
            for (int i = 0; i < n; i++) {
                got.add(r.string());
            }
            eof = r.int32() == 1;
            pages++;
        }
        assertEquals(names, got);
        assertEquals(4, pages);
        assertEquals(Nfs4Status.TOOSMALL, at(fh(id)).op(OP_LISTXATTRS, a -> a.int64(0).int32(20)).send()
                .ok(OP_SEQUENCE).ok(OP_PUTFH).next(OP_LISTXATTRS));
        assertEquals(Nfs4Status.BAD_COOKIE, at(fh(id)).op(OP_LISTXATTRS, a -> a.int64(11).int32(4096)).send()
                .ok(OP_SEQUENCE).ok(OP_PUTFH).next(OP_LISTXATTRS));
    }

    @Test
    void shouldRefuseChangesByOthersAndReadsWithoutPermission() {
        long id = fileId();
        f.export.setattr(AuthContext.ROOT, id, SetAttr.mode(0600), -1);
        Nfs4TestClient bob = f.client.as(1001, 1001);
        Nfs4TestClient.Reply r = bob.compound(2).op(OP_SEQUENCE, a -> a.int32(0)).putfh(fh(id))
                .op(OP_SETXATTR, a -> set(a, EITHER, "x", new byte[] {1})).send();
        r.ok(OP_SEQUENCE).ok(OP_PUTFH);
        assertEquals(Nfs4Status.ACCESS, r.next(OP_SETXATTR));
        r = bob.compound(2).op(OP_SEQUENCE, a -> a.int32(0)).putfh(fh(id))
                .op(OP_LISTXATTRS, a -> a.int64(0).int32(4096)).send();
        r.ok(OP_SEQUENCE).ok(OP_PUTFH);
        assertEquals(Nfs4Status.ACCESS, r.next(OP_LISTXATTRS));
    }

    @Test
    void shouldGrantXattrAccessBitsOnlyInMinorVersionTwo() {
        byte[] fh = fh(fileId());
        Nfs4TestClient.Reply r = at(fh).op(OP_ACCESS, a -> a.int32(0x1FF)).send();
        r.ok(OP_SEQUENCE).ok(OP_PUTFH).ok(OP_ACCESS);
        assertEquals(0x1FF & ~0x12, r.int32(), "supported: the four of 4.1 meaningful for a file and XAREAD, XAWRITE, XALIST");
        assertEquals(0x1C0, r.int32() & 0x1C0, "root may read, write and list xattrs");
        Nfs4TestClient other = f.client.as(1001, 1001);
        r = other.compound(2).op(OP_SEQUENCE, a -> a.int32(0)).putfh(fh).op(OP_ACCESS, a -> a.int32(0x1C0)).send();
        r.ok(OP_SEQUENCE).ok(OP_PUTFH).ok(OP_ACCESS);
        r.int32();
        assertEquals(0x140, r.int32(), "0644: others may read and list, not write");
        r = f.client.compound(1).op(OP_SEQUENCE, a -> a.int32(0)).putfh(fh).op(OP_ACCESS, a -> a.int32(0x1FF)).send();
        r.ok(OP_SEQUENCE).ok(OP_PUTFH).ok(OP_ACCESS);
        assertEquals(0x3F & ~0x12, r.int32(), "4.1 knows no XA bits (nor LOOKUP/DELETE for a file)");
    }

    @Test
    void shouldReportXattrSupportOnlyInMinorVersionTwo() {
        byte[] fh = fh(fileId());
        Nfs4TestClient.Reply r = at(fh).getattr(Fattr4.SUPPORTED_ATTRS, Fattr4.XATTR_SUPPORT).send();
        r.ok(OP_SEQUENCE).ok(OP_PUTFH).ok(OP_GETATTR);
        Map<Integer, Object> a = Attrs4.read(r.body());
        assertEquals(Boolean.TRUE, a.get(Fattr4.XATTR_SUPPORT));
        assertTrue(Attrs4.has((long[]) a.get(Fattr4.SUPPORTED_ATTRS), Fattr4.XATTR_SUPPORT));
        r = f.client.compound(1).op(OP_SEQUENCE, x -> x.int32(0)).putfh(fh)
                .getattr(Fattr4.SUPPORTED_ATTRS, Fattr4.XATTR_SUPPORT).send();
        r.ok(OP_SEQUENCE).ok(OP_PUTFH).ok(OP_GETATTR);
        a = Attrs4.read(r.body());
        assertFalse(a.containsKey(Fattr4.XATTR_SUPPORT));
        assertFalse(Attrs4.has((long[]) a.get(Fattr4.SUPPORTED_ATTRS), Fattr4.XATTR_SUPPORT));
    }

    @Test
    void shouldAnswerOpIllegalWhenXattrOpIsSentIn41() {
        Nfs4TestClient.Reply r = f.client.compound(1).op(OP_SEQUENCE, a -> a.int32(0)).putfh(fh(fileId()))
                .op(OP_GETXATTR, a -> a.string("foo")).send();
        r.ok(OP_SEQUENCE).ok(OP_PUTFH);
        assertEquals(Nfs4Status.OP_ILLEGAL, r.status());
    }

    @Test
    void shouldKeepNamesWithSlashesAndUtf8() {
        long id = fileId();
        String name = "dir/\u00e9t\u00e9";
        Nfs4TestClient.Reply r = at(fh(id)).op(OP_SETXATTR, a -> set(a, EITHER, name, "v".getBytes(StandardCharsets.UTF_8)))
                .op(OP_GETXATTR, a -> a.string(name)).send();
        r.ok(OP_SEQUENCE).ok(OP_PUTFH).ok(OP_SETXATTR);
        changeInfo(r);
        r.ok(OP_GETXATTR);
        assertArrayEquals("v".getBytes(StandardCharsets.UTF_8), XdrArgs.readOpaque(r.body()));
    }
}
