package io.dittofs.protocols.smb.crypto;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.macs.CMac;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * Builds the {@link Signer} of a session (MS-SMB2 3.1.4.1): HMAC-SHA256 for 2.0.2/2.1, AES-128-CMAC
 * for 3.0/3.0.2, and for 3.1.1 the negotiated SMB2_SIGNING_CAPABILITIES algorithm (0 HMAC-SHA256,
 * 1 AES-CMAC, 2 AES-GMAC; AES-CMAC when none was negotiated). The signers are stateless apart from
 * their key and thread-safe: each call takes its own MAC or cipher instance.
 */
public final class Signers {
    /** SigningAlgorithmId of MS-SMB2 2.2.3.1.7. */
    public static final int HMAC_SHA256 = 0;
    public static final int AES_CMAC = 1;
    public static final int AES_GMAC = 2;

    private Signers() {
    }

    public static Signer forDialect(int dialect, int signingAlgorithmId, byte[] signingKey) {
        byte[] key = Arrays.copyOf(signingKey, 16);
        int algorithm = switch (dialect) {
            case 0x0202, 0x0210 -> HMAC_SHA256;
            case 0x0300, 0x0302 -> AES_CMAC;
            case 0x0311 -> signingAlgorithmId;
            default -> throw new IllegalArgumentException("unknown SMB2 dialect 0x" + Integer.toHexString(dialect));
        };
        return switch (algorithm) {
            case HMAC_SHA256 -> new MacSigner(key, false);
            case AES_CMAC -> new MacSigner(key, true);
            case AES_GMAC -> new GmacSigner(key);
            default -> throw new IllegalArgumentException("unknown signing algorithm " + signingAlgorithmId);
        };
    }

    /** Feeds [off, off+len) to {@code sink}, with the 16 signature bytes replaced by zeros. */
    static void feedWithZeroSignature(ByteBuffer msg, int off, int len, Sink sink) {
        checkBounds(msg, off, len);
        sink.update(msg, off, Signer.SIGNATURE_OFFSET);
        ByteBuffer zero = ByteBuffer.wrap(new byte[16]);
        sink.update(zero, 0, 16);
        int rest = Signer.SIGNATURE_OFFSET + 16;
        sink.update(msg, off + rest, len - rest);
    }

    static void checkBounds(ByteBuffer msg, int off, int len) {
        if (off < 0 || len < Signer.HEADER_SIZE || off > msg.capacity() - len) {
            throw new IllegalArgumentException("not an SMB2 message: off=" + off + " len=" + len);
        }
    }

    static boolean signatureMatches(ByteBuffer msg, int off, byte[] computed) {
        byte[] have = new byte[16];
        msg.get(off + Signer.SIGNATURE_OFFSET, have);
        return MessageDigest.isEqual(have, Arrays.copyOf(computed, 16));
    }

    @FunctionalInterface
    interface Sink {
        void update(ByteBuffer buf, int off, int len);
    }

    /** HMAC-SHA256 (first 16 bytes of the MAC) or AES-128-CMAC. */
    private record MacSigner(byte[] key, boolean cmac) implements Signer {
        @Override
        public void sign(ByteBuffer msg, int off, int len) {
            msg.put(off + SIGNATURE_OFFSET, compute(msg, off, len), 0, 16);
        }

        @Override
        public boolean verify(ByteBuffer msg, int off, int len) {
            return signatureMatches(msg, off, compute(msg, off, len));
        }

        private byte[] compute(ByteBuffer msg, int off, int len) {
            if (cmac) {
                CMac mac = new CMac(AESEngine.newInstance());
                mac.init(new KeyParameter(key));
                byte[] chunk = new byte[Math.min(len, 8192)];
                feedWithZeroSignature(msg, off, len, (b, o, n) -> {
                    for (int done = 0; done < n; ) {
                        int k = Math.min(chunk.length, n - done);
                        b.get(o + done, chunk, 0, k);
                        mac.update(chunk, 0, k);
                        done += k;
                    }
                });
                byte[] out = new byte[16];
                mac.doFinal(out, 0);
                return out;
            }
            try {
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(new SecretKeySpec(key, "HmacSHA256"));
                feedWithZeroSignature(msg, off, len, (b, o, n) -> mac.update(b.duplicate().limit(o + n).position(o)));
                return mac.doFinal();
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("HmacSHA256 unavailable", e);
            }
        }
    }

    /**
     * AES-128-GMAC: AES-GCM with an empty plaintext and the message as additional data; the
     * 12-byte nonce is the header's MessageId (8 bytes, little-endian) then 4 bytes whose bit 0 is
     * set for a server's message (SMB2_FLAGS_SERVER_TO_REDIR) and bit 1 for SMB2 CANCEL.
     */
    private record GmacSigner(byte[] key) implements Signer {
        private static final int FLAGS_OFFSET = 16;
        private static final int COMMAND_OFFSET = 12;
        private static final int MESSAGE_ID_OFFSET = 24;
        private static final int SMB2_CANCEL = 0x000C;

        @Override
        public void sign(ByteBuffer msg, int off, int len) {
            msg.put(off + SIGNATURE_OFFSET, compute(msg, off, len), 0, 16);
        }

        @Override
        public boolean verify(ByteBuffer msg, int off, int len) {
            return signatureMatches(msg, off, compute(msg, off, len));
        }

        private byte[] compute(ByteBuffer msg, int off, int len) {
            checkBounds(msg, off, len);
            byte[] nonce = new byte[12];
            msg.get(off + MESSAGE_ID_OFFSET, nonce, 0, 8);
            boolean server = (msg.get(off + FLAGS_OFFSET) & 0x01) != 0;
            int command = (msg.get(off + COMMAND_OFFSET) & 0xff) | (msg.get(off + COMMAND_OFFSET + 1) & 0xff) << 8;
            nonce[8] = (byte) ((server ? 1 : 0) | (command == SMB2_CANCEL ? 2 : 0));
            try {
                Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
                gcm.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, nonce));
                feedWithZeroSignature(msg, off, len, (b, o, n) -> gcm.updateAAD(b.duplicate().limit(o + n).position(o)));
                return gcm.doFinal();
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("AES/GCM unavailable", e);
            }
        }
    }
}
