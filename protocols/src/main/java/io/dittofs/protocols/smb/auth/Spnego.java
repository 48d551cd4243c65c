package io.dittofs.protocols.smb.auth;

import java.util.Arrays;

/**
 * SPNEGO (RFC 4178, MS-SPNG) tokens as SMB2 SESSION_SETUP carries them:
 * <pre>
 * InitialContextToken ::= [APPLICATION 0] { thisMech OID (1.3.6.1.5.5.2), NegotiationToken }
 * NegotiationToken ::= CHOICE { negTokenInit [0] NegTokenInit, negTokenResp [1] NegTokenResp }
 * NegTokenInit ::= SEQUENCE { mechTypes [0] MechTypeList, reqFlags [1] OPTIONAL,
 *                             mechToken [2] OCTET STRING OPTIONAL, mechListMIC [3] OCTET STRING OPTIONAL }
 * NegTokenInit2 (MS-SPNG 2.2.1) adds negHints [3] and moves mechListMIC to [4].
 * NegTokenResp ::= SEQUENCE { negState [0] ENUMERATED OPTIONAL, supportedMech [1] OID OPTIONAL,
 *                             responseToken [2] OCTET STRING OPTIONAL, mechListMIC [3] OCTET STRING OPTIONAL }
 * </pre>
 * Stateless; thread-safe.
 */
final class Spnego {
    /** 1.3.6.1.5.5.2 */
    static final byte[] SPNEGO_OID = {0x2b, 0x06, 0x01, 0x05, 0x05, 0x02};
    /** 1.3.6.1.4.1.311.2.2.10 */
    static final byte[] NTLMSSP_OID = {0x2b, 0x06, 0x01, 0x04, 0x01, (byte) 0x82, 0x37, 0x02, 0x02, 0x0a};
    static final int ACCEPT_COMPLETED = 0;
    static final int ACCEPT_INCOMPLETE = 1;
    static final int REJECT = 2;

    private Spnego() {
    }

    /**
     * A parsed client token.
     *
     * @param init true for a NegTokenInit
     * @param mechTypes DER of the MechTypeList (for mechListMIC), or null in a NegTokenResp
     * @param ntlmFirst true if NTLMSSP is the client's preferred (first) mechanism
     * @param ntlmOffered true if NTLMSSP is in the list at all
     * @param mechToken the inner token (mechToken or responseToken), or null
     * @param mechListMic the mechListMIC, or null
     */
    record ClientToken(boolean init, byte[] mechTypes, boolean ntlmFirst, boolean ntlmOffered, byte[] mechToken,
            byte[] mechListMic) {}

    static ClientToken parse(byte[] buf) throws BadTokenException {
        Der.Reader top = new Der.Reader(buf, 0, buf.length);
        Der.Tlv outer = top.next();
        if (outer.tag() == 0x60) {
            Der.Reader app = new Der.Reader(buf, outer);
            Der.Tlv oid = app.expect(Der.OID);
            if (!Arrays.equals(buf, oid.valueOffset(), oid.end(), SPNEGO_OID, 0, SPNEGO_OID.length)) {
                throw new BadTokenException("not a SPNEGO token");
            }
            Der.Tlv choice = app.expect(Der.ctx(0));
            return parseInit(buf, new Der.Reader(buf, choice).expect(Der.SEQUENCE));
        }
        if (outer.tag() == Der.ctx(1)) {
            return parseResp(buf, new Der.Reader(buf, outer).expect(Der.SEQUENCE));
        }
        if (outer.tag() == Der.ctx(0)) {
            return parseInit(buf, new Der.Reader(buf, outer).expect(Der.SEQUENCE));
        }
        throw new BadTokenException("neither NegTokenInit nor NegTokenResp");
    }

