package io.dittofs.protocols.smb.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Random;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.modes.CCMBlockCipher;
import org.bouncycastle.crypto.modes.CCMModeCipher;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SMB 3.x message encryption (MS-SMB2 2.2.41, 3.1.4.3) in place, for every cipher: the sealed message
 * is the header then the ciphertext, with bytes 20..51 authenticated and the tag in the Signature
 * field (checked against the AEAD computed apart on heap arrays), the peer opens it, and any change to
 * the ciphertext, the tag or the authenticated header fields makes it fail.
 */
class SmbCipherTest {
    private static final long SESSION = 0x1122_3344_5566_7788L;

    private static byte[] key(int id, int seed) {
        byte[] k = new byte[SmbCipher.keyLength(id)];
        new Random(seed).nextBytes(k);
        return k;
    }

    /** The client's view: it encrypts with what the server decrypts with, and the other way round. */
    private static SmbCipher[] pair(int id) {
        byte[] s2c = key(id, 1);
        byte[] c2s = key(id, 2);
        return new SmbCipher[] {new SmbCipher(id, s2c, c2s, new SecureRandom()), new SmbCipher(id, c2s, s2c, new SecureRandom())};
    }

    private static ByteBuffer sealed(SmbCipher c, byte[] plain) {
        ByteBuffer buf = ByteBuffer.allocateDirect(SmbCipher.sealedCapacity(plain.length));
        buf.put(SmbCipher.TRANSFORM_SIZE, plain);
        int n = c.seal(buf, plain.length, SESSION);
        assertEquals(SmbCipher.TRANSFORM_SIZE + plain.length, n);
        return buf;
    }

    private static byte[] plain(int len) {
        byte[] p = new byte[len];
        new Random(len).nextBytes(p);
        p[0] = (byte) 0xFE; // looks like an SMB2 header
        return p;
    }

