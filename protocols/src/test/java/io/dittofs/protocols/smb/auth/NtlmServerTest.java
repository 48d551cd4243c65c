package io.dittofs.protocols.smb.auth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

class NtlmServerTest {
    private static final int LOGON_FAILURE = 0xC000006D;
    private static final int INVALID_PARAMETER = 0xC000000D;
    private boolean enabled = true;
    private final NtAccounts accounts = (user, domain) -> user.equalsIgnoreCase("alice")
            ? Optional.of(new NtAccount("alice", NtlmCrypto.ntHash("secret"), enabled)) : Optional.empty();

    private NtlmServer server(boolean guest, boolean anonymous) {
        return new NtlmServer(accounts, new SecureRandom(), "dittofs", "WORKGROUP", guest, anonymous);
    }

    private AuthStep exchange(NtlmServer server, NtlmTestClient client) throws Exception {
        AuthStep first = server.accept(client.first());
        AuthStep.Continue challenge = assertInstanceOf(AuthStep.Continue.class, first, first.toString());
        return server.accept(client.second(challenge.token()));
    }

    @Test
    void shouldLogOnWithSpnegoNtlmv2AndExportClientsKey() throws Exception {
        NtlmTestClient client = new NtlmTestClient();
        AuthStep step = exchange(server(false, false), client);
        AuthStep.Done done = assertInstanceOf(AuthStep.Done.class, step, step.toString());
        assertEquals("alice", done.user());
        assertEquals("WORKGROUP", done.domain());
        assertArrayEquals(client.exportedSessionKey, done.sessionKey());
        assertFalse(done.guest() || done.anonymous());
        Spnego.ClientToken reply = Spnego.parse(done.token());
        int flags = NtlmMessages.le32(client.authenticateMessage, 60);
        assertArrayEquals(NtlmCrypto.gssMic(client.exportedSessionKey, flags, true, 0, NtlmTestClient.MECH_TYPES),
                reply.mechListMic());
        assertNull(reply.mechToken());
    }

    @Test
    void shouldSendChallengeWithTargetInfoAndGrantedFlags() throws Exception {
        NtlmTestClient client = new NtlmTestClient();
        AuthStep.Continue c = (AuthStep.Continue) server(false, false).accept(client.first());
        Spnego.ClientToken resp = Spnego.parse(c.token());
        byte[] challenge = resp.mechToken();
        assertEquals(2, NtlmMessages.type(challenge));
        int flags = NtlmMessages.le32(challenge, 20);
        int want = NtlmFlags.UNICODE | NtlmFlags.NTLM | NtlmFlags.EXTENDED_SESSIONSECURITY | NtlmFlags.TARGET_INFO
                | NtlmFlags.KEY_EXCH | NtlmFlags.NEGOTIATE_128 | NtlmFlags.SIGN;
        assertEquals(want, flags & want);
        assertEquals(0, flags & NtlmFlags.LM_KEY);
        byte[] challenge2 = ((AuthStep.Continue) server(false, false).accept(new NtlmTestClient().first())).token();
        assertFalse(Arrays.equals(Arrays.copyOfRange(challenge, 24, 32),
                Arrays.copyOfRange(Spnego.parse(challenge2).mechToken(), 24, 32)), "server challenge must be random");
        String info = new String(challenge, java.nio.charset.StandardCharsets.UTF_16LE);
        assertTrue(info.contains("DITTOFS") && info.contains("WORKGROUP"));
    }

    @Test
    void shouldLogOnWithRawNtlmssp() throws Exception {
        NtlmTestClient client = new NtlmTestClient();
        client.spnego = false;
        AuthStep.Done done = assertInstanceOf(AuthStep.Done.class, exchange(server(false, false), client));
        assertArrayEquals(client.exportedSessionKey, done.sessionKey());
        assertEquals(0, done.token().length);
    }

    @Test
    void shouldAcceptProofComputedWithEmptyDomainLikeSamba() throws Exception {
        NtlmTestClient client = new NtlmTestClient();
        client.proofDomain = "";
        assertInstanceOf(AuthStep.Done.class, exchange(server(false, false), client));
        NtlmTestClient upper = new NtlmTestClient();
        upper.domain = "workgroup";
        upper.proofDomain = "WORKGROUP";
        assertInstanceOf(AuthStep.Done.class, exchange(server(false, false), upper));
    }