    private static ClientToken parseInit(byte[] buf, Der.Tlv seq) throws BadTokenException {
        Der.Reader r = new Der.Reader(buf, seq);
        byte[] mechTypes = null;
        boolean first = false;
        boolean offered = false;
        byte[] token = null;
        byte[] mic = null;
        while (r.hasMore()) {
            Der.Tlv field = r.next();
            switch (field.tag()) {
                case 0xA0 -> {
                    Der.Tlv list = new Der.Reader(buf, field).expect(Der.SEQUENCE);
                    mechTypes = Arrays.copyOfRange(buf, list.start(), list.end());
                    Der.Reader mechs = new Der.Reader(buf, list);
                    for (int i = 0; mechs.hasMore(); i++) {
                        Der.Tlv oid = mechs.expect(Der.OID);
                        if (Arrays.equals(buf, oid.valueOffset(), oid.end(), NTLMSSP_OID, 0, NTLMSSP_OID.length)) {
                            offered = true;
                            first |= i == 0;
                        }
                    }
                }
                case 0xA2 -> token = octets(buf, field);
                case 0xA3, 0xA4 -> mic = octetsOrNull(buf, field);
                default -> { } // reqFlags, negHints: ignored
            }
        }
        if (mechTypes == null) {
            throw new BadTokenException("NegTokenInit without mechTypes");
        }
        return new ClientToken(true, mechTypes, first, offered, token, mic);
    }

    private static ClientToken parseResp(byte[] buf, Der.Tlv seq) throws BadTokenException {
        Der.Reader r = new Der.Reader(buf, seq);
        byte[] token = null;
        byte[] mic = null;
        while (r.hasMore()) {
            Der.Tlv field = r.next();
            switch (field.tag()) {
                case 0xA2 -> token = octets(buf, field);
                case 0xA3 -> mic = octets(buf, field);
                default -> { } // negState, supportedMech
            }
        }
        return new ClientToken(false, null, true, true, token, mic);
    }

    private static byte[] octets(byte[] buf, Der.Tlv field) throws BadTokenException {
        Der.Tlv s = new Der.Reader(buf, field).expect(Der.OCTET_STRING);
        return Arrays.copyOfRange(buf, s.valueOffset(), s.end());
    }

    /** NegTokenInit2's [3] is negHints (a SEQUENCE), not an OCTET STRING: skip it. */
    private static byte[] octetsOrNull(byte[] buf, Der.Tlv field) throws BadTokenException {
        Der.Tlv s = new Der.Reader(buf, field).next();
        return s.tag() == Der.OCTET_STRING ? Arrays.copyOfRange(buf, s.valueOffset(), s.end()) : null;
    }

    /** The server's NegTokenInit2 for the NEGOTIATE response: mechTypes {NTLMSSP}, negHints. */
    static byte[] negTokenInit() {
        byte[] mechTypes = Der.tlv(Der.ctx(0), Der.tlv(Der.SEQUENCE, Der.tlv(Der.OID, NTLMSSP_OID)));
        byte[] hints = Der.tlv(Der.ctx(3), Der.tlv(Der.SEQUENCE,
                Der.tlv(Der.ctx(0), Der.tlv(Der.GENERAL_STRING, "not_defined_in_RFC4178@please_ignore".getBytes(
                        java.nio.charset.StandardCharsets.US_ASCII)))));
        byte[] init = Der.tlv(Der.ctx(0), Der.tlv(Der.SEQUENCE, mechTypes, hints));
        return Der.tlv(0x60, Der.tlv(Der.OID, SPNEGO_OID), init);
    }

    /** A NegTokenResp; null arguments are left out. */
    static byte[] negTokenResp(int negState, boolean withMech, byte[] responseToken, byte[] mechListMic) {
        java.util.List<byte[]> fields = new java.util.ArrayList<>(4);
        fields.add(Der.tlv(Der.ctx(0), Der.tlv(Der.ENUMERATED, new byte[] {(byte) negState})));
        if (withMech) {
            fields.add(Der.tlv(Der.ctx(1), Der.tlv(Der.OID, NTLMSSP_OID)));
        }
        if (responseToken != null) {
            fields.add(Der.tlv(Der.ctx(2), Der.tlv(Der.OCTET_STRING, responseToken)));
        }
        if (mechListMic != null) {
            fields.add(Der.tlv(Der.ctx(3), Der.tlv(Der.OCTET_STRING, mechListMic)));
        }
        return Der.tlv(Der.ctx(1), Der.tlv(Der.SEQUENCE, fields.toArray(byte[][]::new)));
    }
}