    @ParameterizedTest
    @ValueSource(ints = {SmbCipher.AES_128_CCM, SmbCipher.AES_128_GCM, SmbCipher.AES_256_CCM, SmbCipher.AES_256_GCM})
    void shouldSealInPlaceAsTheAeadComputedApartAndOpenAtThePeer(int id) throws Exception {
        SmbCipher[] p = pair(id);
        byte[] msg = plain(100_003);
        ByteBuffer buf = sealed(p[0], msg);
        ByteBuffer le = buf.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(SmbCipher.TRANSFORM_MAGIC, le.getInt(0));
        assertEquals(msg.length, le.getInt(36), "OriginalMessageSize");
        assertEquals(1, le.getShort(42), "Flags: encrypted");
        assertEquals(SESSION, le.getLong(44));

        byte[] aad = new byte[32];
        buf.get(20, aad);
        boolean gcm = id == SmbCipher.AES_128_GCM || id == SmbCipher.AES_256_GCM;
        byte[] iv = Arrays.copyOf(aad, gcm ? 12 : 11);
        byte[] expect;
        if (gcm) {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key(id, 1), "AES"), new GCMParameterSpec(128, iv));
            c.updateAAD(aad);
            expect = c.doFinal(msg);
        } else {
            CCMModeCipher c = CCMBlockCipher.newInstance(AESEngine.newInstance());
            c.init(true, new AEADParameters(new KeyParameter(key(id, 1)), 128, iv, aad));
            expect = new byte[msg.length + 16];
            int n = c.processBytes(msg, 0, msg.length, expect, 0);
            c.doFinal(expect, n);
        }
        byte[] body = new byte[msg.length];
        buf.get(SmbCipher.TRANSFORM_SIZE, body);
        byte[] tag = new byte[16];
        buf.get(4, tag);
        assertArrayEquals(Arrays.copyOf(expect, msg.length), body, "ciphertext after the header");
        assertArrayEquals(Arrays.copyOfRange(expect, msg.length, msg.length + 16), tag, "tag in the Signature field");

        SmbCipher.Header h = SmbCipher.header(buf, SmbCipher.TRANSFORM_SIZE + msg.length);
        assertNotNull(h);
        assertEquals(SESSION, h.sessionId());
        ByteBuffer tight = ByteBuffer.allocateDirect(SmbCipher.TRANSFORM_SIZE + msg.length); // no room for the tag after it
        tight.put(0, buf, 0, tight.capacity());
        assertTrue(p[1].open(buf, SmbCipher.TRANSFORM_SIZE + msg.length));
        byte[] back = new byte[msg.length];
        buf.get(SmbCipher.TRANSFORM_SIZE, back);
        assertArrayEquals(msg, back);
        assertTrue(p[1].open(tight, tight.capacity()), "opened without room past the message");
        tight.get(SmbCipher.TRANSFORM_SIZE, back);
        assertArrayEquals(msg, back);
    }

    @ParameterizedTest
    @ValueSource(ints = {SmbCipher.AES_128_CCM, SmbCipher.AES_128_GCM, SmbCipher.AES_256_CCM, SmbCipher.AES_256_GCM})
    void shouldRefuseAnyChangeToCiphertextTagOrAuthenticatedHeader(int id) {
        SmbCipher[] p = pair(id);
        byte[] msg = plain(4096);
        int len = SmbCipher.TRANSFORM_SIZE + msg.length;
        for (int at : new int[] {4, 20, 40, 44, 51, SmbCipher.TRANSFORM_SIZE, len - 1}) {
            ByteBuffer buf = sealed(p[0], msg);
            buf.put(at, (byte) (buf.get(at) ^ 0x10));
            assertFalse(p[1].open(buf, len), "changed byte " + at);
        }
        ByteBuffer buf = sealed(p[0], msg);
        assertFalse(p[0].open(buf, len), "the sender's own keys do not open it (one key per direction)");
    }

    @ParameterizedTest
    @ValueSource(ints = {SmbCipher.AES_128_CCM, SmbCipher.AES_128_GCM})
    void shouldNeverRepeatANonceWithinASession(int id) {
        SmbCipher c = pair(id)[0];
        byte[] msg = plain(64);
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (int i = 0; i < 1000; i++) {
            byte[] nonce = new byte[16];
            sealed(c, msg).get(20, nonce);
            assertTrue(seen.add(Arrays.toString(nonce)), "nonce repeated at message " + i);
        }
        byte[] a = new byte[16];
        byte[] b = new byte[16];
        sealed(pair(id)[0], msg).get(20, a);
        sealed(pair(id)[0], msg).get(20, b);
        assertNotEquals(Arrays.toString(a), Arrays.toString(b), "two sessions' first nonces differ");
    }

    @org.junit.jupiter.api.Test
    void shouldRejectMalformedTransformHeaders() {
        ByteBuffer buf = sealed(pair(SmbCipher.AES_128_GCM)[0], plain(200));
        int len = SmbCipher.TRANSFORM_SIZE + 200;
        assertNotNull(SmbCipher.header(buf, len));
        assertNull(SmbCipher.header(buf, len - 1), "OriginalMessageSize other than what follows");
        assertNull(SmbCipher.header(buf, SmbCipher.TRANSFORM_SIZE + 63), "shorter than a header and an SMB2 header");
        ByteBuffer flags = sealed(pair(SmbCipher.AES_128_GCM)[0], plain(200));
        flags.put(42, (byte) 2);
        assertNull(SmbCipher.header(flags, len), "flags other than encrypted");
    }

    @org.junit.jupiter.api.Test
    void shouldDeriveThirtyTwoByteCipherKeysForAes256Only() {
        byte[] sessionKey = new byte[16];
        new Random(3).nextBytes(sessionKey);
        byte[] hash = new byte[64];
        SmbKeys k128 = SmbKeys.derive(0x0311, sessionKey, hash, SmbCipher.AES_128_GCM);
        SmbKeys k256 = SmbKeys.derive(0x0311, sessionKey, hash, SmbCipher.AES_256_GCM);
        assertEquals(16, k128.encryptionKey().length);
        assertEquals(32, k256.encryptionKey().length);
        assertEquals(32, k256.decryptionKey().length);
        assertArrayEquals(k128.signingKey(), k256.signingKey(), "signing keys stay 128-bit");
        assertFalse(Arrays.equals(k128.encryptionKey(), Arrays.copyOf(k256.encryptionKey(), 16)),
                "L is part of the derivation input");
    }
}
