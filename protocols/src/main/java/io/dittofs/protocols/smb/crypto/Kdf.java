package io.dittofs.protocols.smb.crypto;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * SP800-108 key derivation in counter mode with HMAC-SHA256 as MS-SMB2 3.1.4.2 uses it: one
 * iteration (i = 1), r = 32, L = 128 (256 for AES-256 cipher keys), output the first L bits of
 * {@code HMAC-SHA256(Ki, i || Label || 0x00 || Context || L)}. Stateless and thread-safe.
 */
final class Kdf {
    private Kdf() {
    }

    /** Label or context strings of MS-SMB2 3.1.4.2, with their terminating NUL. */
    static byte[] z(String s) {
        return (s + "\0").getBytes(StandardCharsets.US_ASCII);
    }

    static byte[] derive(byte[] key, byte[] labelWithNul, byte[] context) {
        return derive(key, labelWithNul, context, 128);
    }

    /** The same with L = {@code bits} (128, or 256 for the AES-256 ciphers' keys): that many bits out. */
    static byte[] derive(byte[] key, byte[] labelWithNul, byte[] context, int bits) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            mac.update(new byte[] {0, 0, 0, 1});
            mac.update(labelWithNul);
            mac.update((byte) 0); // the separator byte between Label and Context
            mac.update(context);
            mac.update(new byte[] {0, 0, (byte) (bits >> 8), (byte) bits});
            byte[] out = new byte[bits / 8];
            System.arraycopy(mac.doFinal(), 0, out, 0, out.length);
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }
}
