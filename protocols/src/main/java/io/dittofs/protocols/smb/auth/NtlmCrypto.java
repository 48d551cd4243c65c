package io.dittofs.protocols.smb.auth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Locale;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.digests.MD4Digest;
import org.bouncycastle.crypto.engines.RC4Engine;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * The MS-NLMP 3.3.2 / 3.4 formulas the server needs, over JDK HMAC-MD5/MD5 and BouncyCastle MD4
 * and RC4. Stateless; thread-safe.
 */
final class NtlmCrypto {
    private static final byte[] S2C_SIGN = magic("session key to server-to-client signing key magic constant");
    private static final byte[] S2C_SEAL = magic("session key to server-to-client sealing key magic constant");
    private static final byte[] C2S_SIGN = magic("session key to client-to-server signing key magic constant");
    private static final byte[] C2S_SEAL = magic("session key to client-to-server sealing key magic constant");

    private NtlmCrypto() {
    }

    private static byte[] magic(String s) {
        return (s + "\0").getBytes(StandardCharsets.US_ASCII);
    }

    static byte[] utf16(String s) {
        return s.getBytes(StandardCharsets.UTF_16LE);
    }

    /** NTOWFv1: MD4 of the UTF-16LE password (the NT hash). */
    static byte[] ntHash(String password) {
        MD4Digest md4 = new MD4Digest();
        byte[] in = utf16(password);
        md4.update(in, 0, in.length);
        byte[] out = new byte[16];
        md4.doFinal(out, 0);
        return out;
    }

    /** NTOWFv2 = HMAC_MD5(NT hash, UNICODE(Uppercase(user) + domain)). */
    static byte[] ntowfv2(byte[] ntHash, String user, String domain) {
        return hmacMd5(ntHash, utf16(user.toUpperCase(Locale.ROOT) + domain));
    }

    static byte[] hmacMd5(byte[] key, byte[]... parts) {
        try {
            Mac mac = Mac.getInstance("HmacMD5");
            mac.init(new SecretKeySpec(key, "HmacMD5"));
            for (byte[] p : parts) {
                mac.update(p);
            }
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacMD5 unavailable", e);
        }
    }

    static byte[] md5(byte[]... parts) {
        try {
            MessageDigest md5 = MessageDigest.getInstance("MD5");
            for (byte[] p : parts) {
                md5.update(p);
            }
            return md5.digest();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("MD5 unavailable", e);
        }
    }

    static byte[] rc4(byte[] key, byte[] data) {
        RC4Engine rc4 = new RC4Engine();
        rc4.init(true, new KeyParameter(key));
        byte[] out = new byte[data.length];
        rc4.processBytes(data, 0, data.length, out, 0);
        return out;
    }

    /** NTProofStr = HMAC_MD5(NTOWFv2, ServerChallenge || temp), temp being the client's blob. */
    static byte[] ntProofStr(byte[] ntowfv2, byte[] serverChallenge, byte[] blob) {
        return hmacMd5(ntowfv2, serverChallenge, blob);
    }

    /** SessionBaseKey = HMAC_MD5(NTOWFv2, NTProofStr); it is also the NTLMv2 KeyExchangeKey. */
    static byte[] sessionBaseKey(byte[] ntowfv2, byte[] ntProofStr) {
        return hmacMd5(ntowfv2, ntProofStr);
    }

    /** MIC = HMAC_MD5(ExportedSessionKey, NEGOTIATE || CHALLENGE || AUTHENTICATE with MIC zeroed). */
    static byte[] mic(byte[] exportedSessionKey, byte[] negotiate, byte[] challenge, byte[] authenticateMicZeroed) {
        return hmacMd5(exportedSessionKey, negotiate, challenge, authenticateMicZeroed);
    }

    /**
     * GSS_GetMIC with extended session security (MS-NLMP 3.4.4.2) as the first use of a fresh
     * sealing handle: Version 1 || Checksum(8) || SeqNum; the checksum is RC4-sealed when key
     * exchange was negotiated. {@code serverToClient} chooses the key pair.
     */
    static byte[] gssMic(byte[] exportedSessionKey, int flags, boolean serverToClient, int seqNum, byte[] message) {
        byte[] signKey = md5(exportedSessionKey, serverToClient ? S2C_SIGN : C2S_SIGN);
        byte[] seq = le32(seqNum);
        byte[] checksum = Arrays.copyOf(hmacMd5(signKey, seq, message), 8);
        if ((flags & NtlmFlags.KEY_EXCH) != 0) {
            int keyLen = (flags & NtlmFlags.NEGOTIATE_128) != 0 ? 16 : (flags & NtlmFlags.NEGOTIATE_56) != 0 ? 7 : 5;
            byte[] sealKey = md5(Arrays.copyOf(exportedSessionKey, keyLen), serverToClient ? S2C_SEAL : C2S_SEAL);
            checksum = rc4(sealKey, checksum);
        }
        byte[] out = new byte[16];
        out[0] = 1;
        System.arraycopy(checksum, 0, out, 4, 8);
        System.arraycopy(seq, 0, out, 12, 4);
        return out;
    }

    static byte[] le32(int v) {
        return new byte[] {(byte) v, (byte) (v >>> 8), (byte) (v >>> 16), (byte) (v >>> 24)};
    }
}
