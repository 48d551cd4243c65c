package io.dittofs.protocols.smb.server;

import io.dittofs.core.AuthContext;
import io.dittofs.core.ShareRegistry;
import io.dittofs.protocols.smb.ConnState;
import io.dittofs.protocols.smb.NtStatus;
import io.dittofs.protocols.smb.Session;
import io.dittofs.protocols.smb.SmbConfig;
import io.dittofs.protocols.smb.SmbServices;
import io.dittofs.protocols.smb.codec.SmbEncoder;
import io.dittofs.protocols.smb.crypto.SmbCipher;
import io.dittofs.protocols.smb.crypto.Signers;
import io.dittofs.protocols.smb.handler.Handlers;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.SecureRandom;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What NEGOTIATE settles about encryption (MS-SMB2 3.3.5.4) and how the dispatcher treats a session
 * that must encrypt: the 3.1.1 cipher is the client's first known one, answered in an
 * ENCRYPTION_CAPABILITIES context (cipher 0 when none is known); 3.0 gets AES-128-CCM through
 * SMB2_GLOBAL_CAP_ENCRYPTION when the client asks; nothing when encryption is off. On a session with
 * EncryptData an unencrypted request is refused, an encrypted one served, its response unsigned.
 */
class SmbEncryptionTest {
    private static final int CTX_ENCRYPTION = 2;

    private record Negotiated(ConnState conn, ByteBuffer reply) {
    }

