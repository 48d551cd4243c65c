package io.dittofs.protocols.smb.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.Random;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.macs.GMac;
import org.bouncycastle.crypto.modes.GCMBlockCipher;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.crypto.params.ParametersWithIV;
import org.junit.jupiter.api.Test;

/**
 * Known-answer vectors from Microsoft's Open Specifications blog "SMB 2 and SMB 3 security in
 * Windows 10: the anatomy of signing and cryptographic keys" (appendix, key derivation examples);
 * that blog lists Encryption/DecryptionKey from the client's side, so the server's keys are swapped.
 */
class SmbCryptoTest {
    private static final HexFormat HEX = HexFormat.of();

    // SMB 3.1.1 example: the last SESSION_SETUP response, signed (AES-CMAC) with the 3.1.1 SigningKey.
    private static final String SIGNED_SESSION_SETUP_RESPONSE =
            "FE534D4240000100000000000100800009000000000000000300000000000000FFFE000000000000"
                    + "1900000000100000EBE146DA120BA25FC3376A49DFE31BC10900000048001D00A11B3019A0030A01"
                    + "00A3120410010000003B453CDC3524164200000000";
    private static final String NEGOTIATE_REQUEST =
            "FE534D4240000100000000000000800000000000000000000100000000000000FFFE000000000000"
                    + "00000000000000000000000000000000000000000000000024000500000000003F000000ECD86F32"
                    + "6276024F9F7752B89BB33F3A70000000020000000202100200030203110300000100260000000000"
                    + "010020000100FA49E6578F1F3A9F4CD3E9CC14A67AA884B3D05844E0E5A118225C15887F32FF0000"
                    + "0200060000000000020002000100";
    private static final String PREAUTH_AFTER_NEGOTIATE_REQUEST =
            "DD94EFC5321BB618A2E208BA8920D2F422992526947A409B5037DE1E0FE8C7362B8C47122594CDE0"
                    + "CE26AA9DFC8BCDBDE0621957672623351A7540F1E54A0426";
    private static final String PREAUTH_311 =
            "0DD13628CC3ED218EF9DF9772D436D0887AB9814BFAE63A80AA845F36909DB7928622DDDAD522D97"
                    + "51640A459762C5A9D6BB084CBB3CE6BDADEF5D5BCE3C6C01";

    private static byte[] hex(String s) {
        return HEX.parseHex(s.toLowerCase());
    }

    @Test
    void shouldDeriveSmb30KeysLikeMicrosoftExample() {
        SmbKeys keys = SmbKeys.derive(0x0300, hex("7CD451825D0450D235424E44BA6E78CC"), null);
        assertArrayEquals(hex("0B7E9C5CAC36C0F6EA9AB275298CEDCE"), keys.signingKey());
        assertArrayEquals(hex("B0F0427F7CEB416D1D9DCC0CD4F99447"), keys.encryptionKey()); // ServerOut
        assertArrayEquals(hex("FAD27796665B313EBB578F388632B4F7"), keys.decryptionKey()); // ServerIn
        assertArrayEquals(hex("BB23A4575AA26C721AF525AF15A87B4F"), keys.applicationKey());
        assertArrayEquals(keys.signingKey(), SmbKeys.derive(0x0302, hex("7CD451825D0450D235424E44BA6E78CC"), null).signingKey());
    }

    @Test
    void shouldDeriveSmb311KeysFromPreauthHashLikeMicrosoftExample() {
        SmbKeys keys = SmbKeys.derive(0x0311, hex("270E1BA896585EEB7AF3472D3B4C75A7"), hex(PREAUTH_311));
        assertArrayEquals(hex("73FE7A9A77BEF0BDE49C650D8CCB5F76"), keys.signingKey());
        assertArrayEquals(hex("E2AF0DCEFAC68DA71A0DFBD0D1350D74"), keys.encryptionKey()); // S2C
        assertArrayEquals(hex("629BCBC54422A0F572B97F45989B6073"), keys.decryptionKey()); // C2S
        assertArrayEquals(hex("6D7AD7954E9EC61E907B4D473DC178FF"), keys.applicationKey());
        assertThrows(IllegalArgumentException.class, () -> SmbKeys.derive(0x0311, new byte[16], null));
    }

    @Test
    void shouldUseSessionKeyAsSigningKeyWhenDialectIs2x() {
        byte[] session = hex("00112233445566778899aabbccddeeff");
        assertArrayEquals(session, SmbKeys.derive(0x0202, session, null).signingKey());
        assertArrayEquals(session, SmbKeys.derive(0x0210, session, null).signingKey());
    }

    @Test
    void shouldChainPreauthHashLikeMicrosoftExample() {
        PreauthHash hash = new PreauthHash();
        assertArrayEquals(new byte[64], hash.value());
        byte[] request = hex(NEGOTIATE_REQUEST);
        ByteBuffer framed = ByteBuffer.allocateDirect(request.length + 7);
        framed.put(7, request);
        PreauthHash copy = hash.copy();
        hash.update(framed, 7, request.length);
        assertArrayEquals(hex(PREAUTH_AFTER_NEGOTIATE_REQUEST), hash.value());
        assertArrayEquals(new byte[64], copy.value());
    }

