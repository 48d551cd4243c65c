package io.dittofs.controlplane.api;

import org.bouncycastle.crypto.digests.MD4Digest;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HexFormat;

/** bcrypt password hashes and the NT hash (MD4 of the UTF-16LE password) SMB needs. Stateless. */
public final class Passwords {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int COST = 10;
    /** bcrypt reads at most 72 bytes. */
    static final int MAX_BYTES = 72;
    static final int MIN_CHARS = 8;
    /** A hash to compare against when the user does not exist, so both cases take as long. */
    private static final String DUMMY = hash("not-a-real-password");

    private Passwords() {
    }

    /** Why {@code p} cannot be a password, or null. */
    public static String problem(String p) {
        if (p == null || p.length() < MIN_CHARS) {
            return "password must be at least " + MIN_CHARS + " characters";
        }
        if (p.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
            return "password must be at most " + MAX_BYTES + " bytes";
        }
        return null;
    }

    public static String hash(String password) {
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        return OpenBSDBCrypt.generate("2b", password.toCharArray(), salt, COST);
    }

    /** True if {@code password} matches {@code hash}; a null hash is checked against a dummy (constant time). */
    public static boolean verify(String hash, String password) {
        if (password == null || password.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES || password.isEmpty()) {
            OpenBSDBCrypt.checkPassword(DUMMY, "x".toCharArray());
            return false;
        }
        boolean ok = OpenBSDBCrypt.checkPassword(hash == null ? DUMMY : hash, password.toCharArray());
        return ok && hash != null;
    }

    /** The NT hash: hex MD4 of the UTF-16LE password ([MS-NLMP] 3.3.1 NTOWFv1). */
    public static String ntHash(String password) {
        byte[] in = password.getBytes(StandardCharsets.UTF_16LE);
        MD4Digest md4 = new MD4Digest();
        md4.update(in, 0, in.length);
        byte[] out = new byte[md4.getDigestSize()];
        md4.doFinal(out, 0);
        return HexFormat.of().formatHex(out);
    }

    /** A random password people can type: 20 characters from an unambiguous alphabet. */
    public static String random() {
        String abc = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 20; i++) {
            sb.append(abc.charAt(RANDOM.nextInt(abc.length())));
        }
        return sb.toString();
    }
}
