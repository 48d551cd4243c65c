package io.dittofs.protocols.portmap;

import io.dittofs.protocols.RpcTestClient;
import io.dittofs.protocols.RpcTestClient.Cred;
import io.dittofs.protocols.RpcTestClient.RpcReply;
import io.dittofs.protocols.TestNfsServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;

import static io.dittofs.protocols.RpcTestClient.PORTMAP;
import static io.dittofs.protocols.XdrArgs.xdr;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** PMAP v2 (RFC 1833 section 3) over real loopback sockets. */
class PortmapProgramTest {
    private static final int SET = 1;
    private static final int UNSET = 2;
    private static final int GETPORT = 3;
    private static TestNfsServer server;

    @BeforeAll
    static void startServer() throws IOException {
        server = TestNfsServer.start();
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    private static int call(RpcTestClient c, int proc, int prog, int vers, int proto, int port) throws IOException {
        RpcReply r = c.call(PORTMAP, 2, proc, Cred.none(), xdr().int32(prog).int32(vers).int32(proto).int32(port).build());
        assertTrue(r.isSuccess(), r::toString);
        assertEquals(4, r.body().remaining());
        return r.body().getInt();
    }

    @Test
    @Timeout(10)
    void shouldReturnRegisteredPortWhenGetPortForNfsAndMount() throws IOException {
        try (RpcTestClient c = server.client()) {
            assertEquals(server.port(), call(c, GETPORT, RpcTestClient.NFS, 3, PortmapProgram.IPPROTO_TCP, 0));
            assertEquals(server.port(), call(c, GETPORT, RpcTestClient.MOUNT, 3, PortmapProgram.IPPROTO_TCP, 0));
        }
    }

    @Test
    @Timeout(10)
    void shouldReturnZeroWhenGetPortForUnregisteredMapping() throws IOException {
        try (RpcTestClient c = server.client()) {
            assertEquals(0, call(c, GETPORT, RpcTestClient.NFS, 3, PortmapProgram.IPPROTO_UDP, 0));
            assertEquals(0, call(c, GETPORT, 100021, 4, PortmapProgram.IPPROTO_TCP, 0));
        }
    }

    @Test
    @Timeout(10)
    void shouldRegisterMappingWhenSetFromLoopback() throws IOException {
        try (RpcTestClient c = server.client()) {
            assertEquals(1, call(c, SET, 400_000, 1, PortmapProgram.IPPROTO_TCP, 4321));
            assertEquals(4321, call(c, GETPORT, 400_000, 1, PortmapProgram.IPPROTO_TCP, 0));
            assertEquals(0, call(c, SET, 400_000, 1, PortmapProgram.IPPROTO_TCP, 9999), "already registered");
            assertEquals(0, call(c, SET, 400_001, 1, PortmapProgram.IPPROTO_TCP, 70_000), "port out of range");
            assertEquals(1, call(c, UNSET, 400_000, 1, 0, 0));
            assertEquals(0, call(c, GETPORT, 400_000, 1, PortmapProgram.IPPROTO_TCP, 0));
        }
    }
}