    private static Negotiated negotiate(SmbConfig cfg, int dialect, int clientCaps, int... ciphers) {
        ConnState conn = new ConnState(new SmbServices(cfg, new ShareRegistry(), SmbFixtures.users(AuthContext.ANONYMOUS)),
                new InetSocketAddress(0), new InetSocketAddress(0));
        boolean v311 = dialect == 0x0311;
        int cipherLen = ciphers.length == 0 ? 0 : 8 + 2 + 2 * ciphers.length;
        ByteBuffer b = ByteBuffer.allocate(64 + 40 + (v311 ? 46 + 2 + cipherLen : 0)).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0x424D53FE).putShort((short) 64).putShort((short) 0).putInt(0).putShort((short) 0)
                .putShort((short) 1).putInt(0).putInt(0).putLong(0).putInt(0xFEFF).putInt(0).putLong(0).put(new byte[16]);
        b.putShort((short) 36).putShort((short) 1).putShort((short) 1).putShort((short) 0).putInt(clientCaps)
                .put(new byte[16]).putInt(v311 ? 104 : 0).putShort((short) (v311 ? (cipherLen == 0 ? 1 : 2) : 0))
                .putShort((short) 0).putShort((short) dialect).putShort((short) 0);
        if (v311) {
            b.putShort((short) 1).putShort((short) 38).putInt(0).putShort((short) 1).putShort((short) 32)
                    .putShort((short) 1).put(new byte[32]);
            if (cipherLen > 0) {
                b.putShort((short) 0).putShort((short) CTX_ENCRYPTION).putShort((short) (2 + 2 * ciphers.length)).putInt(0)
                        .putShort((short) ciphers.length);
                for (int c : ciphers) {
                    b.putShort((short) c);
                }
            }
        }
        MemorySegment seg = MemorySegment.ofArray(Arrays.copyOf(b.array(), b.position()));
        CreditWindow credits = new CreditWindow(64);
        var elems = SmbDispatcher.split(seg, 64);
        credits.consume(0, 1);
        byte[] out = new byte[65536];
        new SmbDispatcher(Handlers.all()).process(conn, credits, seg, elems, new SmbEncoder(MemorySegment.ofArray(out)));
        ByteBuffer reply = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(NtStatus.SUCCESS, reply.getInt(8));
        assertEquals(dialect, conn.dialect());
        return new Negotiated(conn, reply);
    }

    /** The cipher in the response's ENCRYPTION_CAPABILITIES context, or -1 when there is none. */
    private static int answeredCipher(ByteBuffer reply) {
        int count = reply.getShort(64 + 6);
        int p = reply.getInt(64 + 60);
        for (int i = 0; i < count; i++) {
            p = (p + 7) & ~7;
            int type = reply.getShort(p);
            int len = reply.getShort(p + 2);
            if (type == CTX_ENCRYPTION) {
                assertEquals(1, reply.getShort(p + 8), "one cipher answered");
                return reply.getShort(p + 10);
            }
            p += 8 + len;
        }
        return -1;
    }

    private static int serverCaps(ByteBuffer reply) {
        return reply.getInt(64 + 24);
    }

    @Test
    void shouldTakeTheClientsFirstKnownCipherFor311() {
        Negotiated n = negotiate(SmbConfig.defaults(), 0x0311, 0x7F, 9, SmbCipher.AES_256_GCM, SmbCipher.AES_128_GCM);
        assertEquals(SmbCipher.AES_256_GCM, n.conn().cipherId());
        assertEquals(SmbCipher.AES_256_GCM, answeredCipher(n.reply()));
        assertEquals(0, serverCaps(n.reply()) & 0x40, "3.1.1 says it with the context, not the capability");
        Negotiated ccm = negotiate(SmbConfig.defaults(), 0x0311, 0, SmbCipher.AES_128_CCM);
        assertEquals(SmbCipher.AES_128_CCM, ccm.conn().cipherId());
    }

    @Test
    void shouldAnswerCipherZeroWhenNoneIsKnownAndNoContextWithoutTheClientsOne() {
        Negotiated unknown = negotiate(SmbConfig.defaults(), 0x0311, 0, 7, 8);
        assertEquals(0, unknown.conn().cipherId());
        assertEquals(0, answeredCipher(unknown.reply()));
        Negotiated none = negotiate(SmbConfig.defaults(), 0x0311, 0);
        assertEquals(0, none.conn().cipherId());
        assertEquals(-1, answeredCipher(none.reply()));
    }

    @Test
    void shouldOfferAes128CcmTo30ClientsThatAskForEncryption() {
        Negotiated asks = negotiate(SmbConfig.defaults(), 0x0300, 0x40);
        assertEquals(SmbCipher.AES_128_CCM, asks.conn().cipherId());
        assertEquals(0x40, serverCaps(asks.reply()) & 0x40);
        Negotiated not = negotiate(SmbConfig.defaults(), 0x0300, 0);
        assertEquals(0, not.conn().cipherId());
        assertEquals(0, serverCaps(not.reply()) & 0x40);
    }

    @Test
    void shouldOfferNothingWhenEncryptionIsOff() {
        SmbConfig off = SmbConfig.defaults().withEncryption(SmbConfig.ENCRYPTION_OFF);
        Negotiated v311 = negotiate(off, 0x0311, 0x7F, SmbCipher.AES_128_GCM);
        assertEquals(0, v311.conn().cipherId());
        assertEquals(-1, answeredCipher(v311.reply()));
        Negotiated v30 = negotiate(off, 0x0300, 0x40);
        assertEquals(0, v30.conn().cipherId());
        assertEquals(0, serverCaps(v30.reply()) & 0x40);
    }

    private static ByteBuffer echo(SmbDispatcher d, ConnState conn, CreditWindow credits, Session s, long mid,
                                   boolean encrypted) {
        ByteBuffer b = ByteBuffer.allocate(68).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0x424D53FE).putShort((short) 64).putShort((short) 1).putInt(0).putShort((short) 0x0D)
                .putShort((short) 1).putInt(0).putInt(0).putLong(mid).putInt(0xFEFF).putInt(0).putLong(s.id())
                .put(new byte[16]).putShort((short) 4).putShort((short) 0);
        MemorySegment seg = MemorySegment.ofArray(b.array());
        var elems = SmbDispatcher.split(seg, 64);
        credits.consume(mid, 1);
        byte[] out = new byte[4096];
        d.process(conn, credits, seg, elems, new SmbEncoder(MemorySegment.ofArray(out)), encrypted);
        credits.grant(1);
        return ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Test
    void shouldRefuseUnencryptedRequestsOnASessionThatMustEncryptAndNotSignEncryptedReplies() {
        ConnState conn = SmbFixtures.connection(new SmbServices(SmbConfig.defaults(), new ShareRegistry(),
                SmbFixtures.users(SmbFixtures.ALICE)), 0x0311);
        byte[] k = new byte[16];
        Session s = SmbFixtures.session(conn, SmbFixtures.ALICE, Signers.forDialect(0x0311, 1, k));
        s.encryption(new SmbCipher(SmbCipher.AES_128_GCM, k, k, new SecureRandom()), true);
        SmbDispatcher d = new SmbDispatcher(Handlers.all());
        CreditWindow credits = new CreditWindow(64);
        credits.consume(0, 1);
        credits.grant(8);
        ByteBuffer plain = echo(d, conn, credits, s, 1, false);
        assertEquals(NtStatus.ACCESS_DENIED, plain.getInt(8), "an unencrypted request on an encrypted session");
        ByteBuffer sealed = echo(d, conn, credits, s, 2, true);
        assertEquals(NtStatus.SUCCESS, sealed.getInt(8), "the same request, encrypted");
        assertEquals(0, sealed.getInt(16) & 0x8, "an encrypted response is not signed");
    }
}
