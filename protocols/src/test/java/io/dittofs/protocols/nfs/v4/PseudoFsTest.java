package io.dittofs.protocols.nfs.v4;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.dittofs.protocols.nfs.v4.Nfs4Ops.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pseudo-filesystem: share paths as directories, per-caller visibility, crossing into shares. */
class PseudoFsTest {
    private final Nfs4Fixture f = new Nfs4Fixture();

    @AfterEach
    void tearDown() {
        f.close();
    }

    private static List<String> names(Nfs4TestClient.Reply r) {
        r.body().getLong(); // cookieverf
        List<String> out = new ArrayList<>();
        while (r.int32() == 1) {
            r.int64();
            out.add(r.string());
            Attrs4.read(r.body());
        }
        return out;
    }

    private static Nfs4TestClient.Compound readdir(Nfs4TestClient.Compound c) {
        return c.op(OP_READDIR, a -> Nfs4TestClient.bitmap(a.int64(0).int64(0).int32(4096).int32(65536),
                Fattr4.TYPE, Fattr4.FILEID));
    }

    @Test
    void shouldListOnlySharesTheCallerMayMountWhenReaddirOfRoot() {
        Nfs4TestClient.Reply root = readdir(f.client.compound(0).putrootfh()).send();
        root.ok(OP_PUTROOTFH).ok(OP_READDIR);
        assertEquals(List.of("a", "export"), names(root));
        try (Nfs4TestClient user = f.client.as(1000, 1000)) {
            Nfs4TestClient.Reply r = readdir(user.compound(0).putrootfh()).send();
            r.ok(OP_PUTROOTFH).ok(OP_READDIR);
            assertEquals(List.of("a", "export", "secret"), names(r));
        }
    }

    @Test
    void shouldAnswerNoentWhenLookingUpAShareTheCallerMayNotMount() {
        Nfs4TestClient.Reply r = f.client.compound(0).putrootfh().lookup("secret").send();
        r.ok(OP_PUTROOTFH);
        assertEquals(Nfs4Status.NOENT, r.next(OP_LOOKUP));
    }

    @Test
    void shouldCrossIntoShareAndBackWhenLookupAndLookupp() {
        Nfs4TestClient.Reply r = f.client.compound(0).putrootfh().lookup("a").getfh().lookup("b").getfh()
                .getattr(Fattr4.FSID, Fattr4.FILEID, Fattr4.MOUNTED_ON_FILEID)
                .op(OP_LOOKUPP).op(OP_LOOKUPP).getfh().send();
        r.ok(OP_PUTROOTFH).ok(OP_LOOKUP).ok(OP_GETFH);
        byte[] a = r.fh();
        r.ok(OP_LOOKUP).ok(OP_GETFH);
        Nfs4Handle b = Nfs4Handle.decode(MemorySegment.ofArray(r.fh()));
        assertFalse(b.isPseudo());
        assertEquals(2, b.shareId());
        assertEquals(f.ab.rootId(), b.id());
        r.ok(OP_GETATTR);
        Map<Integer, Object> attrs = Attrs4.read(r.body());
        assertEquals(3L, ((long[]) attrs.get(Fattr4.FSID))[0], "share 2's fsid");
        assertNotEquals(attrs.get(Fattr4.FILEID), attrs.get(Fattr4.MOUNTED_ON_FILEID));
        r.ok(OP_LOOKUPP).ok(OP_LOOKUPP).ok(OP_GETFH);
        assertEquals(f.services.pseudoFs().root(), Nfs4Handle.decode(MemorySegment.ofArray(r.fh())));
        assertTrue(Nfs4Handle.decode(MemorySegment.ofArray(a)).isPseudo(), "/a is a pseudo directory");
    }

    @Test
    void shouldAnswerNoentWhenLookuppOfRoot() {
        Nfs4TestClient.Reply r = f.client.compound(0).putrootfh().op(OP_LOOKUPP).send();
        r.ok(OP_PUTROOTFH);
        assertEquals(Nfs4Status.NOENT, r.next(OP_LOOKUPP));
    }

    @Test
    void shouldRefuseChangesInsideThePseudoFilesystem() {
        Nfs4TestClient.Reply r = f.client.compound(0).putrootfh()
                .op(OP_CREATE, a -> a.int32(Fattr4Values.NF4DIR).string("new").int32(0).int32(0)).send();
        r.ok(OP_PUTROOTFH);
        assertEquals(Nfs4Status.ROFS, r.next(OP_CREATE));
        Nfs4TestClient.Reply rm = f.client.compound(0).putrootfh().op(OP_REMOVE, a -> a.string("export")).send();
        rm.ok(OP_PUTROOTFH);
        assertEquals(Nfs4Status.ROFS, rm.next(OP_REMOVE));
    }

    @Test
    void shouldKeepPseudoHandlesStableAcrossInstances() {
        byte[] one = new PseudoFs(f.shares).root().encode();
        byte[] two = new PseudoFs(f.shares).root().encode();
        assertArrayEquals(one, two);
    }

    @Test
    void shouldReportPseudoRootAsReadOnlyDirectoryWhenGetattr() {
        Nfs4TestClient.Reply r = f.client.compound(0).putrootfh()
                .getattr(Fattr4.TYPE, Fattr4.MODE, Fattr4.FSID).send();
        r.ok(OP_PUTROOTFH).ok(OP_GETATTR);
        Map<Integer, Object> attrs = Attrs4.read(r.body());
        assertEquals(Fattr4Values.NF4DIR, attrs.get(Fattr4.TYPE));
        assertEquals(0555, attrs.get(Fattr4.MODE));
        assertEquals(0L, ((long[]) attrs.get(Fattr4.FSID))[0]);
    }
}