    @Test
    void shouldFailWithLogonFailureWhenPasswordIsWrong() throws Exception {
        NtlmTestClient client = new NtlmTestClient();
        client.password = "Secret";
        assertFailed(LOGON_FAILURE, exchange(server(true, true), client));
    }

    @Test
    void shouldFailWithLogonFailureWhenAccountIsDisabled() throws Exception {
        enabled = false;
        assertFailed(LOGON_FAILURE, exchange(server(true, true), new NtlmTestClient()));
    }

    @Test
    void shouldFailWhenUserIsUnknownUnlessGuestAllowed() throws Exception {
        NtlmTestClient client = new NtlmTestClient();
        client.user = "mallory";
        assertFailed(LOGON_FAILURE, exchange(server(false, true), client));
        NtlmTestClient again = new NtlmTestClient();
        again.user = "mallory";
        AuthStep.Done guest = assertInstanceOf(AuthStep.Done.class, exchange(server(true, false), again));
        assertTrue(guest.guest());
    }

    @Test
    void shouldRefuseAnonymousUnlessAllowed() throws Exception {
        for (boolean allowed : new boolean[] {false, true}) {
            NtlmTestClient client = new NtlmTestClient();
            NtlmServer server = server(false, allowed);
            AuthStep.Continue c = (AuthStep.Continue) server.accept(client.first());
            client.user = "";
            client.domain = "";
            byte[] auth = client.authenticate(NtlmMessages.le32(Spnego.parse(c.token()).mechToken(), 20) | NtlmFlags.ANONYMOUS,
                    new byte[1], new byte[0], new byte[0]);
            AuthStep step = server.accept(Spnego.negTokenResp(1, false, auth, null));
            if (allowed) {
                assertTrue(assertInstanceOf(AuthStep.Done.class, step).anonymous());
            } else {
                assertFailed(LOGON_FAILURE, step);
            }
        }
    }

    @Test
    void shouldFailWhenMicIsWrong() throws Exception {
        NtlmTestClient client = new NtlmTestClient();
        client.corruptMic = true;
        assertFailed(LOGON_FAILURE, exchange(server(false, false), client));
    }

    @Test
    void shouldFailWhenMechListMicIsWrong() throws Exception {
        NtlmTestClient client = new NtlmTestClient();
        client.corruptMechListMic = true;
        assertFailed(LOGON_FAILURE, exchange(server(false, false), client));
    }

    @Test
    void shouldRefuseNtlmv1Response() throws Exception {
        NtlmTestClient client = new NtlmTestClient();
        NtlmServer server = server(true, true);
        AuthStep.Continue c = (AuthStep.Continue) server.accept(client.first());
        byte[] v1 = new byte[24];
        new Random(1).nextBytes(v1);
        byte[] auth = client.authenticate(NtlmMessages.le32(Spnego.parse(c.token()).mechToken(), 20), v1, v1, new byte[16]);
        AuthStep step = server.accept(Spnego.negTokenResp(1, false, auth, null));
        assertFailed(LOGON_FAILURE, step);
        assertTrue(((AuthStep.Failed) step).reason().contains("NTLMv1"), step.toString());
    }

    @Test
    void shouldSelectNtlmsspWhenClientPrefersAnotherMech() throws Exception {
        byte[] krb5 = {0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x12, 0x01, 0x02, 0x02};
        byte[] mechTypes = Der.tlv(Der.SEQUENCE, Der.tlv(Der.OID, krb5), Der.tlv(Der.OID, Spnego.NTLMSSP_OID));
        byte[] init = Der.tlv(0x60, Der.tlv(Der.OID, Spnego.SPNEGO_OID), Der.tlv(Der.ctx(0), Der.tlv(Der.SEQUENCE,
                Der.tlv(Der.ctx(0), mechTypes), Der.tlv(Der.ctx(2), Der.tlv(Der.OCTET_STRING, new byte[] {1, 2, 3})))));
        NtlmServer server = server(false, false);
        AuthStep.Continue select = assertInstanceOf(AuthStep.Continue.class, server.accept(init));
        assertNull(Spnego.parse(select.token()).mechToken());
        AuthStep.Continue challenge = assertInstanceOf(AuthStep.Continue.class,
                server.accept(Spnego.negTokenResp(1, false, NtlmTestClient.negotiate(NtlmTestClient.FLAGS), null)));
        assertEquals(2, NtlmMessages.type(Spnego.parse(challenge.token()).mechToken()));
    }

