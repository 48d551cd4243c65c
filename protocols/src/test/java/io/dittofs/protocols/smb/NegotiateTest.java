package io.dittofs.protocols.smb;

import io.dittofs.protocols.smb.server.SmbServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** NEGOTIATE against a live server: dialect choice within the configured range, 3.1.1 contexts, SMB1 upgrade. */
@Timeout(60)
class NegotiateTest {
    private static int dialect(ByteBuffer r) {
        return r.getShort(64 + 4) & 0xFFFF;
    }

    @Test
    void shouldPickTheHighestCommonDialect() throws Exception {
        try (TestSmbServer s = TestSmbServer.start(); SmbTestClient c = new SmbTestClient(s.port())) {
            ByteBuffer r = c.negotiate(0x0202, 0x0210, 0x0300, 0x0302);
            assertEquals(NtStatus.SUCCESS, SmbTestClient.status(r));
            assertEquals(0x0302, dialect(r));
            assertEquals(65, r.getShort(64) & 0xFFFF);
            assertEquals(3, r.getShort(66) & 0x3, "signing enabled and required by default");
            assertEquals(8 * 1024 * 1024, r.getInt(64 + 32), "MaxReadSize");
            int secLen = r.getShort(64 + 58) & 0xFFFF;
            assertTrue(secLen > 0, "SPNEGO token present");
        }
    }

    @Test
    void shouldKeepToTheConfiguredDialectRange() throws Exception {
        SmbConfig cfg = SmbConfig.defaults().withDialects(SmbConfig.SMB_210, SmbConfig.SMB_300).withSigningRequired(false);
        try (TestSmbServer s = TestSmbServer.start(cfg, SmbServer.Options.defaults())) {
            try (SmbTestClient c = new SmbTestClient(s.port())) {
                ByteBuffer r = c.negotiate(0x0202, 0x0210, 0x0300, 0x0302, 0x0311);
                assertEquals(0x0300, dialect(r));
                assertEquals(1, r.getShort(66) & 0x3, "signing enabled, not required");
            }
            try (SmbTestClient c = new SmbTestClient(s.port())) {
                ByteBuffer r = c.negotiate(0x0202);
                assertEquals(NtStatus.NOT_SUPPORTED, SmbTestClient.status(r));
                assertTrue(c.closedByServer());
            }
        }
    }

    @Test
    void shouldAnswerSmb311ContextsWithoutEncryption() throws Exception {
        try (TestSmbServer s = TestSmbServer.start(); SmbTestClient c = new SmbTestClient(s.port())) {
            ByteBuffer r = c.negotiate(0x0202, 0x0311);
            assertEquals(0x0311, dialect(r));
            int count = r.getShort(64 + 6) & 0xFFFF;
            int off = r.getInt(64 + 60);
            boolean preauth = false;
            for (int i = 0; i < count; i++) {
                off = (off + 7) & ~7;
                int type = r.getShort(off) & 0xFFFF;
                int len = r.getShort(off + 2) & 0xFFFF;
                assertTrue(type != 2, "no encryption context");
                if (type == 1) {
                    preauth = true;
                    assertEquals(1, r.getShort(off + 8), "one hash algorithm");
                    assertEquals(1, r.getShort(off + 12), "SHA-512");
                }
                off += 8 + len;
            }
            assertTrue(preauth);
        }
    }

    @Test
    void shouldRefuseSmb311WithoutPreauthContext() throws Exception {
        try (TestSmbServer s = TestSmbServer.start(); SmbTestClient c = new SmbTestClient(s.port())) {
            byte[] body = SmbTestClient.negotiateBody(0x0311);
            ByteBuffer b = ByteBuffer.wrap(body).order(ByteOrder.LITTLE_ENDIAN);
            b.putShort(32, (short) 0); // NegotiateContextCount = 0
            c.sendFrame(SmbTestClient.message(0, 0, 0, 1, body));
            assertEquals(NtStatus.INVALID_PARAMETER, SmbTestClient.status(c.receive()));
        }
    }

    private static byte[] smb1Negotiate(String... dialects) {
        ByteBuffer d = ByteBuffer.allocate(256);
        for (String s : dialects) {
            d.put((byte) 2).put(s.getBytes(StandardCharsets.US_ASCII)).put((byte) 0);
        }
        int n = d.position();
        ByteBuffer b = ByteBuffer.allocate(32 + 3 + n).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0xFF).put((byte) 'S').put((byte) 'M').put((byte) 'B').put((byte) 0x72).put(new byte[27]);
        b.put((byte) 0).putShort((short) n).put(d.array(), 0, n);
        return b.array();
    }

    @Test
    void shouldSwitchAnSmb1NegotiateToSmb2() throws Exception {
        try (TestSmbServer s = TestSmbServer.start(); SmbTestClient c = new SmbTestClient(s.port())) {
            c.sendFrame(smb1Negotiate("NT LM 0.12", "SMB 2.002", "SMB 2.???"));
            ByteBuffer r = c.receive();
            assertEquals(0x424D53FE, r.getInt(0), "an SMB2 reply");
            assertEquals(0x02FF, dialect(r));
            c.sendFrame(SmbTestClient.message(0, 1, 0, 1, SmbTestClient.negotiateBody(0x0202, 0x0300)));
            ByteBuffer r2 = c.receive();
            assertEquals(NtStatus.SUCCESS, SmbTestClient.status(r2));
            assertEquals(0x0300, dialect(r2));
        }
    }

    @Test
    void shouldCloseAnSmb1OnlyNegotiate() throws Exception {
        try (TestSmbServer s = TestSmbServer.start(); SmbTestClient c = new SmbTestClient(s.port())) {
            c.sendFrame(smb1Negotiate("NT LM 0.12"));
            assertTrue(c.closedByServer());
        }
    }
}
