package io.dittofs.protocols.smb.auth;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Server side of one SPNEGO (MS-SPNG) / NTLMSSP (MS-NLMP) exchange of SMB2 SESSION_SETUP.
 *
 * <p>NEGOTIATE is answered with a CHALLENGE (random server challenge, target info with NetBIOS and
 * DNS names and MsvAvTimestamp, flags granted from the client's). AUTHENTICATE must carry an NTLMv2
 * response (NTLMv1 and LM are refused); it is checked against the account's NT hash with the domain
 * as sent, upper-cased, then empty (as Samba does). The exported session key is the NTLMv2 session
 * base key, or the RC4-decrypted random key under KEY_EXCH. A client's MIC (announced by MsvAvFlags)
 * and SPNEGO mechListMIC are verified, and the final NegTokenResp carries the server's mechListMIC
 * when the client used either. Unknown users log on as guest and anonymous logons succeed only when
 * allowed (both off by default in the adapter); a disabled account, like a wrong password, gets
 * STATUS_LOGON_FAILURE so that a client cannot probe which accounts exist or are disabled.
 *
 * <p>Not thread-safe: one instance per SESSION_SETUP exchange.
 */
public final class NtlmServer {
    public static final int STATUS_LOGON_FAILURE = 0xC000006D;
    public static final int STATUS_INVALID_PARAMETER = 0xC000000D;
    private static final long FILETIME_UNIX_EPOCH_MS = 11_644_473_600_000L;

    private enum State { INITIAL, CHALLENGED, FINISHED }

    private final NtAccounts accounts;
    private final SecureRandom random;
    private final String serverName;
    private final String domainName;
    private final boolean allowGuest;
    private final boolean allowAnonymous;
    private State state = State.INITIAL;
    private boolean spnego;
    private byte[] mechTypes;
    private byte[] negotiateMessage;
    private byte[] challengeMessage;
    private byte[] serverChallenge;

    public NtlmServer(NtAccounts accounts, SecureRandom random, String serverName, String domainName,
            boolean allowGuest, boolean allowAnonymous) {
        this.accounts = accounts;
        this.random = random;
        this.serverName = serverName;
        this.domainName = domainName == null || domainName.isEmpty() ? serverName : domainName;
        this.allowGuest = allowGuest;
        this.allowAnonymous = allowAnonymous;
    }

    /** SPNEGO NegTokenInit2 advertising NTLMSSP, for the NEGOTIATE response's security buffer. */
    public static byte[] negotiateToken() {
        return Spnego.negTokenInit();
    }

    /**
     * Accepts the client's security buffer: a SPNEGO NegTokenInit / NegTokenResp, or a raw NTLMSSP
     * message. Never throws: malformed input ends the exchange with a {@link AuthStep.Failed}.
     */
    public AuthStep accept(byte[] securityBuffer) {
        if (state == State.FINISHED) {
            return new AuthStep.Failed(STATUS_INVALID_PARAMETER, "authentication exchange already finished");
        }
        try {
            if (securityBuffer == null || securityBuffer.length == 0 || securityBuffer.length > NtlmMessages.MAX_MESSAGE) {
                throw new BadTokenException("security buffer empty or too large");
            }
            byte[] ntlm;
            byte[] clientMechListMic = null;
            if (NtlmMessages.isNtlmssp(securityBuffer)) {
                ntlm = securityBuffer;
            } else {
                Spnego.ClientToken token = Spnego.parse(securityBuffer);
                spnego = true;
                if (token.init()) {
                    if (state != State.INITIAL) {
                        throw new BadTokenException("NegTokenInit in the middle of an exchange");
                    }
                    mechTypes = token.mechTypes();
                    if (!token.ntlmOffered()) {
                        return fail(STATUS_LOGON_FAILURE, "client offers no NTLMSSP mechanism");
                    }
                    if (!token.ntlmFirst() || token.mechToken() == null) {
                        // Not our mechanism's optimistic token: select NTLMSSP, wait for its NEGOTIATE.
                        return new AuthStep.Continue(Spnego.negTokenResp(Spnego.ACCEPT_INCOMPLETE, true, null, null));
                    }
                }
                ntlm = token.mechToken();
                clientMechListMic = token.mechListMic();
                if (ntlm == null) {
                    throw new BadTokenException("SPNEGO token without an NTLMSSP token");
                }
            }
            return switch (state) {
                case INITIAL -> negotiate(ntlm);
                case CHALLENGED -> authenticate(ntlm, clientMechListMic);
                case FINISHED -> throw new IllegalStateException("unreachable");
            };
        } catch (BadTokenException e) {
            return fail(STATUS_INVALID_PARAMETER, e.getMessage());
        }
    }

    private AuthStep negotiate(byte[] ntlm) throws BadTokenException {
        int clientFlags = NtlmMessages.negotiateFlags(ntlm);
        negotiateMessage = ntlm.clone();
        serverChallenge = new byte[8];
        random.nextBytes(serverChallenge);
        long fileTime = (System.currentTimeMillis() + FILETIME_UNIX_EPOCH_MS) * 10_000L;
        byte[] targetInfo = NtlmMessages.targetInfo(domainName.toUpperCase(Locale.ROOT),
                serverName.toUpperCase(Locale.ROOT), domainName.toLowerCase(Locale.ROOT),
                serverName.toLowerCase(Locale.ROOT), fileTime);
        challengeMessage = NtlmMessages.challenge(NtlmFlags.challengeFlags(clientFlags), serverChallenge,
                serverName.toUpperCase(Locale.ROOT), targetInfo);
        state = State.CHALLENGED;
        return new AuthStep.Continue(spnego
                ? Spnego.negTokenResp(Spnego.ACCEPT_INCOMPLETE, true, challengeMessage, null)
                : challengeMessage.clone());
    }

    private AuthStep authenticate(byte[] ntlm, byte[] clientMechListMic) throws BadTokenException {
        NtlmMessages.Authenticate a = NtlmMessages.parseAuthenticate(ntlm);
        if (a.nt().length == 0 && a.user().isEmpty() && (a.lm().length == 0 || Arrays.equals(a.lm(), new byte[1]))) {
            if (!allowAnonymous) {
                return fail(STATUS_LOGON_FAILURE, "anonymous logon refused", null, "refused");
            }
            return done("", "", new byte[16], false, true, null);
        }
        if (a.nt().length < 16 + 28) {
            return fail(STATUS_LOGON_FAILURE, "NTLMv1/LM response refused (user " + a.user() + ")", a.user(), "refused");
        }
        Optional<NtAccount> found = accounts.find(a.user(), a.domain());
        if (found.isEmpty()) {
            if (allowGuest) {
                return done(a.user(), a.domain(), new byte[16], true, false, null);
            }
            return fail(STATUS_LOGON_FAILURE, "unknown user " + a.user(), a.user(), "unknown_user");
        }
        NtAccount account = found.get();
        if (!account.enabled()) {
            return fail(STATUS_LOGON_FAILURE, "account " + a.user() + " is disabled", a.user(), "disabled");
        }
        byte[] proof = Arrays.copyOf(a.nt(), 16);
        byte[] blob = Arrays.copyOfRange(a.nt(), 16, a.nt().length);
        byte[] ntowfv2 = matchingNtowfv2(account.ntHash(), a.user(), a.domain(), proof, blob);
        if (ntowfv2 == null) {
            return fail(STATUS_LOGON_FAILURE, "wrong password for " + a.user(), a.user(), "bad_password");
        }
        byte[] exported = NtlmCrypto.sessionBaseKey(ntowfv2, proof);
        if ((a.flags() & NtlmMessages.le32(challengeMessage, 20) & NtlmFlags.KEY_EXCH) != 0) {
            if (a.encryptedSessionKey().length != 16) {
                return fail(STATUS_INVALID_PARAMETER, "KEY_EXCH without a 16-byte encrypted session key");
            }
            exported = NtlmCrypto.rc4(exported, a.encryptedSessionKey());
        }
        boolean mic = (NtlmMessages.avFlags(blob) & NtlmMessages.AV_FLAG_MIC) != 0;
        if (mic && !micMatches(ntlm, a, exported)) {
            return fail(STATUS_LOGON_FAILURE, "AUTHENTICATE MIC mismatch for " + a.user(), a.user(), "malformed");
        }
        byte[] serverMechListMic = null;
        if (spnego && (mic || clientMechListMic != null)) {
            if (mechTypes == null) {
                throw new BadTokenException("mechListMIC without a NegTokenInit");
            }
            if (clientMechListMic != null && !MessageDigest.isEqual(clientMechListMic,
                    NtlmCrypto.gssMic(exported, a.flags(), false, 0, mechTypes))) {
                return fail(STATUS_LOGON_FAILURE, "SPNEGO mechListMIC mismatch for " + a.user(), a.user(), "malformed");
            }
            serverMechListMic = NtlmCrypto.gssMic(exported, a.flags(), true, 0, mechTypes);
        }
        return done(a.user(), a.domain(), exported, false, false, serverMechListMic);
    }

    private byte[] matchingNtowfv2(byte[] ntHash, String user, String domain, byte[] proof, byte[] blob) {
        Set<String> domains = new LinkedHashSet<>();
        domains.add(domain);
        domains.add(domain.toUpperCase(Locale.ROOT));
        domains.add("");
        for (String d : domains) {
            byte[] ntowfv2 = NtlmCrypto.ntowfv2(ntHash, user, d);
            if (MessageDigest.isEqual(proof, NtlmCrypto.ntProofStr(ntowfv2, serverChallenge, blob))) {
                return ntowfv2;
            }
        }
        return null;
    }

    private boolean micMatches(byte[] ntlm, NtlmMessages.Authenticate a, byte[] exported) {
        if (!a.micPresentInLayout()) {
            return false;
        }
        byte[] zeroed = ntlm.clone();
        Arrays.fill(zeroed, NtlmMessages.MIC_OFFSET, NtlmMessages.MIC_OFFSET + 16, (byte) 0);
        byte[] expected = NtlmCrypto.mic(exported, negotiateMessage, challengeMessage, zeroed);
        return MessageDigest.isEqual(expected,
                Arrays.copyOfRange(ntlm, NtlmMessages.MIC_OFFSET, NtlmMessages.MIC_OFFSET + 16));
    }

    private AuthStep done(String user, String domain, byte[] key, boolean guest, boolean anonymous, byte[] mechListMic) {
        state = State.FINISHED;
        byte[] token = spnego ? Spnego.negTokenResp(Spnego.ACCEPT_COMPLETED, false, null, mechListMic) : new byte[0];
        return new AuthStep.Done(token, user, domain, key, guest, anonymous);
    }

    private AuthStep fail(int status, String reason) {
        return fail(status, reason, null, "malformed");
    }

    private AuthStep fail(int status, String reason, String user, String kind) {
        state = State.FINISHED;
        return new AuthStep.Failed(status, reason, user, kind);
    }
}
