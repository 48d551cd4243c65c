package io.dittofs.controlplane.api;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTVerifier;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.exceptions.JWTVerificationException;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/**
 * HS256 JWTs for the API: short-lived access tokens and long-lived refresh tokens, told apart by
 * the {@code typ} claim so one can never stand in for the other. A token without an expiry
 * ({@code exp}) is refused. Thread-safe.
 */
public final class Tokens {
    static final String ISSUER = "dittofs";
    static final String ACCESS = "access";
    static final String REFRESH = "refresh";

    private final Algorithm alg;
    private final Duration accessTtl;
    private final Duration refreshTtl;
    private final JWTVerifier accessVerifier;
    private final JWTVerifier refreshVerifier;

    public Tokens(String secret, Duration accessTtl, Duration refreshTtl) {
        this.alg = Algorithm.HMAC256(secret);
        this.accessTtl = accessTtl;
        this.refreshTtl = refreshTtl;
        // every token this server issues expires: one without "exp" was not made here and would never expire
        this.accessVerifier = JWT.require(alg).withIssuer(ISSUER).withClaim("typ", ACCESS).withClaimPresence("exp")
                .acceptLeeway(5).build();
        this.refreshVerifier = JWT.require(alg).withIssuer(ISSUER).withClaim("typ", REFRESH).withClaimPresence("exp")
                .acceptLeeway(5).build();
    }

    /** A pair of tokens for a logged-in user. */
    public record Pair(String accessToken, String refreshToken, long expiresIn) {
    }

    /**
     * Tokens for a user. They carry a fingerprint of the user's current password hash, so every
     * token issued before a password change stops working the moment the password changes.
     */
    public Pair issue(String username, String passwordHash) {
        Instant now = Instant.now();
        String pwf = fingerprint(passwordHash);
        return new Pair(token(username, pwf, ACCESS, now, accessTtl), token(username, pwf, REFRESH, now, refreshTtl),
                accessTtl.toSeconds());
    }

    private String token(String username, String pwf, String typ, Instant now, Duration ttl) {
        return JWT.create().withIssuer(ISSUER).withSubject(username).withClaim("typ", typ).withClaim(PWF, pwf)
                .withIssuedAt(now).withExpiresAt(now.plus(ttl)).withJWTId(UUID.randomUUID().toString()).sign(alg);
    }

    /** What a valid token says: its user and the password fingerprint it was issued under. */
    public record Verified(String username, String passwordFingerprint) {
        /** True while the user's password is still the one the token was issued under. */
        public boolean currentFor(String passwordHash) {
            return passwordFingerprint != null && passwordFingerprint.equals(fingerprint(passwordHash));
        }
    }

    /** A valid access token's claims, or null (missing, expired, forged, wrong type). */
    public Verified verifyAccess(String token) {
        return verify(accessVerifier, token);
    }

    /** A valid refresh token's claims, or null. */
    public Verified verifyRefresh(String token) {
        return verify(refreshVerifier, token);
    }

    private static Verified verify(JWTVerifier v, String token) {
        if (token == null || token.isEmpty() || token.length() > 8192) {
            return null;
        }
        try {
            com.auth0.jwt.interfaces.DecodedJWT jwt = v.verify(token);
            if (jwt.getExpiresAt() == null) {
                return null;
            }
            return new Verified(jwt.getSubject(), jwt.getClaim(PWF).asString());
        } catch (JWTVerificationException | IllegalArgumentException e) {
            return null;
        }
    }

    private static final String PWF = "pwf";

    /** 64 bits of SHA-256 over the password hash: identifies the password without revealing anything usable. */
    static String fingerprint(String passwordHash) {
        try {
            byte[] d = java.security.MessageDigest.getInstance("SHA-256")
                    .digest((passwordHash == null ? "" : passwordHash).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(d, 0, 8);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
