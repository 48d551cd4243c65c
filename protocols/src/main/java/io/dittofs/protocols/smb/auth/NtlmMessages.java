package io.dittofs.protocols.smb.auth;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Codecs of the NTLMSSP messages (MS-NLMP 2.2.1): NEGOTIATE and AUTHENTICATE are decoded with
 * every field range checked against the message, CHALLENGE is encoded. Stateless; thread-safe.
 */
final class NtlmMessages {
    static final int MAX_MESSAGE = 64 * 1024;
    static final byte[] SIGNATURE = {'N', 'T', 'L', 'M', 'S', 'S', 'P', 0};
    static final int MIC_OFFSET = 72;
    static final int AV_EOL = 0;
    static final int AV_NB_COMPUTER = 1;
    static final int AV_NB_DOMAIN = 2;
    static final int AV_DNS_COMPUTER = 3;
    static final int AV_DNS_DOMAIN = 4;
    static final int AV_FLAGS = 6;
    static final int AV_TIMESTAMP = 7;
    static final int AV_FLAG_MIC = 0x2;
    /** Windows 7-era version field, as Samba also sends (6.1 build 7600, NTLMSSP revision 15). */
    private static final byte[] VERSION = {6, 1, (byte) 0xB0, 0x1D, 0, 0, 0, 0x0F};

    private NtlmMessages() {
    }

    static boolean isNtlmssp(byte[] b) {
        return b.length >= 12 && Arrays.equals(b, 0, 8, SIGNATURE, 0, 8);
    }

    static int type(byte[] b) {
        return le32(b, 8);
    }

    /** NEGOTIATE_MESSAGE: returns the client's flags. */
    static int negotiateFlags(byte[] b) throws BadTokenException {
        if (!isNtlmssp(b) || type(b) != 1 || b.length < 16 || b.length > MAX_MESSAGE) {
            throw new BadTokenException("not an NTLMSSP NEGOTIATE message");
        }
        return le32(b, 12);
    }

    /**
     * AUTHENTICATE_MESSAGE fields.
     *
     * @param micPresentInLayout true if the payload starts at or after offset 88, leaving room for a MIC
     */
    record Authenticate(byte[] lm, byte[] nt, String domain, String user, String workstation,
            byte[] encryptedSessionKey, int flags, boolean micPresentInLayout) {}

    static Authenticate parseAuthenticate(byte[] b) throws BadTokenException {
        if (!isNtlmssp(b) || type(b) != 3 || b.length < 64 || b.length > MAX_MESSAGE) {
            throw new BadTokenException("not an NTLMSSP AUTHENTICATE message");
        }
        int flags = le32(b, 60);
        boolean unicode = (flags & NtlmFlags.UNICODE) != 0;
        int payloadStart = b.length;
        for (int field = 12; field <= 52; field += 8) {
            if (le16(b, field) > 0) {
                payloadStart = Math.min(payloadStart, le32(b, field + 4));
            }
        }
        return new Authenticate(field(b, 12), field(b, 20), text(field(b, 28), unicode), text(field(b, 36), unicode),
                text(field(b, 44), unicode), field(b, 52), flags, payloadStart >= MIC_OFFSET + 16);
    }

    /** A (Len, MaxLen, Offset) field's bytes, checked to lie inside the message. */
    private static byte[] field(byte[] b, int at) throws BadTokenException {
        int len = le16(b, at);
        long off = le32(b, at + 4) & 0xffffffffL;
        if (len == 0) {
            return new byte[0];
        }
        if (off < 8 || off + len > b.length) {
            throw new BadTokenException("NTLMSSP field outside the message");
        }
        return Arrays.copyOfRange(b, (int) off, (int) off + len);
    }

    private static String text(byte[] raw, boolean unicode) throws BadTokenException {
        if (unicode && (raw.length & 1) != 0) {
            throw new BadTokenException("odd-length UTF-16 string");
        }
        return new String(raw, unicode ? StandardCharsets.UTF_16LE : StandardCharsets.ISO_8859_1);
    }

    /**
     * CHALLENGE_MESSAGE: header (56 bytes incl. Version), TargetName (the server's NetBIOS name)
     * then TargetInfo.
     */
    static byte[] challenge(int flags, byte[] serverChallenge, String targetName, byte[] targetInfo) {
        byte[] name = NtlmCrypto.utf16(targetName);
        int nameOff = 56;
        int infoOff = nameOff + name.length;
        ByteArrayOutputStream out = new ByteArrayOutputStream(infoOff + targetInfo.length);
        out.writeBytes(SIGNATURE);
        out.writeBytes(NtlmCrypto.le32(2));
        writeField(out, name.length, nameOff);
        out.writeBytes(NtlmCrypto.le32(flags));
        out.writeBytes(serverChallenge);
        out.writeBytes(new byte[8]);
        writeField(out, targetInfo.length, infoOff);
        out.writeBytes(VERSION);
        out.writeBytes(name);
        out.writeBytes(targetInfo);
        return out.toByteArray();
    }

    private static void writeField(ByteArrayOutputStream out, int len, int off) {
        out.write(len);
        out.write(len >>> 8);
        out.write(len);
        out.write(len >>> 8);
        out.writeBytes(NtlmCrypto.le32(off));
    }

    /** AV_PAIR list of MS-NLMP 2.2.2.1, terminated by MsvAvEOL. */
    static byte[] targetInfo(String nbDomain, String nbComputer, String dnsDomain, String dnsComputer, long fileTime) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        avPair(out, AV_NB_DOMAIN, NtlmCrypto.utf16(nbDomain));
        avPair(out, AV_NB_COMPUTER, NtlmCrypto.utf16(nbComputer));
        avPair(out, AV_DNS_DOMAIN, NtlmCrypto.utf16(dnsDomain));
        avPair(out, AV_DNS_COMPUTER, NtlmCrypto.utf16(dnsComputer));
        byte[] ts = new byte[8];
        for (int i = 0; i < 8; i++) {
            ts[i] = (byte) (fileTime >>> (8 * i));
        }
        avPair(out, AV_TIMESTAMP, ts);
        avPair(out, AV_EOL, new byte[0]);
        return out.toByteArray();
    }

    private static void avPair(ByteArrayOutputStream out, int id, byte[] value) {
        out.write(id);
        out.write(id >>> 8);
        out.write(value.length);
        out.write(value.length >>> 8);
        out.writeBytes(value);
    }

    /**
     * The MsvAvFlags value in the AV pairs of an NTLMv2 client blob (pairs start at blob offset 28),
     * or 0. A malformed list is rejected.
     */
    static int avFlags(byte[] blob) throws BadTokenException {
        int pos = 28;
        while (pos + 4 <= blob.length) {
            int id = le16(blob, pos);
            int len = le16(blob, pos + 2);
            pos += 4;
            if (len > blob.length - pos) {
                throw new BadTokenException("AV pair overruns the NTLMv2 blob");
            }
            if (id == AV_EOL) {
                return 0;
            }
            if (id == AV_FLAGS && len == 4) {
                return le32(blob, pos);
            }
            pos += len;
        }
        return 0;
    }

    static int le16(byte[] b, int at) {
        return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8;
    }

    static int le32(byte[] b, int at) {
        return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8 | (b[at + 2] & 0xff) << 16 | (b[at + 3] & 0xff) << 24;
    }
}
