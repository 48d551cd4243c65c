package io.dittofs.controlplane.api;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ApiSecurityTest extends LoggedInApiTest {
    private int status(String token) throws Exception {
        return h.call("GET", "/api/v1/users", token, null).status();
    }

    @Test
    void shouldServeHealthWithoutAuth() throws Exception {
        assertEquals(200, h.call("GET", "/health", null, null).status());
        assertEquals(200, h.call("GET", "/health/ready", null, null).status());
    }

    @Test
    void shouldRefuseMissingGarbageAndRefreshTokens() throws Exception {
        assertEquals(200, status(admin));
        assertEquals(401, status(null));
        assertEquals(401, status("not.a.jwt"));
        assertEquals(401, h.call("GET", "/api/v1/users", null, null).status());
        String refresh = h.call("POST", "/api/v1/auth/login", null,
                "{\"username\":\"admin\",\"password\":\"" + ApiHarness.ADMIN_PW + "\"}").json().get("refresh_token").asText();
        assertEquals(401, status(refresh), "a refresh token is no access token");
        assertEquals(401, h.call("POST", "/api/v1/auth/refresh", null, "{\"refresh_token\":\"" + admin + "\"}").status(),
                "an access token is no refresh token");
        assertEquals(200, h.call("POST", "/api/v1/auth/refresh", null, "{\"refresh_token\":\"" + refresh + "\"}").status());
    }

    /** The admin's real password hash: forged/expired tokens below differ from a valid one in one property only. */
    private String adminHash() {
        return h.db.user("admin").orElseThrow().passwordHash();
    }

    @Test
    void shouldAcceptATokenIssuedWithTheCurrentPasswordFingerprint() throws Exception {
        Tokens same = new Tokens(ApiHarness.SECRET, Duration.ofMinutes(5), Duration.ofMinutes(5));
        assertEquals(200, status(same.issue("admin", adminHash()).accessToken()));
        assertEquals(401, status(same.issue("admin", "some-other-hash").accessToken()), "another password's token");
    }

    @Test
    void shouldRefuseExpiredTokens() throws Exception {
        String expired = JWT.create().withIssuer("dittofs").withSubject("admin").withClaim("typ", "access")
                .withIssuedAt(Instant.now().minusSeconds(3600)).withExpiresAt(Instant.now().minusSeconds(60))
                .sign(Algorithm.HMAC256(ApiHarness.SECRET));
        assertEquals(401, status(expired));
        Tokens shortLived = new Tokens(ApiHarness.SECRET, Duration.ofSeconds(-30), Duration.ofSeconds(-30));
        assertEquals(401, status(shortLived.issue("admin", adminHash()).accessToken()));
    }

    @Test
    void shouldRefuseForgedTokens() throws Exception {
        String wrongSecret = new Tokens("another-secret-another-secret-another", Duration.ofMinutes(5), Duration.ofMinutes(5))
                .issue("admin", adminHash()).accessToken();
        assertEquals(401, status(wrongSecret));
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String header = b64.encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
        String payload = b64.encodeToString(("{\"iss\":\"dittofs\",\"sub\":\"admin\",\"typ\":\"access\",\"exp\":"
                + (Instant.now().getEpochSecond() + 600) + "}").getBytes(StandardCharsets.UTF_8));
        assertEquals(401, status(header + "." + payload + "."));
        String[] parts = admin.split("\\.");
        assertEquals(401, status(header + "." + parts[1] + "."), "a real payload with alg none");
        assertEquals(401, status(parts[0] + "." + payload + "." + parts[2]), "a swapped payload");
        String hs512 = JWT.create().withIssuer("dittofs").withSubject("admin").withClaim("typ", "access")
                .withExpiresAt(Instant.now().plusSeconds(600)).sign(Algorithm.HMAC512(ApiHarness.SECRET));
        assertEquals(401, status(hs512), "only HS256");
    }

    @Test
    void shouldRefuseTokensOfDeletedUsers() throws Exception {
        assertEquals(201, h.call("POST", "/api/v1/users", admin,
                "{\"username\":\"bob\",\"password\":\"bob-password\",\"role\":\"admin\"}").status());
        String bob = h.login("bob", "bob-password");
        assertEquals(204, h.call("DELETE", "/api/v1/users/bob", admin, null).status());
        assertEquals(401, status(bob));
    }

    @Test
    void shouldForbidAdminEndpointsToUsersAndNotLetThemRaiseTheirRole() throws Exception {
        assertEquals(201, h.call("POST", "/api/v1/users", admin,
                "{\"username\":\"carol\",\"password\":\"carol-password\",\"uid\":1000}").status());
        String carol = h.login("carol", "carol-password");
        assertEquals(403, status(carol));
        assertEquals(403, h.call("PUT", "/api/v1/users/carol", carol, "{\"role\":\"admin\"}").status());
        assertEquals(403, h.call("PUT", "/api/v1/users/me", carol, "{\"role\":\"admin\"}").status());
        assertEquals(403, h.call("POST", "/api/v1/users", carol,
                "{\"username\":\"evil\",\"password\":\"evil-password\",\"role\":\"admin\"}").status());
        assertEquals(403, h.call("GET", "/api/v1/settings", carol, null).status());
        assertEquals(403, h.call("POST", "/api/v1/shares", carol, "{}").status());
        assertEquals(403, h.call("PUT", "/api/v1/adapters/nfs", carol, "{\"enabled\":false}").status());
        assertEquals(400, h.call("POST", "/api/v1/users/me/password", carol,
                "{\"current_password\":\"carol-password\",\"new_password\":\"x\",\"role\":\"admin\"}").status());
        assertEquals("user", h.call("GET", "/api/v1/users/me", carol, null).json().get("role").asText());
        assertEquals(200, h.call("GET", "/api/v1/shares", carol, null).status());
    }

    @Test
    void shouldForceAPasswordChangeFirst() throws Exception {
        assertEquals(201, h.call("POST", "/api/v1/users", admin,
                "{\"username\":\"dave\",\"password\":\"dave-password\",\"role\":\"admin\"}").status());
        assertEquals(200, h.call("PUT", "/api/v1/users/dave", admin, "{\"password\":\"temp-password\"}").status());
        String dave = h.login("dave", "temp-password");
        assertEquals(403, status(dave));
        assertEquals(200, h.call("GET", "/api/v1/users/me", dave, null).status());
        assertEquals(403, h.call("POST", "/api/v1/users/me/password", dave,
                "{\"current_password\":\"wrong-password\",\"new_password\":\"dave-new-password\"}").status());
        ApiHarness.Res changed = h.call("POST", "/api/v1/users/me/password", dave,
                "{\"current_password\":\"temp-password\",\"new_password\":\"dave-new-password\"}");
        assertEquals(200, changed.status());
        assertEquals(401, status(dave), "tokens issued before the change are void");
        assertEquals(200, status(changed.json().get("access_token").asText()), "the reply carries fresh tokens");
        assertEquals(401, h.call("POST", "/api/v1/auth/login", null,
                "{\"username\":\"dave\",\"password\":\"temp-password\"}").status());
    }

    @Test
    void shouldVoidEveryTokenOfAUserWhosePasswordAnAdminReset() throws Exception {
        assertEquals(201, h.call("POST", "/api/v1/users", admin,
                "{\"username\":\"erin\",\"password\":\"erin-password\",\"role\":\"admin\"}").status());
        ApiHarness.Res login = h.call("POST", "/api/v1/auth/login", null,
                "{\"username\":\"erin\",\"password\":\"erin-password\"}");
        String access = login.json().get("access_token").asText();
        String refresh = login.json().get("refresh_token").asText();
        assertEquals(200, status(access));
        assertEquals(200, h.call("PUT", "/api/v1/users/erin", admin, "{\"password\":\"erin-reset-password\"}").status());
        assertEquals(401, status(access), "access token from before the reset");
        assertEquals(401, h.call("POST", "/api/v1/auth/refresh", null,
                "{\"refresh_token\":\"" + refresh + "\"}").status(), "refresh token from before the reset");
    }

    @Test
    void shouldRateLimitFailedLogins() throws Exception {
        int last = 0;
        for (int i = 0; i < 12; i++) {
            last = h.call("POST", "/api/v1/auth/login", null, "{\"username\":\"admin\",\"password\":\"wrong-" + i + "\"}").status();
        }
        assertEquals(429, last);
        assertEquals(429, h.call("POST", "/api/v1/auth/login", null,
                "{\"username\":\"admin\",\"password\":\"" + ApiHarness.ADMIN_PW + "\"}").status(), "even the right password");
    }

    @Test
    void shouldRefuseMalformedAndOversizedBodies() throws Exception {
        String before = h.call("GET", "/api/v1/users", admin, null).body();
        for (String bad : new String[] {"{", "[]", "\"x\"", "{\"username\":\"x\",\"password\":\"longenough\"} trailing",
            "{\"username\":1,\"password\":\"longenough\"}", "{\"username\":\"x\",\"username\":\"y\",\"password\":\"longenough\"}",
            "{\"username\":\"x\",\"password\":\"longenough\",\"extra\":1}", "", "null"}) {
            int s = h.call("POST", "/api/v1/users", admin, bad).status();
            assertTrue(s >= 400 && s < 500, bad + " -> " + s);
        }
        String huge = "{\"username\":\"x\",\"password\":\"" + "a".repeat(100_000) + "\"}";
        assertEquals(413, h.call("POST", "/api/v1/users", admin, huge).status());
        assertEquals(before, h.call("GET", "/api/v1/users", admin, null).body(), "nothing changed");
    }

    @Test
    void shouldRefuseHostileNames() throws Exception {
        String users = h.call("GET", "/api/v1/users", admin, null).body();
        String[] hostile = {"../etc/passwd", "a/b", "a\\\\b", "x'; DROP TABLE users; --", "\\u0000", " ", "",
            "a".repeat(10_240), "\\u00e9t\\u00e9", "-leading"};
        for (String n : hostile) {
            int s = h.call("POST", "/api/v1/users", admin,
                    "{\"username\":\"" + n + "\",\"password\":\"long-enough-pw\"}").status();
            assertEquals(400, s, n);
            s = h.call("POST", "/api/v1/groups", admin, "{\"name\":\"" + n + "\"}").status();
            assertEquals(400, s, n);
            s = h.call("POST", "/api/v1/stores/metadata", admin, "{\"name\":\"" + n + "\",\"type\":\"memory\"}").status();
            assertEquals(400, s, n);
            s = h.call("POST", "/api/v1/shares", admin, "{\"name\":\"/" + n + "\",\"metadata_store\":\"m\",\"block_store\":\"b\"}").status();
            assertEquals(400, s, n);
        }
        assertEquals(400, h.call("POST", "/api/v1/shares", admin, "{\"name\":\"/a/b\",\"metadata_store\":\"m\",\"block_store\":\"b\"}").status());
        assertEquals(400, h.call("GET", "/api/v1/users/x'%20OR%20'1'='1", admin, null).status());
        assertEquals(400, h.call("GET", "/api/v1/shares/..%2F..%2Fetc", admin, null).status());
        assertEquals(400, h.call("POST", "/api/v1/users", admin, "{\"username\":\"me\",\"password\":\"long-enough-pw\"}").status());
        assertEquals(400, h.call("PUT", "/api/v1/settings/a", admin, "{\"value\":\"" + "v".repeat(10_240) + "\"}").status());
        assertEquals(users, h.call("GET", "/api/v1/users", admin, null).body());
        assertEquals("[]", h.call("GET", "/api/v1/groups", admin, null).body());
        assertEquals("[]", h.call("GET", "/api/v1/shares", admin, null).body());
        assertEquals("{}", h.call("GET", "/api/v1/settings", admin, null).body());
    }

    @Test
    void shouldNeverReturnPasswordHashes() throws Exception {
        h.call("POST", "/api/v1/users", admin, "{\"username\":\"erin\",\"password\":\"erin-password\",\"uid\":1001}");
        String all = h.call("GET", "/api/v1/users", admin, null).body() + h.call("GET", "/api/v1/users/erin", admin, null).body();
        assertFalse(all.contains("$2"), all);
        assertFalse(all.toLowerCase().contains("hash"), all);
        assertFalse(all.contains("erin-password"), all);
    }

    @Test
    void shouldKeepTheLastAdmin() throws Exception {
        assertEquals(409, h.call("PUT", "/api/v1/users/admin", admin, "{\"role\":\"user\"}").status());
        assertEquals(409, h.call("DELETE", "/api/v1/users/admin", admin, null).status());
    }
}
