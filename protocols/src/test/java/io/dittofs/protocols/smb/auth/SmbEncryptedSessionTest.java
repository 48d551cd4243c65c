package io.dittofs.protocols.smb.auth;

import io.dittofs.core.ShareRegistry;
import io.dittofs.core.buffer.BufferPool;
import io.dittofs.core.lock.LockManager;
import io.dittofs.protocols.smb.LogonLimiter;
import io.dittofs.protocols.smb.NtStatus;
import io.dittofs.protocols.smb.SmbConfig;
import io.dittofs.protocols.smb.SmbServices;
import io.dittofs.protocols.smb.SmbUsers;
import io.dittofs.protocols.smb.crypto.SmbCipher;
import io.dittofs.protocols.smb.crypto.SmbKeys;
import io.dittofs.protocols.smb.server.SmbServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.SecureRandom;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An encrypted SMB 3.0.2 session over a real server and a raw socket with a real NTLMv2 logon: the
 * client derives the keys from its exported session key, sends an encrypted ECHO and opens the
 * encrypted reply; after a re-authentication (a new exchange, a new exported key) the session keeps
 * the keys of its first logon, as the client does, so the next encrypted request still works.
 */
@Timeout(60)
class SmbEncryptedSessionTest {
    private BufferPool pool;
    private SmbServer server;

    @BeforeEach
    void start() throws IOException {
        SmbUsers users = RawSmb.alice();
        pool = new BufferPool(64, 16, 4, 1);
        server = SmbServer.start("encryption-test", new InetSocketAddress("127.0.0.1", 0),
                new SmbServices(SmbConfig.defaults().withSigningRequired(false), new ShareRegistry(), users,
                        new LogonLimiter(10, 60_000), new SecureRandom(), new LockManager()), pool, SmbServer.Options.defaults());
    }

    @AfterEach
    void stop() {
        server.close();
        pool.close();
    }

    @Test
    void shouldExchangeEncryptedMessagesAndKeepTheKeysAcrossReauthentication() throws Exception {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", server.port()), 5_000);
            s.setSoTimeout(10_000);
            DataInputStream in = new DataInputStream(s.getInputStream());
            OutputStream out = s.getOutputStream();
            ByteBuffer neg = ByteBuffer.allocate(38).order(ByteOrder.LITTLE_ENDIAN);
            neg.putShort((short) 36).putShort((short) 1).putShort((short) 0).putShort((short) 0).putInt(0x40)
                    .put(new byte[16]).putLong(0).putShort((short) 0x0302);
            ByteBuffer n = ByteBuffer.wrap(RawSmb.exchange(out, in, RawSmb.message(0, 0, 0, neg.array())))
                    .order(ByteOrder.LITTLE_ENDIAN);
            assertEquals(NtStatus.SUCCESS, n.getInt(8));
            assertEquals(0x40, n.getInt(64 + 24) & 0x40, "SMB2_GLOBAL_CAP_ENCRYPTION for a 3.0.2 client that asks");

            long[] mid = {1};
            long session = 0;
            byte[] firstKey = logon(out, in, mid, session);
            session = lastSession;
            SmbKeys keys = SmbKeys.derive(0x0302, firstKey, null);
            SmbCipher client = new SmbCipher(SmbCipher.AES_128_CCM, keys.decryptionKey(), keys.encryptionKey(), new SecureRandom());
            assertEquals(NtStatus.SUCCESS, encryptedEcho(out, in, client, session, mid[0]++), "encrypted ECHO");

            byte[] secondKey = logon(out, in, mid, session); // re-authentication of the same session
            assertTrue(!Arrays.equals(firstKey, secondKey), "the new exchange has a new exported key");
            assertEquals(NtStatus.SUCCESS, encryptedEcho(out, in, client, session, mid[0]++),
                    "encrypted ECHO with the first logon's keys after the re-authentication");
        }
    }

    private long lastSession;

    /** A two-leg SPNEGO/NTLMv2 SESSION_SETUP for {@code session} (0: new); the client's exported session key. */
    private byte[] logon(OutputStream out, DataInputStream in, long[] mid, long session) throws Exception {
        NtlmTestClient c = new NtlmTestClient();
        c.user = "alice";
        c.password = "secret";
        ByteBuffer r = ByteBuffer.wrap(RawSmb.exchange(out, in,
                        RawSmb.message(mid[0]++, 1, session, RawSmb.sessionSetup(c.first()))))
                .order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(NtStatus.MORE_PROCESSING_REQUIRED, r.getInt(8));
        lastSession = r.getLong(40);
        byte[] token = Arrays.copyOfRange(r.array(), r.getShort(64 + 4), r.getShort(64 + 4) + r.getShort(64 + 6));
        ByteBuffer done = ByteBuffer.wrap(RawSmb.exchange(out, in,
                        RawSmb.message(mid[0]++, 1, lastSession, RawSmb.sessionSetup(c.second(token)))))
                .order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(NtStatus.SUCCESS, done.getInt(8), "SESSION_SETUP");
        return c.exportedSessionKey;
    }

    private static int encryptedEcho(OutputStream out, DataInputStream in, SmbCipher client, long session, long mid)
            throws IOException {
        byte[] echo = RawSmb.message(mid, 0x0D, session, new byte[] {4, 0, 0, 0});
        ByteBuffer buf = ByteBuffer.allocate(SmbCipher.sealedCapacity(echo.length));
        buf.put(SmbCipher.TRANSFORM_SIZE, echo);
        int len = client.seal(buf, echo.length, session);
        byte[] reply = RawSmb.exchange(out, in, Arrays.copyOf(buf.array(), len));
        ByteBuffer r = ByteBuffer.allocate(reply.length + 16).put(0, reply);
        SmbCipher.Header h = SmbCipher.header(r, reply.length);
        assertTrue(h != null && h.sessionId() == session, "the reply comes in a transform header of the session");
        assertTrue(client.open(r, reply.length), "the reply authenticates with the session's keys");
        ByteBuffer plain = r.slice(SmbCipher.TRANSFORM_SIZE, h.originalSize()).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(0x424D53FE, plain.getInt(0));
        assertEquals(0, plain.getInt(16) & 0x8, "not signed: encrypted instead");
        return plain.getInt(8);
    }
}
