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
 * the {@code typ} claim so one can never stand in for the other. Thread-safe.
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
        this.accessVerifier = JWT.require(alg).withIssuer(ISSUER).withClaim("typ", ACCESS).acceptLeeway(5).build();
        this.refreshVerifier = JWT.require(alg).withIssuer(ISSUER).withClaim("typ", REFRESH).acceptLeeway(5).build();
    }

    /** A pair of tokens for a logged-in user. */
    public record Pair(String accessToken, String refreshToken, long expiresIn) {
    }

    public Pair issue(String username) {
        Instant now = Instant.now();
        return new Pair(token(username, ACCESS, now, accessTtl), token(username, REFRESH, now, refreshTtl),
                accessTtl.toSeconds());
    }

    private String token(String username, String typ, Instant now, Duration ttl) {
        return JWT.create().withIssuer(ISSUER).withSubject(username).withClaim("typ", typ)
                .withIssuedAt(now).withExpiresAt(now.plus(ttl)).withJWTId(UUID.randomUUID().toString()).sign(alg);
    }

    /** The username of a valid access token, or null (missing, expired, forged, wrong type). */
    public String verifyAccess(String token) {
        return verify(accessVerifier, token);
    }

    /** The username of a valid refresh token, or null. */
    public String verifyRefresh(String token) {
        return verify(refreshVerifier, token);
    }

    private static String verify(JWTVerifier v, String token) {
        if (token == null || token.isEmpty() || token.length() > 8192) {
            return null;
        }
        try {
            return v.verify(token).getSubject();
        } catch (JWTVerificationException | IllegalArgumentException e) {
            return null;
        }
    }
}
