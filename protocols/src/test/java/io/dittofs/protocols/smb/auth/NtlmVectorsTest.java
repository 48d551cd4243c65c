package io.dittofs.protocols.smb.auth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Published vectors: MS-NLMP 4.2.4 (NTLMv2 authentication, user "User", domain "Domain", password
 * "Password") and the Windows 10 SMB 3.1.1 NTLMSSP exchange of Microsoft's blog "SMB 2 and SMB 3
 * security in Windows 10: the anatomy of signing and cryptographic keys" (its exported session key
 * 0x270E1BA896585EEB7AF3472D3B4C75A7 fixes the MIC and both mechListMICs).
 */
class NtlmVectorsTest {
    private static final HexFormat HEX = HexFormat.of();
    private static final byte[] SERVER_CHALLENGE = hex("0123456789abcdef");
    /** MS-NLMP 4.2.4.1.3 temp (the client blob): time 0, client challenge aa..., AV pairs Domain/Server. */
    private static final byte[] BLOB = hex("01010000000000000000000000000000aaaaaaaaaaaaaaaa00000000"
            + "02000c0044006f006d00610069006e0001000c0053006500720076006500720000000000" + "00000000");
    /** MS-NLMP 4.2.4.3 AUTHENTICATE_MESSAGE. */
    private static final byte[] AUTHENTICATE_4243 = hex(
            "4e544c4d53535000030000001800180" + "06c00000054005400840000000c000c00"
            + "480000000800080054000000100010005c00000010001000d8000000358288e2"
            + "0501280a0000000f44006f006d00610069006e00550073006500720043004f00"
            + "4d00500055005400450052" + "0086c35097ac9cec102554764a57cccc19aaaaaaaa"
            + "aaaaaaaa68cd0ab851e51c96aabc927bebef6a1c010100000000000000000000"
            + "00000000aaaaaaaaaaaaaaaa0000000002000c0044006f006d00610069006e00"
            + "01000c005300650072007600650072000000000000000000c5dad2544fc97990"
            + "94ce1ce90bc9d03e");

    // Windows 10 exchange (blog appendix, SMB 3.1.1 first channel): SESSION_SETUP security buffers.
    private static final byte[] WIN_INIT = hex("604806062B0601050502A03E303CA00E300C060A2B06010401823702020AA22A04284E544C4D"
            + "5353500001000000978208E200000000000000000000000000000000060380250000000F");
    private static final byte[] WIN_CHALLENGE_RESP = hex("A181B03081ADA0030A0101A10C060A2B06010401823702020AA28197"
            + "0481944E544C4D53535000020000000C000C003800000015828AE20D1D8BA31179D008000000000000000050005000440000"
            + "000A0092270000000F53005500540033003100310002000C0053005500540033003100310001000C00530055005400330031"
            + "00310004000C0053005500540033003100310003000C0053005500540033003100310007000800A1A1F5ADCBAED001000000"
            + "00");
    private static final byte[] WIN_AUTH_RESP = hex("A18201CB308201C7A0030A0101A28201AA048201A64E544C4D5353500003000000180018"
            + "0090000000EE00EE00A80000000C000C00580000001A001A0064000000120012007E000000100010009601000015828"
            + "8E2060380250000000FECAC77A5F385A8BF9C38C706EEEDDCD3530055005400330031003100610064006D0069006E00"
            + "6900730074007200610074006F0072004400520049005600450052003300310031000000000000000000000000000000"
            + "0000000000000000000063078EB639FE03E20A231C3AE3BF23080101000000000000A1A1F5ADCBAED001BC4AD05F223C"
            + "C90F0000000002000C0053005500540033003100310001000C0053005500540033003100310004000C00530055005400"
            + "33003100310003000C0053005500540033003100310007000800A1A1F5ADCBAED00106000400020000000800300030"
            + "000000000000000000000000300000B61FEFCAA857EA57BF1EDCEBF8974B8E0EBA5A6DFD9D07A31D11B548F8C9D0CC0A"
            + "001000000000000000000000000000000000000900160063006900660073002F00530055005400330031003100000000"
            + "0000000000000000003B9BDFF38F5EE8F9663F11A0F4C03A78A31204100100000063775A9A5FD97F0600000000");
    private static final byte[] WIN_EXPORTED_KEY = hex("270E1BA896585EEB7AF3472D3B4C75A7");

    static byte[] hex(String s) {
        return HEX.parseHex(s.toLowerCase());
    }

