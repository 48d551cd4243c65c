package io.dittofs.protocols.smb.crypto;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-CCM (NIST SP 800-38C, RFC 3610) as SMB 3.x uses it: 11-byte nonce (so a 4-byte length field),
 * 16-byte tag, additional data shorter than 65280 bytes. The JDK has no CCM, but both of its halves
 * are JDK ciphers with AES-NI intrinsics: the CBC-MAC is AES/CBC with a zero IV over the formatted
 * blocks (only the last block out counts) and the encryption AES/CTR. Both run on heap arrays (the
 * intrinsics' fast path; the JDK's ByteBuffer path for these modes would stage whole messages on the
 * heap), through two 16 KiB chunks (in and out) copied from and, for CTR, back into the caller's buffer.
 * Stateless; thread-safe.
 */
final class AesCcm {
    static final int NONCE = 11;
    static final int TAG = 16;
    private static final int L = 15 - NONCE;
    private static final int SCRATCH = 16 * 1024;

    private AesCcm() {
    }

    /**
     * Encrypts {@code data} (position to limit) in place and returns the tag.
     */
    static byte[] seal(byte[] key, byte[] nonce, byte[] aad, ByteBuffer data) throws GeneralSecurityException {
        byte[] t = cbcMac(key, nonce, aad, data.duplicate());
        ctr(key, nonce, data.duplicate());
        return xorS0(key, nonce, t);
    }

    /**
     * Decrypts {@code data} (position to limit) in place; false when {@code tag} does not match (the
     * data is then garbage and must not be used).
     */
    static boolean open(byte[] key, byte[] nonce, byte[] aad, ByteBuffer data, byte[] tag) throws GeneralSecurityException {
        ctr(key, nonce, data.duplicate());
        byte[] t = xorS0(key, nonce, cbcMac(key, nonce, aad, data.duplicate()));
        return MessageDigest.isEqual(t, tag);
    }

    private static SecretKeySpec aes(byte[] key) {
        return new SecretKeySpec(key, "AES");
    }

    /** The counter block A_i: flags (L - 1), nonce, i in L bytes big-endian. */
    private static byte[] counter(byte[] nonce, int i) {
        byte[] a = new byte[16];
        a[0] = (byte) (L - 1);
        System.arraycopy(nonce, 0, a, 1, NONCE);
        a[12] = (byte) (i >>> 24);
        a[13] = (byte) (i >>> 16);
        a[14] = (byte) (i >>> 8);
        a[15] = (byte) i;
        return a;
    }

    /** Encrypts or decrypts in place with the key stream from counter 1 on, through a small heap chunk. */
    private static void ctr(byte[] key, byte[] nonce, ByteBuffer data) throws GeneralSecurityException {
        Cipher c = Cipher.getInstance("AES/CTR/NoPadding");
        c.init(Cipher.ENCRYPT_MODE, aes(key), new IvParameterSpec(counter(nonce, 1)));
        byte[] in = new byte[Math.min(SCRATCH, data.remaining())];
        byte[] out = new byte[in.length]; // not in place: the JDK copies an array it reads and writes at once
        while (data.hasRemaining()) {
            int p = data.position();
            int n = Math.min(in.length, data.remaining());
            data.get(p, in, 0, n);
            c.update(in, 0, n, out, 0);
            data.put(p, out, 0, n);
            data.position(p + n);
        }
    }

    /** T xor the first block of the key stream (counter 0). */
    private static byte[] xorS0(byte[] key, byte[] nonce, byte[] t) throws GeneralSecurityException {
        Cipher c = Cipher.getInstance("AES/ECB/NoPadding");
        c.init(Cipher.ENCRYPT_MODE, aes(key));
        byte[] s0 = c.doFinal(counter(nonce, 0));
        for (int i = 0; i < TAG; i++) {
            s0[i] ^= t[i];
        }
        return s0;
    }

    /** CBC-MAC over B0, the encoded additional data and the data, each zero-padded to whole blocks. */
    private static byte[] cbcMac(byte[] key, byte[] nonce, byte[] aad, ByteBuffer data) throws GeneralSecurityException {
        if (aad.length == 0 || aad.length >= 0xFF00) {
            throw new IllegalArgumentException("additional data of " + aad.length + " bytes");
        }
        int len = data.remaining();
        byte[] head = new byte[16 + pad(2 + aad.length)];
        head[0] = (byte) (0x40 | ((TAG - 2) / 2) << 3 | (L - 1));
        System.arraycopy(nonce, 0, head, 1, NONCE);
        head[12] = (byte) (len >>> 24);
        head[13] = (byte) (len >>> 16);
        head[14] = (byte) (len >>> 8);
        head[15] = (byte) len;
        head[16] = (byte) (aad.length >>> 8);
        head[17] = (byte) aad.length;
        System.arraycopy(aad, 0, head, 18, aad.length);
        Cipher c = Cipher.getInstance("AES/CBC/NoPadding");
        c.init(Cipher.ENCRYPT_MODE, aes(key), new IvParameterSpec(new byte[16]));
        byte[] in = new byte[Math.max(head.length, Math.min(SCRATCH, pad(len)))];
        byte[] out = new byte[in.length];
        byte[] x = new byte[16]; // the last block out so far: the MAC once all is in
        int n = c.update(head, 0, head.length, out, 0);
        System.arraycopy(out, n - 16, x, 0, 16);
        while (data.remaining() >= 16) {
            int chunk = Math.min(data.remaining() & ~15, in.length);
            data.get(data.position(), in, 0, chunk);
            n = c.update(in, 0, chunk, out, 0);
            System.arraycopy(out, n - 16, x, 0, 16);
            data.position(data.position() + chunk);
        }
        if (data.hasRemaining()) {
            byte[] last = new byte[16];
            data.get(last, 0, data.remaining());
            x = c.doFinal(last);
        }
        return x;
    }

    private static int pad(int n) {
        return (n + 15) & ~15;
    }
}
