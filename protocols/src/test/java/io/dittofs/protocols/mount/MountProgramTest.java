package io.dittofs.protocols.mount;

import io.dittofs.protocols.RpcTestClient;
import io.dittofs.protocols.RpcTestClient.Cred;
import io.dittofs.protocols.RpcTestClient.RpcReply;
import io.dittofs.protocols.TestNfsServer;
import io.dittofs.protocols.XdrArgs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import static io.dittofs.protocols.RpcTestClient.MOUNT;
import static io.dittofs.protocols.XdrArgs.xdr;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** MOUNT v3 (RFC 1813 appendix I) over real loopback sockets. */
class MountProgramTest {
    private static final int MNT = 1;
    private static final int DUMP = 2;
    private static final int EXPORT = 5;
    private static TestNfsServer server;

    @BeforeAll
    static void startServer() throws IOException {
        server = TestNfsServer.start();
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    private static ByteBuffer mnt(RpcTestClient c, String path) throws IOException {
        RpcReply r = c.call(MOUNT, 3, MNT, Cred.sys(1000, 1000), xdr().string(path).build());
        assertTrue(r.isSuccess(), r::toString);
        return r.body();
    }

    @Test
    @Timeout(10)
    void shouldReturnRootHandleAndAuthSysWhenMountingExport() throws IOException {
        try (RpcTestClient c = server.client()) {
            ByteBuffer b = mnt(c, TestNfsServer.EXPORT);
            assertEquals(MountProgram.MNT3_OK, b.getInt());
            assertArrayEquals(server.rootHandle(), XdrArgs.readOpaque(b));
            int n = b.getInt();
            List<Integer> flavors = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                flavors.add(b.getInt());
            }
            assertTrue(flavors.contains(1), "AUTH_SYS offered: " + flavors);
            assertEquals(0, b.remaining());
        }
    }

    @Test
    @Timeout(10)
    void shouldMountExportWhenPathHasTrailingSlash() throws IOException {
        try (RpcTestClient c = server.client()) {
            assertEquals(MountProgram.MNT3_OK, mnt(c, TestNfsServer.EXPORT + "/").getInt());
        }
    }

    @Test
    @Timeout(10)
    void shouldReplyNoEntWhenMountingUnknownPath() throws IOException {
        try (RpcTestClient c = server.client()) {
            ByteBuffer b = mnt(c, "/nope");
            assertEquals(2, b.getInt(), "MNT3ERR_NOENT");
            assertEquals(0, b.remaining());
        }
    }

    @Test
    @Timeout(10)
    void shouldListExportWhenAskedForExports() throws IOException {
        try (RpcTestClient c = server.client()) {
            RpcReply r = c.call(MOUNT, 3, EXPORT, Cred.none(), new byte[0]);
            assertTrue(r.isSuccess(), r::toString);
            ByteBuffer b = r.body();
            List<String> dirs = new ArrayList<>();
            while (b.getInt() == 1) {
                dirs.add(XdrArgs.readString(b));
                assertEquals(0, b.getInt(), "no groups");
            }
            assertEquals(List.of(TestNfsServer.EXPORT), dirs);
            assertEquals(0, b.remaining());
        }
    }

    @Test
    @Timeout(10)
    void shouldListMountInDumpAfterMnt() throws IOException {
        try (RpcTestClient c = server.client()) {
            mnt(c, TestNfsServer.EXPORT);
            ByteBuffer b = c.call(MOUNT, 3, DUMP, Cred.none(), new byte[0]).body();
            boolean found = false;
            while (b.getInt() == 1) {
                String host = XdrArgs.readString(b);
                String dir = XdrArgs.readString(b);
                found |= host.equals("testhost") && dir.equals(TestNfsServer.EXPORT);
            }
            assertTrue(found);
            assertFalse(b.hasRemaining());
        }
    }
}