    @Test
    void shouldComputeMsNlmpNtlmv2Values() {
        byte[] ntowfv2 = NtlmCrypto.ntowfv2(NtlmCrypto.ntHash("Password"), "User", "Domain");
        assertArrayEquals(hex("0c868a403bfd7a93a3001ef22ef02e3f"), ntowfv2);
        byte[] proof = NtlmCrypto.ntProofStr(ntowfv2, SERVER_CHALLENGE, BLOB);
        assertArrayEquals(hex("68cd0ab851e51c96aabc927bebef6a1c"), proof);
        byte[] base = NtlmCrypto.sessionBaseKey(ntowfv2, proof);
        assertArrayEquals(hex("8de40ccadbc14a82f15cb0ad0de95ca3"), base);
        byte[] random = new byte[16];
        Arrays.fill(random, (byte) 0x55);
        assertArrayEquals(hex("c5dad2544fc9799094ce1ce90bc9d03e"), NtlmCrypto.rc4(base, random));
        assertArrayEquals(random, NtlmCrypto.rc4(base, hex("c5dad2544fc9799094ce1ce90bc9d03e")));
    }

    @Test
    void shouldAcceptMsNlmpAuthenticateMessageAndExportRandomSessionKey() {
        NtlmServer server = new NtlmServer(
                (user, domain) -> user.equalsIgnoreCase("user")
                        ? Optional.of(new NtAccount("User", NtlmCrypto.ntHash("Password"), true)) : Optional.empty(),
                fixedRandom(SERVER_CHALLENGE), "Server", "Domain", false, false);
        AuthStep challenge = server.accept(NtlmTestClient.negotiate(0xe2888235));
        assertInstanceOf(AuthStep.Continue.class, challenge);
        byte[] challengeMessage = ((AuthStep.Continue) challenge).token();
        assertArrayEquals(SERVER_CHALLENGE, Arrays.copyOfRange(challengeMessage, 24, 32));
        AuthStep done = server.accept(AUTHENTICATE_4243);
        AuthStep.Done ok = assertInstanceOf(AuthStep.Done.class, done, done.toString());
        assertEquals("User", ok.user());
        assertEquals("Domain", ok.domain());
        byte[] random = new byte[16];
        Arrays.fill(random, (byte) 0x55);
        assertArrayEquals(random, ok.sessionKey());
        assertEquals(0, ok.token().length);
    }

    @Test
    void shouldMatchWindowsAuthenticateMic() throws Exception {
        byte[] negotiate = Arrays.copyOfRange(WIN_INIT, WIN_INIT.length - 40, WIN_INIT.length);
        byte[] challenge = Spnego.parse(WIN_CHALLENGE_RESP).mechToken();
        byte[] authenticate = Spnego.parse(WIN_AUTH_RESP).mechToken();
        assertEquals(0x1A6, authenticate.length);
        byte[] zeroed = authenticate.clone();
        Arrays.fill(zeroed, 72, 88, (byte) 0);
        assertArrayEquals(Arrays.copyOfRange(authenticate, 72, 88),
                NtlmCrypto.mic(WIN_EXPORTED_KEY, negotiate, challenge, zeroed));
        NtlmMessages.Authenticate a = NtlmMessages.parseAuthenticate(authenticate);
        assertEquals("SUT311", a.domain());
        assertEquals("administrator", a.user());
        assertTrue(a.micPresentInLayout());
        assertEquals(NtlmMessages.AV_FLAG_MIC,
                NtlmMessages.avFlags(Arrays.copyOfRange(a.nt(), 16, a.nt().length)) & NtlmMessages.AV_FLAG_MIC);
    }

    @Test
    void shouldMatchWindowsMechListMicsInBothDirections() throws Exception {
        Spnego.ClientToken init = Spnego.parse(WIN_INIT);
        assertArrayEquals(hex("300C060A2B06010401823702020A"), init.mechTypes());
        assertTrue(init.ntlmFirst());
        Spnego.ClientToken auth = Spnego.parse(WIN_AUTH_RESP);
        int flags = NtlmMessages.parseAuthenticate(auth.mechToken()).flags();
        assertArrayEquals(auth.mechListMic(), NtlmCrypto.gssMic(WIN_EXPORTED_KEY, flags, false, 0, init.mechTypes()));
        // The server's final NegTokenResp of the trace: A3 12 04 10 <mechListMIC>.
        assertArrayEquals(hex("010000003B453CDC3524164200000000"),
                NtlmCrypto.gssMic(WIN_EXPORTED_KEY, flags, true, 0, init.mechTypes()));
    }

    @Test
    void shouldEncodeFinalNegTokenRespLikeWindows() {
        byte[] token = Spnego.negTokenResp(Spnego.ACCEPT_COMPLETED, false, null, hex("010000003B453CDC3524164200000000"));
        assertArrayEquals(hex("A11B3019A0030A0100A3120410010000003B453CDC3524164200000000"), token);
    }

    static SecureRandom fixedRandom(byte[] bytes) {
        return new SecureRandom() {
            @Override
            public void nextBytes(byte[] out) {
                for (int i = 0; i < out.length; i++) {
                    out[i] = bytes[i % bytes.length];
                }
            }
        };
    }
}