    @Test
    void shouldFailWhenExchangeContinuesAfterItEnded() throws Exception {
        NtlmTestClient client = new NtlmTestClient();
        NtlmServer server = server(false, false);
        byte[] first = client.first();
        AuthStep.Continue c = (AuthStep.Continue) server.accept(first);
        byte[] second = client.second(c.token());
        assertInstanceOf(AuthStep.Done.class, server.accept(second));
        assertFailed(INVALID_PARAMETER, server.accept(second));
        assertFailed(INVALID_PARAMETER, server(false, false).accept(second)); // AUTHENTICATE before NEGOTIATE
    }

    @Test
    void shouldFailCleanlyOnEveryTruncationOfValidTokens() throws Exception {
        NtlmTestClient client = new NtlmTestClient();
        NtlmServer probe = server(false, false);
        byte[] first = client.first();
        byte[] second = client.second(((AuthStep.Continue) probe.accept(first)).token());
        for (int len = 0; len < second.length; len++) {
            NtlmServer server = server(false, false);
            server.accept(first);
            AuthStep step = server.accept(Arrays.copyOf(second, len));
            assertInstanceOf(AuthStep.Failed.class, step, "truncated to " + len);
        }
        for (int len = 0; len < first.length; len++) {
            AuthStep step = server(false, false).accept(Arrays.copyOf(first, len));
            assertFalse(step instanceof AuthStep.Done, "truncated NEGOTIATE to " + len);
        }
        byte[] raw = client.authenticateMessage;
        for (int len = 0; len < raw.length; len++) {
            NtlmServer server = server(false, false);
            server.accept(NtlmTestClient.negotiate(NtlmTestClient.FLAGS));
            assertInstanceOf(AuthStep.Failed.class, server.accept(Arrays.copyOf(raw, len)), "raw truncated to " + len);
        }
    }

    @Test
    void shouldNeverThrowOnFuzzedTokens() throws Exception {
        Random random = new Random(20261130);
        NtlmTestClient client = new NtlmTestClient();
        byte[] first = client.first();
        NtlmServer probe = server(true, true);
        byte[] second = client.second(((AuthStep.Continue) probe.accept(first)).token());
        byte[][] seeds = {first, second, client.authenticateMessage, client.negotiateMessage};
        int done = 0;
        for (int i = 0; i < 20_000; i++) {
            byte[] seed = seeds[random.nextInt(seeds.length)];
            byte[] fuzz = random.nextInt(10) == 0 ? new byte[random.nextInt(300)] : seed.clone();
            if (fuzz != seed) {
                int flips = 1 + random.nextInt(6);
                for (int f = 0; f < flips && fuzz.length > 0; f++) {
                    fuzz[random.nextInt(fuzz.length)] = (byte) random.nextInt(256);
                }
            }
            if (random.nextInt(4) == 0 && fuzz.length > 0) {
                fuzz = Arrays.copyOf(fuzz, random.nextInt(fuzz.length));
            }
            NtlmServer server = server(random.nextBoolean(), random.nextBoolean());
            if (seed != first && seed != client.negotiateMessage) {
                server.accept(random.nextBoolean() ? first : client.negotiateMessage);
            }
            AuthStep step = server.accept(fuzz);
            if (step instanceof AuthStep.Done d && !d.guest() && !d.anonymous()) {
                done++;
            }
        }
        assertEquals(0, done, "a fuzzed token must never authenticate alice (server challenge differs)");
    }

    private static void assertFailed(int status, AuthStep step) {
        AuthStep.Failed failed = assertInstanceOf(AuthStep.Failed.class, step, step.toString());
        assertEquals(status, failed.ntStatus(), failed.reason());
        assertFalse(failed.reason().contains("secret"));
    }
}
