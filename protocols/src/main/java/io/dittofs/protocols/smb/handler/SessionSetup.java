package io.dittofs.protocols.smb.handler;

import io.dittofs.core.AuthContext;
import io.dittofs.protocols.smb.ConnState;
import io.dittofs.protocols.smb.NtStatus;
import io.dittofs.protocols.smb.Session;
import io.dittofs.protocols.smb.SmbCommand;
import io.dittofs.protocols.smb.SmbConfig;
import io.dittofs.protocols.smb.SmbRequest;
import io.dittofs.protocols.smb.auth.AuthStep;
import io.dittofs.protocols.smb.auth.NtlmServer;
import io.dittofs.protocols.smb.codec.SmbDecoder;
import io.dittofs.protocols.smb.codec.SmbEncoder;
import io.dittofs.protocols.smb.crypto.PreauthHash;
import io.dittofs.protocols.smb.crypto.Signer;
import io.dittofs.protocols.smb.crypto.Signers;
import io.dittofs.protocols.smb.crypto.SmbCipher;
import io.dittofs.protocols.smb.crypto.SmbKeys;
import io.dittofs.protocols.smb.header.Smb2Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.foreign.MemorySegment;

/**
 * SESSION_SETUP (MS-SMB2 2.2.5, 2.2.6, 3.3.5.5): runs the SPNEGO/NTLMv2 exchange through
 * {@link NtlmServer}, one leg per request; on success derives the keys ({@link SmbKeys}, with the
 * 3.1.1 pre-auth hash of the session's exchange), installs the {@link Signer} and decides whether
 * the session signs (server requires it, or the client does). Failed logons are counted by reason
 * and rate-limited per client address (refused before the password is checked) and per account
 * (refused even with the right password) by the {@link io.dittofs.protocols.smb.LogonLimiter}. Re-authentication of a valid session runs a fresh exchange.
 * Stateless; thread-safe (a session's legs arrive one at a time).
 */
public final class SessionSetup implements SmbCommand {
    private static final Logger LOG = LoggerFactory.getLogger(SessionSetup.class);
    static final int SESSION_FLAG_IS_GUEST = 0x1;
    static final int SESSION_FLAG_IS_NULL = 0x2;
    static final int SESSION_FLAG_ENCRYPT_DATA = 0x4;
    private static final int MAX_TOKEN = 64 * 1024;

    @Override
    public int execute(SmbRequest r, SmbEncoder out) {
        r.structureSize(25);
        ConnState conn = r.conn();
        SmbDecoder in = r.in();
        int secMode = in.u8(67);
        byte[] token = in.bytes(in.u16(76), in.u16(78), MAX_TOKEN);
        long sid = r.header().sessionId();
        Session s;
        if (sid == 0) {
            if (!conn.services().logons().allowed(conn.peer().getAddress())) {
                conn.services().logons().failed(conn.peer().getAddress(), null, "rate_limited");
                LOG.info("SMB logon from {} refused: too many failed logons", conn.peer());
                return NtStatus.LOGON_FAILURE;
            }
            s = conn.newSession();
        } else {
            s = conn.session(sid);
            if (s == null || s.state() == Session.State.EXPIRED) {
                return NtStatus.USER_SESSION_DELETED;
            }
        }
        r.session(s);
        r.compound().session(s.id());
        if (s.ntlm() == null) {
            SmbConfig cfg = conn.config();
            s.ntlm(new NtlmServer(conn.services().users().accounts(), conn.random(), cfg.serverName(),
                    cfg.domainName(), cfg.allowGuest(), cfg.allowAnonymous()));
            s.preauth(conn.preauth() == null ? null : conn.preauth().copy());
        }
        PreauthHash hash = s.preauth();
        if (hash != null) {
            MemorySegment req = r.element();
            hash.update(req.asByteBuffer(), 0, (int) req.byteSize());
        }
        AuthStep step = s.ntlm().accept(token);
        return switch (step) {
            case AuthStep.Continue c -> {
                write(out, 0, c.token());
                if (hash != null) {
                    r.onResponse(resp -> hash.update(resp.asByteBuffer(), 0, (int) resp.byteSize()));
                }
                yield NtStatus.MORE_PROCESSING_REQUIRED;
            }
            case AuthStep.Done d when !d.guest() && !d.anonymous() && !conn.services().logons().allowedUser(d.user()) -> {
                conn.services().logons().failed(conn.peer().getAddress(), null, "rate_limited");
                LOG.info("SMB logon from {} for {} refused: too many failed logons for the account", conn.peer(),
                        d.user());
                yield failed(conn, s);
            }
            case AuthStep.Done d -> done(r, out, s, d, secMode, hash);
            case AuthStep.Failed f -> {
                conn.services().logons().failed(conn.peer().getAddress(), f.user(), f.kind());
                LOG.info("SMB logon from {} failed: {}", conn.peer(), f.reason());
                if (!s.isValid()) {
                    conn.removeSession(s.id());
                }
                s.ntlm(null);
                yield f.ntStatus();
            }
        };
    }

