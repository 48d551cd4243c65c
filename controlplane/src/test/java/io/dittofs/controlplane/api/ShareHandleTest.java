package io.dittofs.controlplane.api;

import io.dittofs.controlplane.metrics.RpcSocket;
import io.dittofs.core.AuthContext;
import io.dittofs.core.FileSystem;
import io.dittofs.core.SetAttr;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static io.dittofs.controlplane.metrics.RpcSocket.MOUNT;
import static io.dittofs.controlplane.metrics.RpcSocket.NFS;
import static io.dittofs.controlplane.metrics.RpcSocket.concat;
import static io.dittofs.controlplane.metrics.RpcSocket.opaque;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** File handles never cross shares: a deleted share's handles are stale, never another share's files. */
class ShareHandleTest extends LoggedInApiTest {
    private static final int MNT = 1;
    private static final int GETATTR = 1;
    private static final int LOOKUP = 3;
    private static final int NFS3_OK = 0;
    private static final int NFS3ERR_STALE = 70;

    private void share(String name, String meta, String blocks) throws Exception {
        ok(201, h.call("POST", "/api/v1/stores/metadata", admin, "{\"name\":\"" + meta + "\",\"type\":\"memory\"}"));
        ok(201, h.call("POST", "/api/v1/stores/block", admin, "{\"name\":\"" + blocks + "\",\"type\":\"memory\"}"));
        ok(201, h.call("POST", "/api/v1/shares", admin, "{\"name\":\"" + name + "\",\"metadata_store\":\"" + meta
                + "\",\"block_store\":\"" + blocks + "\",\"default_permission\":\"read-write\"}"));
    }

    private static byte[] mount(RpcSocket c, String share) throws Exception {
        ByteBuffer r = c.call(MOUNT, 3, MNT, opaque(share.getBytes(StandardCharsets.US_ASCII)));
        assertEquals(0, r.getInt(), "MNT accepted");
        assertEquals(0, r.getInt(), "MNT3_OK");
        byte[] fh = new byte[r.getInt()];
        r.get(fh);
        return fh;
    }

    private static int lookup(RpcSocket c, byte[] dir, String name) throws Exception {
        ByteBuffer r = c.call(NFS, 3, LOOKUP, concat(opaque(dir), opaque(name.getBytes(StandardCharsets.US_ASCII))));
        assertEquals(0, r.getInt(), "LOOKUP accepted");
        return r.getInt();
    }

    private static int getattr(RpcSocket c, byte[] fh) throws Exception {
        ByteBuffer r = c.call(NFS, 3, GETATTR, opaque(fh));
        assertEquals(0, r.getInt(), "GETATTR accepted");
        return r.getInt();
    }

    @Test
    @Timeout(30)
    void shouldAnswerStaleAndNeverTheNewSharesFileWhenAHandleOfADeletedShareComesBack() throws Exception {
        share("/a", "ma", "ba");
        try (RpcSocket c = new RpcSocket(h.runtime.nfsPort())) {
            byte[] oldRoot = mount(c, "/a");
            assertEquals(NFS3_OK, getattr(c, oldRoot));
            int idA = h.runtime.registry().byName("/a").id();
            ok(204, h.call("DELETE", "/api/v1/shares/a", admin, null));

            share("/b", "mb", "bb");
            FileSystem b = h.runtime.registry().byName("/b").fs();
            b.create(AuthContext.ROOT, b.rootId(), "secret", SetAttr.NONE, FileSystem.CreateMode.UNCHECKED, 0);
            byte[] newRoot = mount(c, "/b");
            assertEquals(NFS3_OK, lookup(c, newRoot, "secret"), "the new share serves its own file");

            assertEquals(NFS3ERR_STALE, getattr(c, oldRoot), "the deleted share's root");
            assertEquals(NFS3ERR_STALE, lookup(c, oldRoot, "secret"), "the new share's file through the old handle");
            assertNotEquals(idA, h.runtime.registry().byName("/b").id(), "a new share never gets a deleted share's id");
        }
    }
}
