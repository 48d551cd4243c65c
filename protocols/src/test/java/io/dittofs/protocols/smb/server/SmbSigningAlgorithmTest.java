package io.dittofs.protocols.smb.server;

import io.dittofs.core.AuthContext;
import io.dittofs.core.ShareRegistry;
import io.dittofs.protocols.smb.ConnState;
import io.dittofs.protocols.smb.NtStatus;
import io.dittofs.protocols.smb.SmbConfig;
import io.dittofs.protocols.smb.SmbServices;
import io.dittofs.protocols.smb.codec.SmbEncoder;
import io.dittofs.protocols.smb.handler.Handlers;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The signing algorithm NEGOTIATE settles for SMB 3.1.1 (MS-SMB2 3.3.5.4): what the client's
 * SIGNING_CAPABILITIES context prefers, and AES-CMAC when it sends none, as the Linux kernel
 * client does by default (it then signs with AES-CMAC; HMAC-SHA256 failed its mount).
 */
class SmbSigningAlgorithmTest {

    private static ConnState negotiate(int... signingAlgorithms) {
        ConnState conn = new ConnState(new SmbServices(SmbConfig.defaults(), new ShareRegistry(), SmbFixtures.users(AuthContext.ANONYMOUS)),
                new InetSocketAddress(0), new InetSocketAddress(0));
        int signingLen = signingAlgorithms.length == 0 ? 0 : 8 + 2 + 2 * signingAlgorithms.length;
        ByteBuffer b = ByteBuffer.allocate(64 + 40 + 46 + 2 + signingLen).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0x424D53FE).putShort((short) 64).putShort((short) 0).putInt(0).putShort((short) 0)
                .putShort((short) 1).putInt(0).putInt(0).putLong(0).putInt(0xFEFF).putInt(0).putLong(0).put(new byte[16]);
        b.putShort((short) 36).putShort((short) 1).putShort((short) 1).putShort((short) 0).putInt(0x7F)
                .put(new byte[16]).putInt(104).putShort((short) (signingLen == 0 ? 1 : 2)).putShort((short) 0)
                .putShort((short) 0x0311).putShort((short) 0);
        b.putShort((short) 1).putShort((short) 38).putInt(0).putShort((short) 1).putShort((short) 32)
                .putShort((short) 1).put(new byte[32]);
        if (signingLen > 0) {
            b.putShort((short) 0).putShort((short) 8).putShort((short) (2 + 2 * signingAlgorithms.length)).putInt(0)
                    .putShort((short) signingAlgorithms.length);
            for (int a : signingAlgorithms) {
                b.putShort((short) a);
            }
        }
        MemorySegment seg = MemorySegment.ofArray(b.array());
        CreditWindow credits = new CreditWindow(64);
        var elems = SmbDispatcher.split(seg, 64);
        credits.consume(0, 1);
        byte[] out = new byte[65536];
        new SmbDispatcher(Handlers.all()).process(conn, credits, seg, elems, new SmbEncoder(MemorySegment.ofArray(out)));
        assertEquals(NtStatus.SUCCESS, ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN).getInt(8));
        assertEquals(0x0311, conn.dialect());
        return conn;
    }

    @Test
    void shouldSignWithAesCmacWhenA311ClientSendsNoSigningContext() {
        assertEquals(1, negotiate().signingAlgorithm(), "AES-CMAC");
    }

    @Test
    void shouldTakeTheClientsFirstSigningAlgorithmWhenItSendsTheContext() {
        assertEquals(2, negotiate(2, 1).signingAlgorithm(), "AES-GMAC");
        assertEquals(0, negotiate(0).signingAlgorithm(), "HMAC-SHA256");
    }
}
