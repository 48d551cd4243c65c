package io.dittofs.protocols.smb.crypto;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * SMB 3.x message encryption of one session (MS-SMB2 2.2.41, 3.1.4.3): an SMB2 message (or a whole
 * compound) travels as a 52-byte TRANSFORM_HEADER followed by its ciphertext; the header's bytes 20
 * to 51 (nonce, OriginalMessageSize, Reserved, Flags, SessionId) are the additional authenticated
 * data and its Signature field holds the 16-byte AEAD tag. Messages are sealed and opened in place
 * (a connection's pooled buffers are not doubled for it), with the JDK's intrinsified AES: GCM
 * directly, CCM (which the JDK lacks) as its CTR and CBC-MAC halves ({@link AesCcm}).
 *
 * <p>Nonces: 12 bytes (GCM) or 11 (CCM) of which the first 8 are a per-session counter and the rest
 * random per session, so no nonce repeats under one key. Thread-safe: each call takes its own
 * cipher instance.
 */
public final class SmbCipher {
    /** Cipher ids of MS-SMB2 2.2.3.1.2. */
    public static final int AES_128_CCM = 0x0001;
    public static final int AES_128_GCM = 0x0002;
    public static final int AES_256_CCM = 0x0003;
    public static final int AES_256_GCM = 0x0004;
    /** 0xFD 'S' 'M' 'B' read little-endian. */
    public static final int TRANSFORM_MAGIC = 0x424D53FD;
    public static final int TRANSFORM_SIZE = 52;
    private static final int SIGNATURE = 4;
    private static final int NONCE = 20;
    private static final int ORIGINAL_SIZE = 36;
    private static final int FLAGS = 42;
    private static final int SESSION_ID = 44;
    private static final int AAD = 20;
    private static final int TAG = 16;
    private static final int ENCRYPTED = 0x0001;

    private final int id;
    private final byte[] encryptionKey;
    private final byte[] decryptionKey;
    private final byte[] noncePrefix;
    private final AtomicLong counter = new AtomicLong();

    /**
     * @param id            the negotiated cipher ({@link #AES_128_CCM} for 3.0 and 3.0.2)
     * @param encryptionKey the session's server-to-client key (16 or 32 bytes, as the cipher needs)
     * @param decryptionKey the session's client-to-server key
     */
    public SmbCipher(int id, byte[] encryptionKey, byte[] decryptionKey, SecureRandom random) {
        if (!supported(id)) {
            throw new IllegalArgumentException("unknown SMB cipher " + id);
        }
        if (encryptionKey.length != keyLength(id) || decryptionKey.length != keyLength(id)) {
            throw new IllegalArgumentException("cipher " + id + " needs " + keyLength(id) + "-byte keys");
        }
        this.id = id;
        this.encryptionKey = encryptionKey.clone();
        this.decryptionKey = decryptionKey.clone();
        this.noncePrefix = new byte[nonceLength(id) - 8];
        random.nextBytes(noncePrefix);
    }

    public static boolean supported(int id) {
        return id >= AES_128_CCM && id <= AES_256_GCM;
    }

    /** The cipher's name as Samba and Windows write it (AES-128-GCM...). */
    public static String name(int id) {
        return switch (id) {
            case AES_128_CCM -> "AES-128-CCM";
            case AES_128_GCM -> "AES-128-GCM";
            case AES_256_CCM -> "AES-256-CCM";
            case AES_256_GCM -> "AES-256-GCM";
            default -> "none";
        };
    }

    /** 16 bytes for the AES-128 ciphers, 32 for AES-256. */
    public static int keyLength(int id) {
        return id == AES_256_CCM || id == AES_256_GCM ? 32 : 16;
    }

    private static boolean gcm(int id) {
        return id == AES_128_GCM || id == AES_256_GCM;
    }

    private static int nonceLength(int id) {
        return gcm(id) ? 12 : 11;
    }

    /** An AES-GCM cipher for one message (16-byte tag), its additional data given. */
    private static Cipher gcm(int mode, byte[] key, byte[] iv, byte[] aad) throws GeneralSecurityException {
        Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
        c.init(mode, new SecretKeySpec(key, "AES"), new GCMParameterSpec(TAG * 8, iv));
        c.updateAAD(aad);
        return c;
    }

    public int id() {
        return id;
    }

    /** The room {@link #seal} needs for a message of {@code length} bytes: header, message and tag. */
    public static int sealedCapacity(int length) {
        return TRANSFORM_SIZE + length + TAG;
    }

    /**
     * Encrypts in place the message of {@code len} bytes at index {@link #TRANSFORM_SIZE} of {@code buf}
     * and writes the transform header before it; {@code buf} needs {@link #sealedCapacity} bytes (the
     * tag passes through the end before it moves into the header).
     *
     * @return the length of the encrypted message (header included)
     */
    public int seal(ByteBuffer buf, int len, long sessionId) {
        ByteBuffer o = buf.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        o.clear();
        o.putInt(0, TRANSFORM_MAGIC);
        byte[] nonce = new byte[16];
        ByteBuffer.wrap(nonce).order(ByteOrder.LITTLE_ENDIAN).putLong(counter.getAndIncrement()).put(noncePrefix);
        o.put(NONCE, nonce);
        o.putInt(ORIGINAL_SIZE, len).putShort(40, (short) 0).putShort(FLAGS, (short) ENCRYPTED).putLong(SESSION_ID, sessionId);
        byte[] aad = new byte[TRANSFORM_SIZE - AAD];
        o.get(AAD, aad);
        byte[] iv = java.util.Arrays.copyOf(nonce, nonceLength(id));
        try {
            if (gcm(id)) {
                Cipher c = gcm(Cipher.ENCRYPT_MODE, encryptionKey, iv, aad);
                ByteBuffer region = o.limit(TRANSFORM_SIZE + len + TAG).position(TRANSFORM_SIZE).slice();
                int n = c.doFinal(region.duplicate().limit(len), region.duplicate());
                if (n != len + TAG) {
                    throw new IllegalStateException("AES-GCM wrote " + n + " bytes for " + len);
                }
            } else {
                byte[] tag = AesCcm.seal(encryptionKey, iv, aad, o.limit(TRANSFORM_SIZE + len).position(TRANSFORM_SIZE).slice());
                o.clear().put(TRANSFORM_SIZE + len, tag);
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SMB encryption failed", e);
        }
        o.clear();
        byte[] tag = new byte[TAG];
        o.get(TRANSFORM_SIZE + len, tag);
        o.put(SIGNATURE, tag);
        return TRANSFORM_SIZE + len;
    }

    /** The fields of a received transform header, checked for size and flags; null when it is not one. */
    public record Header(long sessionId, int originalSize) {
    }

    /**
     * Reads the transform header of a received message of {@code length} bytes at the start of
     * {@code msg}; null when it is malformed: too short, flags other than encrypted, or an original
     * size other than what follows the header.
     */
    public static Header header(ByteBuffer msg, int length) {
        if (length < TRANSFORM_SIZE + 64) {
            return null;
        }
        ByteBuffer m = msg.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        if (m.getInt(0) != TRANSFORM_MAGIC || (m.getShort(FLAGS) & 0xFFFF) != ENCRYPTED) {
            return null;
        }
        long size = m.getInt(ORIGINAL_SIZE) & 0xFFFF_FFFFL;
        if (size != length - TRANSFORM_SIZE) {
            return null;
        }
        return new Header(m.getLong(SESSION_ID), (int) size);
    }

    /**
     * Decrypts in place the message of {@code length} bytes at the start of {@code buf} (a valid
     * {@link #header}): the plaintext, {@code length - TRANSFORM_SIZE} bytes, ends up at index
     * {@link #TRANSFORM_SIZE}. With 16 bytes of room in {@code buf} past the message, AES-GCM copies
     * the tag there and decrypts in one pass; without, the JDK holds a heap copy of the ciphertext.
     *
     * @return false when the tag does not match (the bytes there may then be neither ciphertext nor plaintext)
     */
    public boolean open(ByteBuffer buf, int length) {
        ByteBuffer m = buf.duplicate();
        m.clear();
        int len = length - TRANSFORM_SIZE;
        byte[] aad = new byte[TRANSFORM_SIZE - AAD];
        m.get(AAD, aad);
        byte[] iv = new byte[nonceLength(id)];
        m.get(NONCE, iv);
        byte[] tag = new byte[TAG];
        m.get(SIGNATURE, tag);
        try {
            if (gcm(id)) {
                Cipher c = gcm(Cipher.DECRYPT_MODE, decryptionKey, iv, aad);
                if (m.capacity() >= length + TAG) {
                    // ciphertext and tag in one buffer: the JDK then decrypts in one pass without a heap copy
                    m.put(length, tag);
                    ByteBuffer sealed = m.limit(length + TAG).position(TRANSFORM_SIZE).slice();
                    return c.doFinal(sealed, sealed.duplicate()) == len;
                }
                ByteBuffer region = m.limit(length).position(TRANSFORM_SIZE).slice();
                ByteBuffer dst = region.duplicate();
                c.update(region.duplicate(), dst); // buffered by the JDK until the tag is in
                c.doFinal(ByteBuffer.wrap(tag), dst);
                return dst.position() == len;
            }
            return AesCcm.open(decryptionKey, iv, aad, m.limit(length).position(TRANSFORM_SIZE).slice(), tag);
        } catch (AEADBadTagException e) {
            return false;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SMB decryption failed", e);
        }
    }
}
