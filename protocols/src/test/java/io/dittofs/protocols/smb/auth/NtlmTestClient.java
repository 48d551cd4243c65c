package io.dittofs.protocols.smb.auth;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * Client side of SPNEGO/NTLMSSP written from MS-NLMP 3.1.5 / 3.3.2 for tests: builds NEGOTIATE,
 * reads CHALLENGE, builds an NTLMv2 AUTHENTICATE with key exchange, MsvAvFlags MIC bit, MIC and
 * the SPNEGO mechListMIC. Knobs let tests break single pieces. Not thread-safe.
 */
final class NtlmTestClient {
    static final int FLAGS = 0xE2088297; // smbclient's NEGOTIATE flags incl. KEY_EXCH, 128, ESS, SIGN, SEAL
    static final byte[] MECH_TYPES = Der.tlv(Der.SEQUENCE, Der.tlv(Der.OID, Spnego.NTLMSSP_OID));

    String user = "alice";
    String domain = "WORKGROUP";
    String password = "secret";
    /** Domain used in NTOWFv2 (defaults to {@link #domain}). */
    String proofDomain;
    boolean sendMic = true;
    boolean spnego = true;
    boolean corruptMic;
    boolean corruptMechListMic;
    byte[] exportedSessionKey;
    byte[] negotiateMessage;
    byte[] authenticateMessage;
    private final SecureRandom random = new SecureRandom();

    static byte[] negotiate(int flags) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(NtlmMessages.SIGNATURE);
        out.writeBytes(NtlmCrypto.le32(1));
        out.writeBytes(NtlmCrypto.le32(flags));
        out.writeBytes(new byte[16]); // empty domain and workstation fields
        out.writeBytes(new byte[] {6, 1, (byte) 0xB1, 0x1D, 0, 0, 0, 0x0F});
        return out.toByteArray();
    }

    byte[] first() {
        negotiateMessage = negotiate(FLAGS);
        if (!spnego) {
            return negotiateMessage;
        }
        byte[] init = Der.tlv(Der.ctx(0), Der.tlv(Der.SEQUENCE, Der.tlv(Der.ctx(0), MECH_TYPES),
                Der.tlv(Der.ctx(2), Der.tlv(Der.OCTET_STRING, negotiateMessage))));
        return Der.tlv(0x60, Der.tlv(Der.OID, Spnego.SPNEGO_OID), init);
    }

    /** Builds the AUTHENTICATE (wrapped as a NegTokenResp when SPNEGO) from the server's reply. */
    byte[] second(byte[] serverToken) throws BadTokenException {
        byte[] challenge = spnego ? Spnego.parse(serverToken).mechToken() : serverToken;
        int flags = NtlmMessages.le32(challenge, 20);
        byte[] serverChallenge = Arrays.copyOfRange(challenge, 24, 32);
        int infoLen = NtlmMessages.le16(challenge, 40);
        int infoOff = NtlmMessages.le32(challenge, 44);
        byte[] targetInfo = Arrays.copyOfRange(challenge, infoOff, infoOff + infoLen);
        byte[] blob = blob(targetInfo);
        byte[] ntowfv2 = NtlmCrypto.ntowfv2(NtlmCrypto.ntHash(password), user, proofDomain == null ? domain : proofDomain);
        byte[] proof = NtlmCrypto.ntProofStr(ntowfv2, serverChallenge, blob);
        byte[] base = NtlmCrypto.sessionBaseKey(ntowfv2, proof);
        exportedSessionKey = new byte[16];
        random.nextBytes(exportedSessionKey);
        byte[] encrypted = NtlmCrypto.rc4(base, exportedSessionKey);
        byte[] nt = concat(proof, blob);
        authenticateMessage = authenticate(flags, new byte[24], nt, encrypted);
        if (sendMic) {
            byte[] mic = NtlmCrypto.mic(exportedSessionKey, negotiateMessage, challenge, authenticateMessage);
            if (corruptMic) {
                mic[3] ^= 1;
            }
            System.arraycopy(mic, 0, authenticateMessage, 72, 16);
        }
        if (!spnego) {
            return authenticateMessage;
        }
        byte[] mechListMic = NtlmCrypto.gssMic(exportedSessionKey, flags, false, 0, MECH_TYPES);
        if (corruptMechListMic) {
            mechListMic[5] ^= 1;
        }
        return Spnego.negTokenResp(Spnego.ACCEPT_INCOMPLETE, false, authenticateMessage, sendMic ? mechListMic : null);
    }

    /** NTLMv2 temp: 0x0101, reserved, timestamp, client challenge, reserved, AV pairs (+MsvAvFlags), 4 zeros. */
    private byte[] blob(byte[] targetInfo) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {1, 1, 0, 0, 0, 0, 0, 0});
        out.writeBytes(timestamp(targetInfo));
        byte[] clientChallenge = new byte[8];
        random.nextBytes(clientChallenge);
        out.writeBytes(clientChallenge);
        out.writeBytes(new byte[4]);
        out.write(targetInfo, 0, targetInfo.length - 4); // without MsvAvEOL
        if (sendMic) {
            out.writeBytes(new byte[] {NtlmMessages.AV_FLAGS, 0, 4, 0});
            out.writeBytes(NtlmCrypto.le32(NtlmMessages.AV_FLAG_MIC));
        }
        out.writeBytes(new byte[4]); // MsvAvEOL
        out.writeBytes(new byte[4]);
        return out.toByteArray();
    }

    private static byte[] timestamp(byte[] info) {
        for (int pos = 0; pos + 4 <= info.length; ) {
            int id = NtlmMessages.le16(info, pos);
            int len = NtlmMessages.le16(info, pos + 2);
            if (id == NtlmMessages.AV_TIMESTAMP) {
                return Arrays.copyOfRange(info, pos + 4, pos + 4 + len);
            }
            pos += 4 + len;
        }
        throw new AssertionError("CHALLENGE target info has no MsvAvTimestamp");
    }

    byte[] authenticate(int flags, byte[] lm, byte[] nt, byte[] encryptedKey) {
        byte[] d = domain.getBytes(StandardCharsets.UTF_16LE);
        byte[] u = user.getBytes(StandardCharsets.UTF_16LE);
        byte[] w = "CLIENT".getBytes(StandardCharsets.UTF_16LE);
        byte[][] payload = {lm, nt, d, u, w, encryptedKey};
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(NtlmMessages.SIGNATURE);
        out.writeBytes(NtlmCrypto.le32(3));
        int off = 88;
        for (byte[] p : payload) {
            out.write(p.length);
            out.write(p.length >>> 8);
            out.write(p.length);
            out.write(p.length >>> 8);
            out.writeBytes(NtlmCrypto.le32(off));
            off += p.length;
        }
        out.writeBytes(NtlmCrypto.le32(flags));
        out.writeBytes(new byte[] {6, 1, (byte) 0xB1, 0x1D, 0, 0, 0, 0x0F});
        out.writeBytes(new byte[16]); // MIC
        for (byte[] p : payload) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
