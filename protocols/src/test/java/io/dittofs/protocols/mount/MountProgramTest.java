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

    @Test
    @Timeout(60)
    void shouldRememberAtMostTheNewestMountsWhenManyHostsMount() throws IOException {
        int hosts = MountProgram.MAX_MOUNTS + 100;
        try (RpcTestClient c = server.client()) {
            for (int i = 0; i < hosts; i++) {
                Cred cred = new Cred(1, xdr().int32(0).string("bulk-host-" + i).int32(1000).int32(1000).int32(0).build());
                RpcReply r = c.call(MOUNT, 3, MNT, cred, xdr().string(TestNfsServer.EXPORT).build());
                assertEquals(MountProgram.MNT3_OK, r.body().getInt());
            }
            ByteBuffer b = c.call(MOUNT, 3, DUMP, Cred.none(), new byte[0]).body();
            List<String> listed = new ArrayList<>();
            while (b.getInt() == 1) {
                listed.add(XdrArgs.readString(b));
                XdrArgs.readString(b);
            }
            assertTrue(listed.size() <= MountProgram.MAX_MOUNTS, listed.size() + " entries in DUMP");
            assertTrue(listed.contains("bulk-host-" + (hosts - 1)), "the newest mount is listed");
            assertFalse(listed.contains("bulk-host-0"), "the oldest mount was forgotten");
        }
    }

    @Test
    @Timeout(10)
    void shouldLogClientPathsWithControlCharactersEscaped() throws IOException {
        ch.qos.logback.classic.Logger log = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(MountProgram.class);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> seen =
                new ch.qos.logback.core.read.ListAppender<>();
        seen.start();
        ch.qos.logback.classic.Level level = log.getLevel();
        log.setLevel(ch.qos.logback.classic.Level.INFO); // the test configuration keeps io.dittofs at ERROR
        log.setAdditive(false);
        log.addAppender(seen);
        try (RpcTestClient c = server.client()) {
            ByteBuffer b = mnt(c, "/nope\n12:00:00.000 INFO  [main] i.d.c.api.Endpoints - user admin logged in\u001b[2J");
            assertEquals(2, b.getInt(), "MNT3ERR_NOENT");
        } finally {
            log.detachAppender(seen);
            log.setAdditive(true);
            log.setLevel(level);
        }
        List<String> lines = seen.list.stream().map(e -> e.getFormattedMessage()).filter(m -> m.contains("/nope")).toList();
        assertEquals(1, lines.size(), seen.list.toString());
        assertFalse(lines.getFirst().chars().anyMatch(Character::isISOControl), lines.getFirst());
        assertTrue(lines.getFirst().contains("/nope\\n12:00"), lines.getFirst());
    }
}