    /** Ends a refused exchange: a new session goes away, a re-authenticating one keeps its old identity. */
    private static int failed(ConnState conn, Session s) {
        return failed(conn, s, NtStatus.LOGON_FAILURE);
    }

    private static int failed(ConnState conn, Session s, int status) {
        if (!s.isValid()) {
            conn.removeSession(s.id());
        }
        s.ntlm(null);
        return status;
    }

    private static int done(SmbRequest r, SmbEncoder out, Session s, AuthStep.Done d, int clientSecMode,
                            PreauthHash hash) {
        ConnState conn = r.conn();
        int dialect = conn.dialect();
        boolean keyless = d.guest() || d.anonymous() || d.sessionKey() == null || d.sessionKey().length == 0;
        AuthContext id = d.guest() || d.anonymous() ? AuthContext.ANONYMOUS : conn.services().users().identity(d.user());
        Signer signer = null;
        SmbCipher cipher = null;
        boolean mustSign = false;
        boolean mustEncrypt = conn.config().encryption() == SmbConfig.ENCRYPTION_REQUIRED;
        if (!keyless) {
            mustSign = conn.config().signingRequired() || (clientSecMode & Negotiate.SIGNING_REQUIRED) != 0;
            if (s.isValid() && s.signer() != null) {
                // re-authentication keeps the keys of the first one, as the client does (3.2.5.3.2): messages
                // in flight stay valid
                signer = s.signer();
                cipher = s.cipher();
            } else {
                SmbKeys keys = SmbKeys.derive(dialect, d.sessionKey(), hash == null ? null : hash.value(), conn.cipherId());
                signer = Signers.forDialect(dialect, conn.signingAlgorithm(), keys.signingKey());
                if (conn.cipherId() != 0) {
                    cipher = new SmbCipher(conn.cipherId(), keys.encryptionKey(), keys.decryptionKey(), conn.random());
                }
            }
        }
        if (mustEncrypt && cipher == null) {
            // encryption required and this session cannot encrypt: below 3.0, no cipher in common, or no key (3.3.5.5.3)
            LOG.info("SMB logon from {} for {} refused: encryption is required and the session cannot encrypt", conn.peer(),
                    d.user());
            return failed(conn, s, NtStatus.ACCESS_DENIED);
        }
        s.established(d.user(), id, d.guest(), signer, mustSign);
        s.encryption(cipher, mustEncrypt);
        s.preauth(null);
        if (signer != null && (mustSign || dialect >= SmbConfig.SMB_300)) {
            r.signResponseWith(s);
        }
        int flags = (d.anonymous() ? SESSION_FLAG_IS_NULL : d.guest() ? SESSION_FLAG_IS_GUEST : 0)
                | (s.encryptData() ? SESSION_FLAG_ENCRYPT_DATA : 0);
        write(out, flags, d.token() == null ? new byte[0] : d.token());
        LOG.info("SMB session {} for {} from {} (dialect {}{}, {})", Long.toHexString(s.id()), d.user(), conn.peer(),
                Integer.toHexString(dialect), cipher == null ? "" : (s.encryptData() ? ", encrypted with " : ", may encrypt with ")
                        + SmbCipher.name(cipher.id()), mustSign ? "signed" : "unsigned");
        return NtStatus.SUCCESS;
    }

    private static void write(SmbEncoder out, int sessionFlags, byte[] token) {
        out.u16(9).u16(sessionFlags).u16(Smb2Header.SIZE + 8).u16(token.length).bytes(token);
    }
}
