package io.dittofs.protocols.nfs.v4;

import io.dittofs.core.AuthContext;
import io.dittofs.core.FileSystem;
import io.dittofs.core.SetAttr;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static io.dittofs.protocols.XdrArgs.xdr;
import static io.dittofs.protocols.nfs.v4.Nfs4Ops.*;
import static io.dittofs.protocols.nfs.v4.Nfs4TestClient.bitmap;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Edge cases of the stateless ops that pynfs's nfs4.0 suite (GATT3/GATT4, RDDR8/RDDR9, ACC2, SATT8,
 * SATT16/SATT17, LINK1d) found answered wrongly; each asserts what RFC 7530 asks.
 */
class Nfs4ConformanceOpsTest {
    private final Nfs4Fixture f = new Nfs4Fixture();

    @AfterEach
    void tearDown() {
        f.close();
    }

    private byte[] object(String name, boolean dir) {
        FileSystem fs = f.export;
        var c = dir ? fs.mkdir(AuthContext.ROOT, fs.rootId(), name, SetAttr.mode(0777))
                : fs.create(AuthContext.ROOT, fs.rootId(), name, SetAttr.mode(0666), FileSystem.CreateMode.GUARDED, 0);
        return Nfs4Handle.share(1, c.child().id()).encode();
    }

    @Test
    void shouldIgnoreUnknownAttributesWhenGetattr() {
        byte[] fh = object("f", false);
        Nfs4TestClient.Reply r = f.client.compound(0).putfh(fh).op(OP_GETATTR, a -> bitmap(a, 1000)).send();
        r.ok(OP_PUTFH).ok(OP_GETATTR);
        assertEquals(0, r.int32(), "no attribute returned");
    }

    @Test
    void shouldAnswerInvalWhenGetattrOrReaddirAsksForWriteOnlyAttributes() {
        byte[] fh = object("f", false);
        assertEquals(Nfs4Status.INVAL, f.client.compound(0).putfh(fh)
                .op(OP_GETATTR, a -> bitmap(a, Fattr4.TIME_ACCESS_SET)).send().status());
        assertEquals(Nfs4Status.INVAL, f.atExport().op(OP_READDIR, a -> bitmap(a.int64(0).int64(0).int32(4096)
                .int32(4096), Fattr4.TIME_MODIFY_SET)).send().status());
    }

    @Test
    void shouldFitAnEmptyListingInSixteenBytesWhenReaddir() {
        byte[] dir = object("empty", true);
        assertEquals(Nfs4Status.TOOSMALL, f.client.compound(0).putfh(dir)
                .op(OP_READDIR, a -> bitmap(a.int64(0).int64(0).int32(15).int32(15))).send().status());
        Nfs4TestClient.Reply r = f.client.compound(0).putfh(dir)
                .op(OP_READDIR, a -> bitmap(a.int64(0).int64(0).int32(16).int32(16))).send();
        r.ok(OP_PUTFH).ok(OP_READDIR);
        r.int64();
        assertEquals(0, r.int32(), "no entry");
        assertEquals(1, r.int32(), "eof");
    }

    @Test
    void shouldReportOnlyMeaningfulBitsAsSupportedWhenAccess() {
        Nfs4TestClient.Reply file = f.client.compound(0).putfh(object("f", false))
                .op(OP_ACCESS, a -> a.int32(0x3F)).send();
        file.ok(OP_PUTFH).ok(OP_ACCESS);
        assertEquals(0, file.int32() & 0x12, "no LOOKUP or DELETE for a file");
        Nfs4TestClient.Reply dir = f.client.compound(0).putfh(object("d", true))
                .op(OP_ACCESS, a -> a.int32(0x3F)).send();
        dir.ok(OP_PUTFH).ok(OP_ACCESS);
        int supported = dir.int32();
        assertEquals(0, supported & 0x20, "no EXECUTE for a directory");
        assertTrue((supported & 0x12) == 0x12, "LOOKUP and DELETE for a directory: " + supported);
    }

    @Test
    void shouldAnswerInvalForAnEmptyOwnerAndBadxdrForTrailingValuesWhenSetattr() {
        byte[] fh = object("f", false);
        assertEquals(Nfs4Status.INVAL, f.client.compound(0).putfh(fh).op(OP_SETATTR, a -> bitmap(anonymous(a),
                Fattr4.OWNER).opaque(xdr().string("").build())).send().status());
        assertEquals(Nfs4Status.INVAL, f.client.compound(0).putfh(fh).op(OP_SETATTR, a -> bitmap(anonymous(a),
                Fattr4.OWNER_GROUP).opaque(xdr().string("").build())).send().status());
        assertEquals(Nfs4Status.BADXDR, f.client.compound(0).putfh(fh).op(OP_SETATTR, a -> bitmap(anonymous(a),
                Fattr4.MODE).opaque(xdr().int32(0644).int32(0).build())).send().status());
    }

    @Test
    void shouldAnswerIsdirWhenLinkingADirectory() {
        byte[] dir = object("d", true);
        assertEquals(Nfs4Status.ISDIR, f.client.compound(0).putfh(dir).op(OP_SAVEFH).putrootfh().lookup("export")
               .op(OP_LINK, a -> a.string("d2")).send().status());
    }

    private static io.dittofs.protocols.XdrArgs anonymous(io.dittofs.protocols.XdrArgs a) {
        return a.int32(0).opaqueFixed(new byte[12]);
    }
}