    @Test
    void shouldVerifyMicrosoftSignedSessionSetupResponseWhenAesCmac() {
        byte[] msg = hex(SIGNED_SESSION_SETUP_RESPONSE);
        Signer signer = Signers.forDialect(0x0311, Signers.AES_CMAC, hex("73FE7A9A77BEF0BDE49C650D8CCB5F76"));
        assertTrue(signer.verify(ByteBuffer.wrap(msg), 0, msg.length));
        byte[] resigned = msg.clone();
        java.util.Arrays.fill(resigned, 48, 64, (byte) 0);
        signer.sign(ByteBuffer.wrap(resigned), 0, resigned.length);
        assertArrayEquals(msg, resigned);
        assertTrue(Signers.forDialect(0x0300, 7, hex("73FE7A9A77BEF0BDE49C650D8CCB5F76"))
                .verify(ByteBuffer.wrap(msg), 0, msg.length));
    }

    @Test
    void shouldMatchIndependentHmacSha256WhenDialect2x() throws Exception {
        byte[] key = hex("00112233445566778899aabbccddeeff");
        byte[] msg = message(200, 5, false);
        Signers.forDialect(0x0210, 0, key).sign(ByteBuffer.wrap(msg), 0, msg.length);
        byte[] zeroed = msg.clone();
        java.util.Arrays.fill(zeroed, 48, 64, (byte) 0);
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        byte[] expected = java.util.Arrays.copyOf(mac.doFinal(zeroed), 16);
        assertArrayEquals(expected, java.util.Arrays.copyOfRange(msg, 48, 64));
    }

    @Test
    void shouldMatchIndependentGmacWithMessageIdAndRoleNonce() {
        byte[] key = hex("73FE7A9A77BEF0BDE49C650D8CCB5F76");
        byte[] msg = message(150, 0x1122334455L, true);
        Signers.forDialect(0x0311, Signers.AES_GMAC, key).sign(ByteBuffer.wrap(msg), 0, msg.length);
        byte[] zeroed = msg.clone();
        java.util.Arrays.fill(zeroed, 48, 64, (byte) 0);
        byte[] nonce = new byte[12];
        System.arraycopy(msg, 24, nonce, 0, 8);
        nonce[8] = 1; // server's message
        GMac gmac = new GMac(GCMBlockCipher.newInstance(AESEngine.newInstance()), 128);
        gmac.init(new ParametersWithIV(new KeyParameter(key), nonce));
        gmac.update(zeroed, 0, zeroed.length);
        byte[] expected = new byte[16];
        gmac.doFinal(expected, 0);
        assertArrayEquals(expected, java.util.Arrays.copyOfRange(msg, 48, 64));
    }

    @Test
    void shouldSignDifferentlyWhenGmacNonceInputsDiffer() {
        Signer gmac = Signers.forDialect(0x0311, Signers.AES_GMAC, new byte[16]);
        byte[] client = message(100, 9, false);
        byte[] server = client.clone();
        server[16] |= 1;
        byte[] otherId = client.clone();
        otherId[24] = 10;
        byte[] cancel = client.clone();
        cancel[12] = 0x0C;
        byte[][] all = {client, server, otherId, cancel};
        for (byte[] m : all) {
            gmac.sign(ByteBuffer.wrap(m), 0, m.length);
        }
        for (int i = 0; i < all.length; i++) {
            for (int j = i + 1; j < all.length; j++) {
                assertNotEquals(HEX.formatHex(all[i], 48, 64), HEX.formatHex(all[j], 48, 64));
            }
        }
    }

    @Test
    void shouldRoundTripAndDetectTamperingForEveryAlgorithm() {
        Random random = new Random(7);
        int[][] cases = {{0x0202, 0}, {0x0210, 0}, {0x0300, 0}, {0x0302, 0}, {0x0311, 0}, {0x0311, 1}, {0x0311, 2}};
        for (int[] c : cases) {
            byte[] key = new byte[16];
            random.nextBytes(key);
            Signer signer = Signers.forDialect(c[0], c[1], key);
            ByteBuffer buf = ByteBuffer.allocateDirect(20_000);
            byte[] msg = message(12_345, random.nextLong(), random.nextBoolean());
            buf.put(100, msg);
            signer.sign(buf, 100, msg.length);
            assertTrue(signer.verify(buf, 100, msg.length), "dialect " + c[0] + " alg " + c[1]);
            assertEquals(0, buf.position());
            for (int at : new int[] {0, 47, 48, 63, 64, msg.length - 1}) {
                byte before = buf.get(100 + at);
                buf.put(100 + at, (byte) (before ^ 0x40));
                assertFalse(signer.verify(buf, 100, msg.length), "tampered byte " + at);
                buf.put(100 + at, before);
            }
            byte[] otherKey = key.clone();
            otherKey[0] ^= 1;
            assertFalse(Signers.forDialect(c[0], c[1], otherKey).verify(buf, 100, msg.length));
            assertFalse(signer.verify(buf, 100, msg.length - 1));
        }
    }

    @Test
    void shouldRejectRangesOutsideTheBuffer() {
        Signer signer = Signers.forDialect(0x0311, 1, new byte[16]);
        ByteBuffer small = ByteBuffer.allocate(80);
        assertThrows(IllegalArgumentException.class, () -> signer.verify(small, 20, 64));
        assertThrows(IllegalArgumentException.class, () -> signer.verify(small, 0, 63));
        assertThrows(IllegalArgumentException.class, () -> Signers.forDialect(0x0311, 3, new byte[16]));
    }

    private static byte[] message(int len, long messageId, boolean server) {
        byte[] m = new byte[len];
        new Random(len).nextBytes(m);
        m[0] = (byte) 0xFE;
        m[1] = 'S';
        m[2] = 'M';
        m[3] = 'B';
        m[12] = 5;
        m[13] = 0;
        m[16] = (byte) (server ? 0x09 : 0x08);
        for (int i = 0; i < 8; i++) {
            m[24 + i] = (byte) (messageId >>> (8 * i));
        }
        return m;
    }
}
